// Endian-neutral encoding of integers. On disk, fixed-width integers are little-endian except
// inside keys, where they are big-endian so that byte order is numeric order. Varints use seven
// bits per byte, low bits first. The Get* functions bounds-check against their input and return
// false instead of reading past it: their input is often read from disk.

#ifndef SETT_UTIL_CODING_H_
#define SETT_UTIL_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sett {

inline void EncodeFixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; i++) dst[i] = static_cast<char>(v >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= uint32_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}
inline void EncodeBigEndian64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(v >> (8 * (7 - i)));
}
inline uint64_t DecodeBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Appends varint32 length, then bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);

// Writes the varint at dst and returns the byte after it. dst needs room for 10 bytes.
char* EncodeVarint64(char* dst, uint64_t v);
int VarintLength(uint64_t v);

// Parse from the front of *input and advance it; false when input is too short or malformed.
bool GetFixed32(std::string_view* input, uint32_t* v);
bool GetByte(std::string_view* input, uint8_t* v);
bool GetVarint32(std::string_view* input, uint32_t* v);
bool GetVarint64(std::string_view* input, uint64_t* v);
bool GetLengthPrefixed(std::string_view* input, std::string_view* result);

// Parses a varint in [p, limit); returns the byte after it, or nullptr when malformed.
const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* v);
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* v);

}  // namespace sett

#endif  // SETT_UTIL_CODING_H_
