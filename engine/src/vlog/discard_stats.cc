#include "vlog/discard_stats.h"

#include <algorithm>
#include <memory>

#include "util/coding.h"
#include "util/file_header.h"
#include "util/whole_file.h"

namespace sett {
namespace {

std::string DiscardFileName(const std::string& dir) { return dir + "/DISCARD"; }

}  // namespace

void DiscardStats::Load() {
  const std::string path = DiscardFileName(dir_);
  std::string contents;
  Status s = ReadWholeFile(env_, path, kDiscardFileMagic, kDiscardFormatVersion, &contents);
  if (s.IsNotFound()) return;
  std::map<uint32_t, uint64_t> loaded;
  if (s.ok()) {
    std::string_view body = contents;
    uint32_t n = 0;
    bool ok = GetVarint32(&body, &n);
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
  return WriteWholeFile(env_, dir_, DiscardFileName(dir_), kDiscardFileMagic, kDiscardFormatVersion,
                        body);
}

}  // namespace sett
