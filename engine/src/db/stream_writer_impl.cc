#include "db/stream_writer_impl.h"

#include "db/db_impl.h"
#include "format/entry_limits.h"
#include "format/key_format.h"
#include "util/coding.h"

namespace sett {

namespace {

constexpr int kWorkers = 2;

// Builds a table from a run of entries (length-prefixed internal key, value struct).
Status BuildTable(DBImpl* db, const std::string& run, std::shared_ptr<Table>* table) {
  std::unique_ptr<TableFileBuilder> builder = db->NewLoadTable();
  Status s = builder->Open();
  std::string_view in = run;
  std::string_view key, value;
  while (s.ok() && GetLengthPrefixed(&in, &key) && GetLengthPrefixed(&in, &value)) {
    s = builder->Add(key, value);
  }
  return s.ok() ? db->FinishLoadTable(builder.get(), table) : s;  // Else the file goes.
}

}  // namespace

StreamWriterImpl::StreamWriterImpl(DBImpl* db, uint64_t version)
    : db_(db), version_(version), workers_(kWorkers) {}

StreamWriterImpl::~StreamWriterImpl() {
  if (!done_) Abandon();
}

void StreamWriterImpl::Abandon() {
  done_ = true;
  while (!building_.empty()) {
    Status ignored = WaitOldest();
    (void)ignored;
  }
  for (const auto& t : tables_) t->MarkObsolete();
  tables_.clear();
  db_->EndLoad();
}

Status StreamWriterImpl::WaitOldest() {
  std::unique_ptr<Building> oldest = std::move(building_.front());
  building_.erase(building_.begin());
  Status s = oldest->done.get();
  if (oldest->table != nullptr) tables_.push_back(std::move(oldest->table));
  return s;
}

Status StreamWriterImpl::Check(const KV& kv, size_t index) const {
  std::string where = "stream writer: entry " + std::to_string(entries_ + index);
  Status s = CheckEntryLimits(kv.key, kv.value.size(), where + ": ");
  if (!s.ok()) return s;
  Status banned = db_->CheckKeyBan(kv.key);
  if (!banned.ok()) return Status::InvalidArgument(where + ": " + banned.ToString());
  if (have_last_ && CompareUserKeys(kv.key, last_key_) <= 0) {
    return Status::InvalidArgument(where + ": key '" + kv.key + "' does not follow '" + last_key_ +
                                   "': keys must ascend strictly");
  }
  return Status::OK();
}

Status StreamWriterImpl::Write(const std::vector<KV>& kvs) {
  if (done_) return Status::InvalidArgument("stream writer: already finished or abandoned");
  if (!error_.ok()) return error_;
  for (size_t i = 0; i < kvs.size(); i++) {
    const KV& kv = kvs[i];
    Status s = Check(kv, i);
    if (s.ok() && run_.size() >= db_->LoadTableSize()) s = CutTable();
    if (s.ok()) {
      PutVarint32(&run_, static_cast<uint32_t>(kv.key.size() + kVersionSize));
      AppendInternalKey(&run_, kv.key, version_);
      value_struct_.clear();
      AppendValueStruct(&value_struct_, ValueStruct{0, kv.user_meta, kv.expires_at, kv.value});
      PutLengthPrefixed(&run_, value_struct_);
    }
    if (!s.ok()) {
      error_ = s;
      return s;
    }
    last_key_ = kv.key;
    have_last_ = true;
  }
  entries_ += kvs.size();
  return Status::OK();
}

Status StreamWriterImpl::CutTable() {
  if (building_.size() > kWorkers) {  // Bounds the runs held in memory.
    Status s = WaitOldest();
    if (!s.ok()) return s;
  }
  auto building = std::make_unique<Building>();
  Building* b = building.get();
  auto run = std::make_shared<std::string>(std::move(run_));
  run_.clear();
  b->done = workers_.Submit([this, b, run] { return BuildTable(db_, *run, &b->table); });
  building_.push_back(std::move(building));
  return Status::OK();
}

Status StreamWriterImpl::Finish() {
  if (done_) return Status::InvalidArgument("stream writer: already finished or abandoned");
  Status s = error_;
  if (s.ok() && !run_.empty()) s = CutTable();
  while (!building_.empty()) {
    Status built = WaitOldest();
    if (s.ok()) s = built;
  }
  if (s.ok()) s = db_->InstallLoad(tables_, version_);
  if (!s.ok()) {
    Abandon();
    return s;
  }
  done_ = true;
  tables_.clear();
  db_->EndLoad();
  return Status::OK();
}

}  // namespace sett
