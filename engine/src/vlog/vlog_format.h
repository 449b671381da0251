// The value log format (NNNNNN.vlog):
//
//   file   := file header (util/file_header.h) | entry*
//   entry  := u32 key length | u32 value length | u8 meta | u8 user meta | u8 flags |
//             u64 expires_at | internal key | value | u64 XXH3 of all the bytes before
//
// The entries of one write batch are contiguous and the last one has kVlogBatchEnd in its
// flags, so recovery can cut a torn tail back to the end of the last whole batch. An entry
// carries its internal key (user key + version) so that value-log GC can look it up in the
// tree, and its own checksum so that one positioned read checks it. With kVlogSnappy or
// kVlogZstd in its flags (format version 2), the value is stored compressed with that codec
// and the value length is the compressed one; the checksum covers the bytes as stored.
//
// A value pointer, stored in the tree as the value of an entry whose meta has
// kMetaValuePointer, is: varint32 file id | varint64 offset | varint32 entry length
// [| varint32 value length before compression, present iff the entry is compressed], so that
// a value's size is known without reading the log.

#ifndef SETT_VLOG_VLOG_FORMAT_H_
#define SETT_VLOG_VLOG_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sett/options.h"
#include "sett/status.h"

namespace sett {

class KeyRegistry;

inline constexpr uint64_t kVlogFileMagic = 0x31474c56'54544553ULL;  // "SETTVLG1"
// 1: values as given. 2: values may be compressed (kVlogSnappy, kVlogZstd). Version 1 files
// read as before; a build that reads only version 1 refuses version 2 files (NotSupported).
inline constexpr uint32_t kVlogFormatVersion = 2;
inline constexpr size_t kVlogEntryHeaderSize = 19;
inline constexpr size_t kVlogEntryOverhead = kVlogEntryHeaderSize + 8;

enum VlogEntryFlag : uint8_t {
  kVlogBatchEnd = 1 << 0,  // The last entry of its write batch.
  kVlogSnappy = 1 << 1,    // The value is snappy-compressed.
  kVlogZstd = 1 << 2,      // The value is zstd-compressed.
  // Key and value are each an envelope (util/key_registry.h), bound to the entry's file,
  // offset and part: the entries of an encrypted DB. Lengths and meta bytes stay in clear.
  kVlogEncrypted = 1 << 3,
  kVlogKnownFlags = kVlogBatchEnd | kVlogSnappy | kVlogZstd | kVlogEncrypted,
};

// The codec an entry's flags name (kNone when stored as is), and the flag that names a codec.
Compression VlogCodec(uint8_t flags);
uint8_t VlogCodecFlag(Compression codec);

struct ValuePointer {
  uint32_t file_id = 0;
  uint64_t offset = 0;
  uint32_t length = 0;      // Of the whole entry.
  uint32_t value_size = 0;  // Before compression; 0 when the value is stored as is.

  bool compressed() const { return value_size != 0; }
  // The same place in the log.
  bool operator==(const ValuePointer& o) const {
    return file_id == o.file_id && offset == o.offset && length == o.length;
  }
};

// About what an encoded pointer takes (varints of a file id, an offset and a length, for a
// DB of a few GiB): what size estimates count for a value in the log.
inline constexpr size_t kTypicalValuePointerSize = 16;

void EncodeValuePointer(const ValuePointer& ptr, std::string* out);
bool DecodeValuePointer(std::string_view in, ValuePointer* ptr);

struct VlogEntry {
  std::string_view key;  // Internal key.
  std::string_view value;
  uint8_t meta = 0;
  uint8_t user_meta = 0;
  uint8_t flags = 0;
  uint64_t expires_at = 0;
};

inline size_t VlogEntrySize(size_t key_size, size_t value_size) {
  return kVlogEntryOverhead + key_size + value_size;
}

void AppendVlogEntry(const VlogEntry& entry, std::string* out);

// Parses the entry that fills data exactly (its length came from a pointer or a header).
// False when it is damaged: lengths that disagree, a bad checksum, a key that is not an
// internal key, flags this build does not know or two codecs at once. The value is returned
// as stored (compressed or not).
bool ParseVlogEntry(std::string_view data, VlogEntry* entry);

// The total entry length announced by a header (at least kVlogEntryHeaderSize bytes).
uint64_t VlogEntryLengthFromHeader(const char* header);

// Encrypted entries (kVlogEncrypted). SealVlogEntry replaces entry's key and value with their
// envelopes (kept in the buffers) for an entry at offset of file_id. OpenVlogEntry undoes it
// for a parsed entry; with keys it refuses an entry stored in clear, without keys an
// encrypted one: Corruption naming `where`.
Status SealVlogEntry(KeyRegistry* keys, uint32_t file_id, uint64_t offset, VlogEntry* entry,
                     std::string* key_buffer, std::string* value_buffer);
Status OpenVlogEntry(const KeyRegistry* keys, uint32_t file_id, uint64_t offset,
                     const std::string& where, VlogEntry* entry, std::string* key_buffer,
                     std::string* value_buffer);

}  // namespace sett

#endif  // SETT_VLOG_VLOG_FORMAT_H_
