// Entry is a key and value with the extras a write may carry: a user meta byte for the
// application's own use, and an expiry after which reads no longer see the key.

#ifndef SETT_ENTRY_H_
#define SETT_ENTRY_H_

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string_view>

namespace sett {

struct Entry {
  Entry() = default;
  Entry(std::string_view k, std::string_view v) : key(k), value(v) {}

  std::string_view key;
  std::string_view value;
  uint8_t user_meta = 0;
  uint64_t expires_at = 0;  // Seconds since the epoch; 0 = never.

  // Expires ttl from now.
  Entry& WithTTL(std::chrono::seconds ttl) {
    expires_at = static_cast<uint64_t>(std::time(nullptr)) + static_cast<uint64_t>(ttl.count());
    return *this;
  }
  Entry& WithUserMeta(uint8_t meta) {
    user_meta = meta;
    return *this;
  }
};

}  // namespace sett

#endif  // SETT_ENTRY_H_
