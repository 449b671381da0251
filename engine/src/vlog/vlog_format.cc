#include "vlog/vlog_format.h"

#include "format/key_format.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/key_registry.h"

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

namespace {

std::string EntryAad(uint32_t file_id, uint64_t offset, char part) {
  std::string aad;
  PutFixed32(&aad, file_id);
  PutFixed64(&aad, offset);
  aad.push_back(part);
  return aad;
}

}  // namespace

Status SealVlogEntry(KeyRegistry* keys, uint32_t file_id, uint64_t offset, VlogEntry* entry,
                     std::string* key_buffer, std::string* value_buffer) {
  key_buffer->clear();
  value_buffer->clear();
  Status s = keys->Seal(EntryAad(file_id, offset, 'k'), entry->key, key_buffer);
  if (s.ok()) s = keys->Seal(EntryAad(file_id, offset, 'v'), entry->value, value_buffer);
  if (!s.ok()) return s;
  entry->key = *key_buffer;
  entry->value = *value_buffer;
  entry->flags |= kVlogEncrypted;
  return Status::OK();
}

Status OpenVlogEntry(const KeyRegistry* keys, uint32_t file_id, uint64_t offset,
                     const std::string& where, VlogEntry* entry, std::string* key_buffer,
                     std::string* value_buffer) {
  bool encrypted = (entry->flags & kVlogEncrypted) != 0;
  if (keys == nullptr) {
    return encrypted ? Status::Corruption(where + ": encrypted, and the DB has no key")
                     : Status::OK();
  }
  if (!encrypted) return Status::Corruption(where + ": stored in clear in an encrypted DB");
  Status s = keys->Open(EntryAad(file_id, offset, 'k'), entry->key, where, key_buffer);
  if (s.ok()) s = keys->Open(EntryAad(file_id, offset, 'v'), entry->value, where, value_buffer);
  if (!s.ok()) return s;
  if (!IsValidInternalKey(*key_buffer)) return Status::Corruption(where + ": no internal key");
  entry->key = *key_buffer;
  entry->value = *value_buffer;
  entry->flags &= static_cast<uint8_t>(~kVlogEncrypted);
  return Status::OK();
}

}  // namespace sett
