#include "vlog/vlog_format.h"

#include "format/key_format.h"
#include "util/coding.h"
#include "util/hash.h"

namespace sett {

Compression VlogCodec(uint8_t flags) {
  if (flags & kVlogSnappy) return Compression::kSnappy;
  if (flags & kVlogZstd) return Compression::kZstd;
  return Compression::kNone;
}

uint8_t VlogCodecFlag(Compression codec) {
  switch (codec) {
    case Compression::kSnappy:
      return kVlogSnappy;
    case Compression::kZstd:
      return kVlogZstd;
    case Compression::kNone:
      break;
  }
  return 0;
}

void EncodeValuePointer(const ValuePointer& ptr, std::string* out) {
  PutVarint32(out, ptr.file_id);
  PutVarint64(out, ptr.offset);
  PutVarint32(out, ptr.length);
  if (ptr.compressed()) PutVarint32(out, ptr.value_size);
}

bool DecodeValuePointer(std::string_view in, ValuePointer* ptr) {
  if (!GetVarint32(&in, &ptr->file_id) || !GetVarint64(&in, &ptr->offset) ||
      !GetVarint32(&in, &ptr->length) || ptr->length < kVlogEntryOverhead) {
    return false;
  }
  ptr->value_size = 0;
  if (in.empty()) return true;
  return GetVarint32(&in, &ptr->value_size) && in.empty() && ptr->value_size != 0;
}

void AppendVlogEntry(const VlogEntry& entry, std::string* out) {
  size_t start = out->size();
  PutFixed32(out, static_cast<uint32_t>(entry.key.size()));
  PutFixed32(out, static_cast<uint32_t>(entry.value.size()));
  out->push_back(static_cast<char>(entry.meta));
  out->push_back(static_cast<char>(entry.user_meta));
  out->push_back(static_cast<char>(entry.flags));
  PutFixed64(out, entry.expires_at);
  out->append(entry.key.data(), entry.key.size());
  out->append(entry.value.data(), entry.value.size());
  PutFixed64(out, Checksum64(out->data() + start, out->size() - start));
}

uint64_t VlogEntryLengthFromHeader(const char* header) {
  return kVlogEntryOverhead + uint64_t{DecodeFixed32(header)} + DecodeFixed32(header + 4);
}

bool ParseVlogEntry(std::string_view data, VlogEntry* entry) {
  if (data.size() < kVlogEntryOverhead) return false;
  const char* p = data.data();
  if (VlogEntryLengthFromHeader(p) != data.size()) return false;
  size_t body = data.size() - 8;
  if (DecodeFixed64(p + body) != Checksum64(p, body)) return false;
  uint32_t key_size = DecodeFixed32(p);
  entry->meta = static_cast<uint8_t>(p[8]);
  entry->user_meta = static_cast<uint8_t>(p[9]);
  entry->flags = static_cast<uint8_t>(p[10]);
  if ((entry->flags & ~kVlogKnownFlags) != 0 ||
      (entry->flags & (kVlogSnappy | kVlogZstd)) == (kVlogSnappy | kVlogZstd)) {
    return false;
  }
  entry->expires_at = DecodeFixed64(p + 11);
  entry->key = data.substr(kVlogEntryHeaderSize, key_size);
  entry->value =
      data.substr(kVlogEntryHeaderSize + key_size, body - kVlogEntryHeaderSize - key_size);
  return IsValidInternalKey(entry->key);
}

}  // namespace sett
