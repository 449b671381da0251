#include "lsm/compaction.h"

#include <memory>
#include <vector>

#include "format/key_format.h"
#include "iter/merging_iterator.h"
#include "lsm/level_iterator.h"
#include "lsm/table_file_builder.h"
#include "lsm/version_filter.h"
#include "vlog/vlog_format.h"

namespace sett {
namespace {

std::unique_ptr<InternalIterator> MergedInputs(const CompactionPlan& plan) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (const auto& t : plan.top) children.push_back(t->NewIterator(false, /*fill_cache=*/false));
  if (!plan.bottom.empty()) {
    children.push_back(NewLevelIterator(plan.bottom, false, /*fill_cache=*/false));
  }
  return NewMergingIterator(std::move(children), false);
}

}  // namespace

Status RunCompaction(const CompactionPlan& plan, const CompactionOptions& options,
                     CompactionResult* result) {
  for (const auto& t : plan.top) result->bytes_read += t->file_size();
  for (const auto& t : plan.bottom) result->bytes_read += t->file_size();
  std::unique_ptr<InternalIterator> input = MergedInputs(plan);
  return WriteFiltered(input.get(), options, plan.target_file_size, plan.bottommost, result);
}

Status WriteFiltered(InternalIterator* input, const CompactionOptions& options,
                     uint64_t target_file_size, bool bottommost, CompactionResult* result) {
  VersionFilter filter(&options.readers, options.num_versions_to_keep, options.now, bottommost);
  std::unique_ptr<TableFileBuilder> out;
  std::string current_user_key;
  bool have_key = false;
  Status s;

  auto finish_output = [&]() -> Status {
    std::shared_ptr<Table> table;
    Status fs = out->Finish(options.cache, options.map_tables, &table);
    out.reset();
    if (!fs.ok()) return fs;
    result->bytes_written += table->file_size();
    result->outputs.push_back(std::move(table));
    return Status::OK();
  };

  for (input->Rewind(); input->Valid(); input->Next()) {
    if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
      s = Status::Aborted("compaction stopped: the DB is closing");
      break;
    }
    std::string_view key = input->key();
    ValueStruct vs;
    if (!DecodeValueStruct(input->value(), &vs)) {
      s = Status::Corruption("compaction input: malformed value of key '" +
                             std::string(UserKey(key)) + "' version " +
                             std::to_string(VersionOf(key)));
      break;
    }
    result->entries_read++;
    bool new_user_key = !have_key || UserKey(key) != current_user_key;
    if (new_user_key) {
      current_user_key.assign(UserKey(key).data(), UserKey(key).size());
      have_key = true;
      if (out != nullptr && out->FileSize() >= target_file_size) {
        s = finish_output();
        if (!s.ok()) break;
      }
    }
    bool dropped = false;
    if (VersionOf(key) <= options.drop_version) {
      for (const std::string& prefix : options.drop_prefixes) {
        dropped |= UserKey(key).substr(0, prefix.size()) == prefix;
      }
    }
    if (dropped || !filter.Keep(VersionOf(key), vs, new_user_key)) {
      ValuePointer ptr;
      if ((vs.meta & kMetaValuePointer) != 0 && DecodeValuePointer(vs.value, &ptr)) {
        result->discarded[ptr.file_id] += ptr.length;
      }
      result->entries_dropped++;
      continue;
    }
    if (out == nullptr) {
      out = std::make_unique<TableFileBuilder>(options.env, options.dir, options.new_file_id(),
                                               options.table_options);
      s = out->Open();
      if (!s.ok()) break;
    }
    s = out->Add(key, input->value());
    if (!s.ok()) break;
    result->entries_written++;
  }
  if (s.ok()) s = input->status();
  if (s.ok() && out != nullptr) s = finish_output();
  if (s.ok()) s = options.env->SyncDir(options.dir);
  if (!s.ok()) {
    out.reset();
    for (const auto& t : result->outputs) t->MarkObsolete();
    result->outputs.clear();
  }
  return s;
}

}  // namespace sett
