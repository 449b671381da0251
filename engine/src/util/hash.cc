#include "util/hash.h"

#include <xxhash.h>

namespace sett {

uint64_t Checksum64(const void* data, size_t n) { return XXH3_64bits(data, n); }

uint64_t SeededChecksum64(const void* data, size_t n, uint64_t seed) {
  return XXH3_64bits_withSeed(data, n, seed);
}

uint64_t KeyHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

}  // namespace sett
