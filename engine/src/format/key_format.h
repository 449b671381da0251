// Keys inside the engine carry their version: internal key = user key + 8 bytes, big-endian
// (UINT64_MAX - version). For one user key, newer versions therefore sort first. Internal keys
// are ordered by user key (bytewise), then by that suffix; comparing whole keys bytewise would
// be wrong when one user key is a prefix of another.
//
// Values inside the engine are value structs: u8 meta | u8 user meta | varint64 expires_at |
// value bytes. The memtable, the WAL and the tables all store them.

#ifndef SETT_FORMAT_KEY_FORMAT_H_
#define SETT_FORMAT_KEY_FORMAT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "util/coding.h"

namespace sett {

inline constexpr size_t kVersionSize = 8;
// The largest version; reading at it sees everything.
inline constexpr uint64_t kMaxVersion = UINT64_MAX;

inline void AppendInternalKey(std::string* dst, std::string_view user_key, uint64_t version) {
  dst->append(user_key.data(), user_key.size());
  char buf[kVersionSize];
  EncodeBigEndian64(buf, kMaxVersion - version);
  dst->append(buf, sizeof(buf));
}

// The smallest user key greater than every key that starts with prefix, or "" when none exists
// (an empty prefix, or one of 0xff bytes only).
std::string PrefixSuccessor(std::string_view prefix);

inline std::string InternalKey(std::string_view user_key, uint64_t version) {
  std::string key;
  key.reserve(user_key.size() + kVersionSize);
  AppendInternalKey(&key, user_key, version);
  return key;
}

// REQUIRES: internal_key.size() >= kVersionSize (IsValidInternalKey).
inline std::string_view UserKey(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - kVersionSize);
}
inline uint64_t VersionOf(std::string_view internal_key) {
  return kMaxVersion - DecodeBigEndian64(internal_key.data() + internal_key.size() - kVersionSize);
}
inline bool IsValidInternalKey(std::string_view key) { return key.size() >= kVersionSize; }

// Eight bytes as a big-endian number, in one load.
inline uint64_t LoadBigEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

// Bytewise order (memcmp, then the shorter first), eight bytes at a time: keys are short,
// and the memtable compares keys at every step of every insert, where a call to memcmp
// costs more than the comparison.
inline int CompareBytes(const char* a, size_t a_size, const char* b, size_t b_size) {
  size_t n = a_size < b_size ? a_size : b_size;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x = LoadBigEndian64(a + i), y = LoadBigEndian64(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; i++) {
    if (a[i] != b[i]) return static_cast<uint8_t>(a[i]) < static_cast<uint8_t>(b[i]) ? -1 : 1;
  }
  return a_size < b_size ? -1 : a_size > b_size ? 1 : 0;
}

inline int CompareUserKeys(std::string_view a, std::string_view b) {
  return CompareBytes(a.data(), a.size(), b.data(), b.size());
}

// Orders internal keys: user key ascending, then version descending.
inline int CompareInternalKeys(std::string_view a, std::string_view b) {
  int c = CompareBytes(a.data(), a.size() - kVersionSize, b.data(), b.size() - kVersionSize);
  if (c != 0) return c;
  uint64_t x = LoadBigEndian64(a.data() + a.size() - kVersionSize);
  uint64_t y = LoadBigEndian64(b.data() + b.size() - kVersionSize);
  return x < y ? -1 : x > y ? 1 : 0;
}

inline bool SameUserKey(std::string_view a, std::string_view b) { return UserKey(a) == UserKey(b); }

// Bits of ValueStruct::meta. Stored on disk: never renumber.
enum ValueMetaBit : uint8_t {
  kMetaDelete = 1 << 0,        // A tombstone.
  kMetaValuePointer = 1 << 1,  // The value is a pointer into the value log.
  // Only in write-ahead logs (version 2 on), with kMetaValuePointer: the pointer is followed by
  // a copy of the value (memtable/wal.h). Never in a memtable or a table.
  kMetaWalCopy = 1 << 2,
  // A merge operand (sett/merge.h): the value says how to change the key's older value.
  kMetaMerge = 1 << 3,
};

struct ValueStruct {
  uint8_t meta = 0;
  uint8_t user_meta = 0;
  uint64_t expires_at = 0;  // Seconds since the epoch; 0 = never.
  std::string_view value;

  bool IsDelete() const { return (meta & kMetaDelete) != 0; }
  bool IsMerge() const { return (meta & kMetaMerge) != 0; }
  // Deleted, or expired at time `now` (seconds since the epoch).
  bool IsDeletedOrExpired(uint64_t now) const {
    return IsDelete() || (expires_at != 0 && expires_at <= now);
  }
};

void AppendValueStruct(std::string* dst, const ValueStruct& vs);
size_t ValueStructSize(const ValueStruct& vs);
// False when data is not a well-formed value struct. vs->value points into data.
bool DecodeValueStruct(std::string_view data, ValueStruct* vs);

}  // namespace sett

#endif  // SETT_FORMAT_KEY_FORMAT_H_
