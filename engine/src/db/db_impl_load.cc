// DBImpl's side of a StreamWriter's bulk load (db/stream_writer_impl.h).

#include "db/db_impl.h"
#include "db/stream_writer_impl.h"

namespace sett {

Status DBImpl::NewStreamWriter(std::unique_ptr<StreamWriter>* writer) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  uint64_t version = 0;
  Status s = BeginLoad(&version);
  if (!s.ok()) return s;
  *writer = std::make_unique<StreamWriterImpl>(this, version);
  return Status::OK();
}

Status DBImpl::BeginLoad(uint64_t* version) {
  std::unique_lock<std::mutex> lock(mu_);
  if (load_turn_ != nullptr) {
    return Status::InvalidArgument(dir_ + ": another stream writer is loading it");
  }
  auto turn = std::make_unique<WriteTurn>(this, &lock, WriteTurn::kPauseCompactions);
  Status s = turn->status();
  if (!s.ok()) return s;
  s = SettleTree(&lock);  // Nothing of an earlier write may still be on its way to a table.
  bool empty = mem_->empty() && imms_.empty();
  for (int level = 0; level < levels_->num_levels(); level++) {
    empty &= levels_->tables(level).empty();
  }
  if (s.ok() && !empty) {
    s = Status::InvalidArgument(dir_ +
                                " holds data: a stream writer loads into an empty database only");
  }
  if (!s.ok()) return s;  // The turn ends here, under the lock.
  *version = LatestVersion() + 1;
  load_turn_ = std::move(turn);
  return Status::OK();
}

Status DBImpl::CheckKeyBan(std::string_view key) const {
  uint64_t ns;
  if (bans_->empty() || !bans_->Banned(key, &ns)) return Status::OK();
  return Status::InvalidArgument("key '" + std::string(key) + "' is in namespace " +
                                 std::to_string(ns) + ", which is banned");
}

std::unique_ptr<TableFileBuilder> DBImpl::NewLoadTable() {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_file_id_++;
  }
  return std::make_unique<TableFileBuilder>(env_, dir_, id, table_options_);
}

Status DBImpl::FinishLoadTable(TableFileBuilder* builder, std::shared_ptr<Table>* table) {
  return builder->Finish(cache_.get(), options_.table_mmap, table);
}

Status DBImpl::InstallLoad(const TableList& tables, uint64_t version) {
  Status s = env_->SyncDir(dir_);
  std::unique_lock<std::mutex> lock(mu_);
  if (!s.ok()) return s;
  const int deepest = levels_->num_levels() - 1;
  ManifestEdit edit;
  std::vector<std::pair<std::shared_ptr<Table>, int>> added;
  for (const auto& t : tables) {
    edit.added.emplace_back(t->id(), deepest);
    added.emplace_back(t, deepest);
  }
  edit.next_file_id = next_file_id_;
  edit.last_version = version;
  s = manifest_->Append(edit);  // The load's commit point.
  if (!s.ok()) return s;
  levels_ = levels_->Apply(added, {});
  for (const auto& t : tables) metrics_.table_bytes += t->file_size();
  oracle_->AdvanceTo(version);
  if (version > visible_version_.load(std::memory_order_relaxed)) {
    visible_version_.store(version, std::memory_order_release);
  }
  InstallView();
  logger_->Log(LogLevel::kInfo, "stream writer loaded " + std::to_string(tables.size()) +
                                    " tables at version " + std::to_string(version));
  return Status::OK();
}

void DBImpl::EndLoad() {
  std::unique_lock<std::mutex> lock(mu_);
  load_turn_.reset();
  work_cv_.notify_all();  // Compactions may run again.
}

}  // namespace sett
