#include "vlog/discard_stats.h"

#include <algorithm>
#include <memory>

#include "util/coding.h"
#include "util/file_header.h"
#include "util/hash.h"

namespace sett {
namespace {

std::string DiscardFileName(const std::string& dir) { return dir + "/DISCARD"; }

}  // namespace

void DiscardStats::Load() {
  std::string path = DiscardFileName(dir_);
  if (!env_->FileExists(path)) return;
  uint64_t size;
  std::unique_ptr<RandomAccessFile> file;
  Status s = env_->GetFileSize(path, &size);
  if (s.ok()) s = env_->NewRandomAccessFile(path, &file);
  std::string data(size, '\0');
  std::string_view got;
  if (s.ok()) s = file->Read(0, size, data.data(), &got);
  if (s.ok() && got.size() != size) s = Status::Corruption(path + ": short read");
  if (s.ok()) s = CheckFileHeader(got, path, kDiscardFileMagic, kDiscardFormatVersion);
  std::map<uint32_t, uint64_t> loaded;
  if (s.ok()) {
    std::string_view body = got.substr(kFileHeaderSize);
    bool ok = body.size() >= 8 && DecodeFixed64(body.data() + body.size() - 8) ==
                                      Checksum64(body.data(), body.size() - 8);
    if (ok) body.remove_suffix(8);
    uint32_t n = 0;
    ok = ok && GetVarint32(&body, &n);
    for (uint32_t i = 0; ok && i < n; i++) {
      uint32_t id;
      uint64_t bytes;
      ok = GetVarint32(&body, &id) && GetVarint64(&body, &bytes);
      if (ok) loaded[id] = bytes;
    }
    if (!ok || !body.empty()) {
      s = Status::Corruption(path + ": damaged contents after offset " +
                             std::to_string(kFileHeaderSize));
    }
  }
  if (!s.ok()) {
    logger_->Log(LogLevel::kError, s.ToString() +
                                       "; value-log garbage counts start from zero (GC will pick "
                                       "files again as compaction finds garbage)");
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  bytes_ = std::move(loaded);
}

Status DiscardStats::Add(const std::map<uint32_t, uint64_t>& credits) {
  if (credits.empty()) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, bytes] : credits) bytes_[id] += bytes;
  return PersistLocked();
}

Status DiscardStats::Set(uint32_t file_id, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  bytes_[file_id] = bytes;
  return PersistLocked();
}

Status DiscardStats::Retain(const std::vector<uint32_t>& live) {
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = false;
  for (auto it = bytes_.begin(); it != bytes_.end();) {
    if (std::find(live.begin(), live.end(), it->first) == live.end()) {
      it = bytes_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  return changed ? PersistLocked() : Status::OK();
}

std::map<uint32_t, uint64_t> DiscardStats::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

uint64_t DiscardStats::Get(uint32_t file_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = bytes_.find(file_id);
  return it == bytes_.end() ? 0 : it->second;
}

Status DiscardStats::PersistLocked() {
  std::string body;
  PutVarint32(&body, static_cast<uint32_t>(bytes_.size()));
  for (const auto& [id, bytes] : bytes_) {
    PutVarint32(&body, id);
    PutVarint64(&body, bytes);
  }
  PutFixed64(&body, Checksum64(body.data(), body.size()));
  std::string path = DiscardFileName(dir_);
  std::string tmp = path + ".tmp";
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(tmp, &file);
  if (s.ok()) s = file->Append(EncodeFileHeader(kDiscardFileMagic, kDiscardFormatVersion));
  if (s.ok()) s = file->Append(body);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok()) s = env_->RenameFile(tmp, path);
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) env_->RemoveFile(tmp).IgnoreError();  // Cleanup after the returned failure.
  return s;
}

}  // namespace sett
