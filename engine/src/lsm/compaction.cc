#include "lsm/compaction.h"

#include <memory>
#include <optional>
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

// The output tables: cut at about target_file_size, only between user keys.
class TableSink {
 public:
  TableSink(const CompactionOptions& options, uint64_t target_file_size, CompactionResult* result)
      : options_(options), target_file_size_(target_file_size), result_(result) {}

  // At a new user key: finishes the current table when it is big enough.
  Status AtNewUserKey() {
    return out_ != nullptr && out_->FileSize() >= target_file_size_ ? FinishTable() : Status::OK();
  }
  Status Add(std::string_view key, std::string_view value) {
    if (out_ == nullptr) {
      out_ = std::make_unique<TableFileBuilder>(options_.env, options_.dir, options_.new_file_id(),
                                                options_.table_options);
      Status s = out_->Open();
      if (!s.ok()) return s;
    }
    result_->entries_written++;
    return out_->Add(key, value);
  }
  Status Finish() {
    Status s = out_ != nullptr ? FinishTable() : Status::OK();
    return s.ok() ? options_.env->SyncDir(options_.dir) : s;
  }
  void Abandon() {
    out_.reset();
    for (const auto& t : result_->outputs) t->MarkObsolete();
    result_->outputs.clear();
  }

 private:
  Status FinishTable() {
    std::shared_ptr<Table> table;
    Status s = out_->Finish(options_.cache, options_.map_tables, &table);
    out_.reset();
    if (!s.ok()) return s;
    result_->bytes_written += table->file_size();
    result_->outputs.push_back(std::move(table));
    return Status::OK();
  }

  const CompactionOptions& options_;
  const uint64_t target_file_size_;
  CompactionResult* const result_;
  std::unique_ptr<TableFileBuilder> out_;
};

// The merge operands of one key being folded, from the newest at or below the oldest reader
// down to the first version that is not one.
class OperandRun {
 public:
  bool active() const { return active_; }
  void Start(std::string_view internal_key, MergeFunction fn) {
    active_ = true;
    key_.assign(internal_key.data(), internal_key.size());
    fn_ = std::move(fn);
    fold_.Clear();
  }
  void Add(std::string_view operand) { fold_.AddOperand(operand); }
  size_t size() const { return fold_.size(); }

  // Writes the run as one entry at the newest operand's version: the value it folds to on
  // base, or (with no base known, partial) one operand standing for them all.
  Status Finish(std::optional<std::string_view> base, bool partial, TableSink* sink,
                CompactionResult* result) {
    active_ = false;
    result->operands_folded += partial ? fold_.size() - 1 : fold_.size();
    std::string_view user_key = UserKey(key_);
    ValueStruct vs;
    std::string value;
    if (partial) {
      vs.meta = kMetaMerge;
      value = fold_.Combined(fn_, user_key);
    } else {
      value = fold_.Onto(fn_, user_key, base);
    }
    vs.value = value;
    encoded_.clear();
    AppendValueStruct(&encoded_, vs);
    return sink->Add(key_, encoded_);
  }

 private:
  bool active_ = false;
  std::string key_;
  MergeFunction fn_;
  MergeFold fold_;
  std::string encoded_;
};

// The value-log bytes of an entry that goes are garbage.
void CountGarbage(const ValueStruct& vs, CompactionResult* result) {
  ValuePointer ptr;
  if ((vs.meta & kMetaValuePointer) != 0 && DecodeValuePointer(vs.value, &ptr)) {
    result->discarded[ptr.file_id] += ptr.length;
  }
}

void CountDropped(const ValueStruct& vs, CompactionResult* result) {
  CountGarbage(vs, result);
  result->entries_dropped++;
}

// The value of an entry, read from the value log when it is there.
Status ValueOf(const CompactionOptions& options, std::string_view key, const ValueStruct& vs,
               std::string* value) {
  if ((vs.meta & kMetaValuePointer) == 0) {
    value->assign(vs.value.data(), vs.value.size());
    return Status::OK();
  }
  if (options.read_value == nullptr) {
    return Status::NotSupported("no value-log reader to fold merge operands onto key '" +
                                std::string(UserKey(key)) + "'");
  }
  return options.read_value(key, vs, value);
}

// Takes one more version of the key whose operands `run` folds: another operand joins it; any
// other version ends it (a value is folded onto, a deletion or a dropped version means none).
// The version the run ends on goes too, unless num_versions_to_keep keeps older versions.
Status ContinueRun(const CompactionOptions& options, std::string_view key, std::string_view raw,
                   const ValueStruct& vs, bool dropped, bool kept, OperandRun* run, TableSink* sink,
                   CompactionResult* result) {
  if (!dropped && vs.IsMerge()) {
    std::string operand;
    Status s = ValueOf(options, key, vs, &operand);
    if (!s.ok()) return s;
    run->Add(operand);
    CountDropped(vs, result);
    return Status::OK();
  }
  std::optional<std::string_view> base;
  std::string value;
  if (!dropped && !vs.IsDeletedOrExpired(options.now)) {
    Status s = ValueOf(options, key, vs, &value);
    if (!s.ok()) return s;
    base = value;
  }
  Status s = run->Finish(base, /*partial=*/false, sink, result);
  if (!s.ok()) return s;
  if (!dropped && kept && options.num_versions_to_keep > 1) return sink->Add(key, raw);
  CountDropped(vs, result);
  return Status::OK();
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
  TableSink sink(options, target_file_size, result);
  OperandRun run;
  std::string current_user_key;
  bool have_key = false;
  Status s;
  // A run that reaches the end of its key's versions: nothing lies below it in the input.
  auto end_run = [&] {
    if (!run.active()) return Status::OK();
    return run.Finish(std::nullopt, /*partial=*/!bottommost, &sink, result);
  };

  for (input->Rewind(); input->Valid() && s.ok(); input->Next()) {
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
      s = end_run();
      if (s.ok()) s = sink.AtNewUserKey();
      if (!s.ok()) break;
      current_user_key.assign(UserKey(key).data(), UserKey(key).size());
      have_key = true;
    }
    bool dropped = false;
    if (VersionOf(key) <= options.drop_version) {
      for (const std::string& prefix : options.drop_prefixes) {
        dropped |= UserKey(key).substr(0, prefix.size()) == prefix;
      }
    }
    bool kept = !dropped && filter.Keep(VersionOf(key), vs, new_user_key);
    if (run.active()) {
      s = ContinueRun(options, key, input->value(), vs, dropped, kept, &run, &sink, result);
      continue;
    }
    if (!kept) {
      CountDropped(vs, result);
      continue;
    }
    MergeFunction fn;
    if (vs.IsMerge() && VersionOf(key) <= options.readers.oldest() &&
        options.merge_function_for != nullptr && options.merge_function_for(UserKey(key), &fn)) {
      std::string operand;
      s = ValueOf(options, key, vs, &operand);
      if (!s.ok()) break;
      run.Start(key, std::move(fn));
      run.Add(operand);
      CountGarbage(vs, result);  // Its entry is rewritten with its value inline.
      continue;
    }
    s = sink.Add(key, input->value());
  }
  if (s.ok()) s = end_run();
  if (s.ok()) s = input->status();
  if (s.ok()) s = sink.Finish();
  if (!s.ok()) sink.Abandon();
  return s;
}

}  // namespace sett
