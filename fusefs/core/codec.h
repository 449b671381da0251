// Little-endian encoding for settfs's values, with a reader that bounds-checks every field; and
// big-endian integers, where byte order must be numeric order (keys) or a wire format asks for
// it (PostgreSQL's binary parameters and results).

#ifndef SETTFS_CORE_CODEC_H_
#define SETTFS_CORE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace settfs {

inline void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }
inline void PutU16(std::string* out, uint16_t v) {
  for (int i = 0; i < 2; i++) out->push_back(static_cast<char>(v >> (8 * i)));
}
inline void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<char>(v >> (8 * i)));
}
inline void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; i++) out->push_back(static_cast<char>(v >> (8 * i)));
}
inline void PutBytes(std::string* out, std::string_view bytes) {
  PutU32(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes.data(), bytes.size());
}

inline void PutBigEndian32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; i--) out->push_back(static_cast<char>(v >> (8 * i)));
}
inline void PutBigEndian64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; i--) out->push_back(static_cast<char>(v >> (8 * i)));
}
// REQUIRES: in holds at least 8 bytes.
inline uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// Reads fields off the front of its input; once a read runs past the end, ok() is false and
// every later read yields zero.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint8_t U8() { return static_cast<uint8_t>(Fixed(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Fixed(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Fixed(4)); }
  uint64_t U64() { return Fixed(8); }
  std::string_view Bytes() {
    uint32_t n = U32();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string_view bytes = in_.substr(0, n);
    in_.remove_prefix(n);
    return bytes;
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }

 private:
  uint64_t Fixed(size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= uint64_t{static_cast<uint8_t>(in_[i])} << (8 * i);
    in_.remove_prefix(n);
    return v;
  }

  std::string_view in_;
  bool ok_ = true;
};

}  // namespace settfs

#endif  // SETTFS_CORE_CODEC_H_
