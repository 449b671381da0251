#include "vlog/vlog_file.h"

#include <algorithm>

#include "util/compression.h"
#include "util/file_header.h"

namespace sett {
namespace {

constexpr size_t kScanChunk = 1 << 20;
// Far beyond any value-log file, and small enough that offset + length cannot overflow.
constexpr uint64_t kMaxFileOffset = uint64_t{1} << 62;

}  // namespace

Status VlogFile::Open(Env* env, const std::string& path, uint32_t id, bool map, uint64_t reserve,
                      std::shared_ptr<VlogFile>* file, const KeyRegistry* keys) {
  uint64_t size;
  Status s = env->GetFileSize(path, &size);
  if (!s.ok()) return s;
  std::unique_ptr<RandomAccessFile> raf;
  s = env->NewRandomAccessFile(path, &raf);
  if (!s.ok()) return s;
  if (size >= kFileHeaderSize) {
    char header[kFileHeaderSize];
    std::string_view got;
    s = raf->Read(0, kFileHeaderSize, header, &got);
    if (s.ok()) s = CheckFileHeader(got, path, kVlogFileMagic, kVlogFormatVersion);
    if (!s.ok()) return s;
  }
  std::unique_ptr<MappedFile> mapping;
  uint64_t map_length = std::max(size, reserve);
  // Without a mapping (NotSupported, or no address space left) every read is a pread.
  if (map && map_length > 0 && !env->MapFile(path, map_length, &mapping).ok()) mapping.reset();
  file->reset(new VlogFile(env, std::move(raf), std::move(mapping), id, size));
  (*file)->keys_ = keys;
  return Status::OK();
}

std::string_view VlogFile::MappedEntry(const ValuePointer& ptr) const {
  if (map_ == nullptr) return {};
  // Bounds from the pointer are untrusted: compare without overflow.
  uint64_t limit = std::min(readable_size_.load(std::memory_order_acquire), map_->length());
  if (ptr.offset > limit || ptr.length > limit - ptr.offset) return {};
  return std::string_view(map_->data() + ptr.offset, ptr.length);
}

VlogFile::~VlogFile() {
  // A retired file that stays is removed by the next open.
  if (obsolete_.load(std::memory_order_acquire)) env_->RemoveFile(path()).IgnoreError();
}

Status VlogFile::Read(const ValuePointer& ptr, std::string_view internal_key,
                      std::string* value) const {
  // The entry is read into *value itself (whose buffer a caller reading many values reuses),
  // and the value then moved to its front: no buffer of its own, no second copy.
  auto damaged = [&](const char* what) {
    value->clear();
    return Status::Corruption(path() + ": entry at offset " + std::to_string(ptr.offset) + " (" +
                              std::to_string(ptr.length) + " bytes): " + what);
  };
  if (ptr.offset > kMaxFileOffset) return damaged("offset past any file");
  std::string_view got = MappedEntry(ptr);
  if (got.empty()) {
    value->resize(ptr.length);
    Status s = file_->Read(ptr.offset, ptr.length, value->data(), &got);
    if (!s.ok()) return s;
  }
  if (got.size() != ptr.length) return damaged("file ends inside the entry");
  VlogEntry entry;
  if (!ParseVlogEntry(got, &entry)) return damaged("checksum mismatch");
  std::string key_buffer, opened;
  bool encrypted = (entry.flags & kVlogEncrypted) != 0;
  Status s = OpenVlogEntry(keys_, id_, ptr.offset,
                           path() + ": entry at offset " + std::to_string(ptr.offset), &entry,
                           &key_buffer, &opened);
  if (!s.ok()) {
    value->clear();
    return s;
  }
  if (entry.key != internal_key) return damaged("holds another key than the one pointing at it");
  const Compression codec = VlogCodec(entry.flags);
  if ((codec != Compression::kNone) != ptr.compressed()) {
    return damaged(ptr.compressed() ? "stored as is, but its pointer says compressed"
                                    : "compressed, but its pointer says stored as is");
  }
  if (codec != Compression::kNone) {
    // The pointer's size bounds what the untrusted bytes may decompress to.
    std::string raw;
    if (!Uncompress(codec, entry.value, ptr.value_size, &raw) || raw.size() != ptr.value_size) {
      return damaged("does not decompress to the size its pointer gives");
    }
    *value = std::move(raw);
    return Status::OK();
  }
  if (encrypted) {
    *value = std::move(opened);
  } else if (got.data() == value->data()) {
    size_t start = static_cast<size_t>(entry.value.data() - got.data());
    size_t size = entry.value.size();
    value->erase(0, start);
    value->resize(size);
  } else {
    value->assign(entry.value.data(), entry.value.size());  // The file handed out its own bytes.
  }
  return Status::OK();
}

bool VlogScanner::Fill(uint64_t offset, size_t n) {
  if (offset >= buffer_offset_ && offset + n <= buffer_offset_ + buffer_.size()) return true;
  size_t want = std::max(n, kScanChunk);
  if (offset + want > end_) want = static_cast<size_t>(end_ - offset);
  if (want < n) return false;
  std::string fresh(want, '\0');
  std::string_view got;
  status_ = file_.file().Read(offset, want, fresh.data(), &got);
  if (!status_.ok() || got.size() < n) return false;
  if (got.data() != fresh.data()) fresh.assign(got.data(), got.size());
  fresh.resize(got.size());
  buffer_ = std::move(fresh);
  buffer_offset_ = offset;
  return true;
}

bool VlogScanner::Next(VlogEntry* entry, uint64_t* offset) {
  if (damaged_ || !status_.ok() || pos_ >= end_) return false;
  if (end_ - pos_ < kVlogEntryHeaderSize || !Fill(pos_, kVlogEntryHeaderSize)) {
    damaged_ = status_.ok();
    return false;
  }
  uint64_t length = VlogEntryLengthFromHeader(buffer_.data() + (pos_ - buffer_offset_));
  if (length > end_ - pos_ || !Fill(pos_, static_cast<size_t>(length))) {
    damaged_ = status_.ok();
    return false;
  }
  std::string_view data(buffer_.data() + (pos_ - buffer_offset_), static_cast<size_t>(length));
  if (!ParseVlogEntry(data, entry)) {
    damaged_ = true;
    return false;
  }
  status_ = OpenVlogEntry(file_.keys(), file_.id(), pos_,
                          file_.path() + ": entry at offset " + std::to_string(pos_), entry,
                          &key_buffer_, &value_buffer_);
  if (!status_.ok()) return false;
  *offset = pos_;
  pos_ += length;
  if (entry->flags & kVlogBatchEnd) batch_end_ = pos_;
  return true;
}

}  // namespace sett
