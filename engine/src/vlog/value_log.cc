#include "vlog/value_log.h"

#include <algorithm>
#include <cstdio>

#include "util/file_header.h"

namespace sett {
namespace {

// NNNNNN.vlog -> id; false for other names.
bool ParseVlogName(const std::string& name, uint32_t* id) {
  if (name.size() < 6 || name.compare(name.size() - 5, 5, ".vlog") != 0) return false;
  uint64_t n = 0;
  for (size_t i = 0; i + 5 < name.size(); i++) {
    if (name[i] < '0' || name[i] > '9' || n > UINT32_MAX / 10) return false;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *id = static_cast<uint32_t>(n);
  return name.size() > 5;
}

}  // namespace

std::string VlogFileName(const std::string& dir, uint32_t id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "/%06u.vlog", id);
  return dir + buf;
}

Status ValueLog::Open(bool read_only, const VlogCheckpoint& checkpoint) {
  std::vector<std::string> names;
  Status s = env_->GetChildren(dir_, &names);
  if (!s.ok()) return s;
  std::vector<uint32_t> ids;
  for (const std::string& name : names) {
    uint32_t id;
    if (ParseVlogName(name, &id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  auto set = std::make_shared<VlogSet>();
  for (uint32_t id : ids) {
    std::shared_ptr<VlogFile> file;
    // The last file may become the head again and grow: reserve room in its mapping.
    uint64_t reserve = !read_only && id == ids.back() ? file_size_limit_ : 0;
    s = VlogFile::Open(env_, VlogFileName(dir_, id), id, map_files_, reserve, &file, keys_);
    if (!s.ok()) return s;
    uint64_t size = 0;
    s = env_->GetFileSize(file->path(), &size);
    if (!s.ok()) return s;
    (*set)[id] = file;
    intact_size_[id] = size;
  }
  if (!ids.empty()) {
    // Recover the head's tail: scan what was appended after the last checkpoint.
    uint32_t id = ids.back();
    std::shared_ptr<VlogFile> head = (*set)[id];
    uint64_t size = intact_size_[id];
    uint64_t intact = kFileHeaderSize;
    if (head->empty()) {
      intact = 0;
    } else {
      uint64_t start = checkpoint.file_id == id && checkpoint.size <= size
                           ? std::max<uint64_t>(checkpoint.size, kFileHeaderSize)
                           : kFileHeaderSize;
      VlogScanner scanner(*head, size);
      scanner.SeekTo(start);
      VlogEntry entry;
      uint64_t offset;
      while (scanner.Next(&entry, &offset)) {
      }
      if (!scanner.status().ok()) return scanner.status();
      intact = scanner.batch_end();
    }
    if (intact < size) {
      logger_->Log(LogLevel::kInfo, head->path() + ": " + (read_only ? "ignoring" : "truncating") +
                                        " a torn tail of " + std::to_string(size - intact) +
                                        " bytes at offset " + std::to_string(intact));
      if (!read_only) {
        s = env_->TruncateFile(head->path(), intact);
        if (!s.ok()) return s;
      }
    }
    intact_size_[id] = intact;
    head->SetReadableSize(intact);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_ = std::move(set);
  }
  if (!ids.empty()) head_id_ = ids.back();
  if (read_only) return Status::OK();
  if (ids.empty()) return CreateHead(1);
  if (intact_size_[head_id_] < kFileHeaderSize) return CreateHead(head_id_);
  return OpenHeadForAppend();
}

Status ValueLog::OpenHeadForAppend() {
  Status s = env_->NewAppendableFile(VlogFileName(dir_, head_id_), &head_);
  if (!s.ok()) return s;
  head_size_ = committed_size_ = uncovered_end_ = head_->Size();
  synced_size_ = 0;  // What recovery found may be only in the page cache.
  std::lock_guard<std::mutex> lock(mu_);
  head_reader_ = files_->at(head_id_);
  return Status::OK();
}

Status ValueLog::CreateHead(uint32_t id) {
  std::string path = VlogFileName(dir_, id);
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(path, &file);
  if (s.ok()) s = file->Append(EncodeFileHeader(kVlogFileMagic, kVlogFormatVersion));
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = env_->SyncDir(dir_);
  std::shared_ptr<VlogFile> reader;
  if (s.ok()) s = VlogFile::Open(env_, path, id, map_files_, file_size_limit_, &reader, keys_);
  if (!s.ok()) {
    env_->RemoveFile(path).IgnoreError();  // Cleanup after the failure that is returned.
    return s;
  }
  head_ = std::move(file);
  head_id_ = id;
  head_size_ = committed_size_ = synced_size_ = uncovered_end_ = kFileHeaderSize;
  head_broken_ = head_sealed_ = false;
  head_reader_ = reader;
  Publish(id, std::move(reader));
  return Status::OK();
}

void ValueLog::Publish(uint32_t id, std::shared_ptr<VlogFile> file) {
  std::lock_guard<std::mutex> lock(mu_);
  auto set = std::make_shared<VlogSet>(*files_);
  (*set)[id] = std::move(file);
  intact_size_[id] = head_size_;
  files_ = std::move(set);
}

std::shared_ptr<const VlogSet> ValueLog::files() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

std::vector<uint32_t> ValueLog::FileIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint32_t> ids;
  for (const auto& [id, file] : *files_) ids.push_back(id);
  return ids;
}

uint64_t ValueLog::FileSize(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_->count(id) == 0) return 0;
  auto it = intact_size_.find(id);
  return it == intact_size_.end() ? 0 : it->second;
}

bool ValueLog::Contains(const ValuePointer& ptr) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = intact_size_.find(ptr.file_id);
  return files_->count(ptr.file_id) != 0 && it != intact_size_.end() &&
         ptr.offset >= kFileHeaderSize && ptr.offset <= it->second &&
         ptr.length <= it->second - ptr.offset;
}

bool ValueLog::WasCollected(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return id < head_id() && files_->count(id) == 0;
}

Status ValueLog::Append(const VlogEntry& entry, ValuePointer* ptr, bool covered) {
  if (head_broken_) {
    return Status::IOError(VlogFileName(dir_, head_id_) + " failed a write or fsync earlier");
  }
  if (head_sealed_) return Status::IOError(VlogFileName(dir_, head_id_) + " is closed");
  entry_buffer_.clear();
  if (keys_ != nullptr) {
    VlogEntry sealed = entry;
    Status s = SealVlogEntry(keys_, head_id_, head_size_, &sealed, &sealed_key_, &sealed_value_);
    if (!s.ok()) return s;
    AppendVlogEntry(sealed, &entry_buffer_);
  } else {
    AppendVlogEntry(entry, &entry_buffer_);
  }
  ptr->file_id = head_id_;
  ptr->offset = head_size_;
  ptr->length = static_cast<uint32_t>(entry_buffer_.size());
  Status s = head_->Append(entry_buffer_);
  if (!s.ok()) {
    head_broken_ = true;
    return s;
  }
  head_size_ += entry_buffer_.size();
  if (!covered) uncovered_end_ = head_size_;
  return Status::OK();
}

Status ValueLog::Commit() {
  // A broken head takes nothing more: what a failed batch appended is never committed.
  if (head_broken_ || head_ == nullptr) return Status::OK();
  Status s = head_->Flush();
  if (!s.ok()) {
    head_broken_ = true;
    return s;
  }
  committed_size_ = head_size_;
  head_reader_->SetReadableSize(committed_size_);
  std::lock_guard<std::mutex> lock(mu_);
  intact_size_[head_id_] = head_size_;
  return Status::OK();
}

Status ValueLog::SyncCommitted() {
  if (!HasUnsynced()) return Status::OK();
  if (head_broken_) return SealHead();
  Status s = head_->Sync();
  if (s.ok()) {
    synced_size_ = committed_size_;
    return s;
  }
  // What the OS still holds of the head is unknown now.
  logger_->Log(LogLevel::kWarning, s.ToString());
  head_broken_ = true;
  return SealHead();
}

Status ValueLog::SealHead() {
  if (head_sealed_) return Status::OK();
  if (!head_broken_) {
    Status s = head_->Sync();
    if (s.ok()) s = head_->Close();
    if (s.ok()) {
      head_.reset();
      head_sealed_ = true;
      synced_size_ = committed_size_;
      return s;
    }
    logger_->Log(LogLevel::kWarning, s.ToString());
    head_broken_ = true;
  }
  // A failed write may have left a partial entry past the last committed batch, and a failed
  // fsync says nothing of what reached the disk; retrying it on the same handle could report
  // success for pages whose writeback failed. So the head is cut back to its committed batches
  // and fsynced through a new handle. Until that succeeds the head stays unsealed, and a synced
  // write fails rather than make durable the records that point into it.
  if (head_ != nullptr) {
    head_->Close().IgnoreError();  // Broken already; the fsync below says what counts.
    head_.reset();
  }
  const std::string path = VlogFileName(dir_, head_id_);
  Status s = env_->TruncateFile(path, committed_size_);
  std::unique_ptr<WritableFile> file;
  if (s.ok()) s = env_->NewAppendableFile(path, &file);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (!s.ok()) return s;
  head_sealed_ = true;
  synced_size_ = committed_size_;
  return s;
}

Status ValueLog::Rotate() {
  Status s = SealHead();
  if (!s.ok()) return s;
  return CreateHead(head_id_ + 1);
}

void ValueLog::Retire(uint32_t file_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_->find(file_id);
  if (it == files_->end()) return;
  it->second->MarkObsolete();
  auto set = std::make_shared<VlogSet>(*files_);
  set->erase(file_id);
  intact_size_.erase(file_id);
  files_ = std::move(set);
}

Status ValueLog::Close(VlogCheckpoint* checkpoint) {
  if (head_ == nullptr && !head_broken_) return Status::OK();  // Read-only, or closed.
  const bool healthy = !head_broken_ && !head_sealed_;
  Status s = SealHead();
  if (s.ok() && healthy) *checkpoint = VlogCheckpoint{head_id_, head_size_};
  head_broken_ = false;  // Closed: nothing to append to, nothing to seal.
  return s;
}

}  // namespace sett
