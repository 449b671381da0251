// Hashes used on disk and in memory. Checksums are XXH3-64 of the stored bytes; the bloom
// filter hashes user keys with XXH3-64 too. Changing either changes the file formats.

#ifndef SETT_UTIL_HASH_H_
#define SETT_UTIL_HASH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sett {

uint64_t Checksum64(const void* data, size_t n);
inline uint64_t Checksum64(std::string_view data) { return Checksum64(data.data(), data.size()); }

// A checksum that also covers a length or sequence number given as seed, so that a record that
// moved (or whose length field changed) fails verification.
uint64_t SeededChecksum64(const void* data, size_t n, uint64_t seed);

uint64_t KeyHash(std::string_view key);

}  // namespace sett

#endif  // SETT_UTIL_HASH_H_
