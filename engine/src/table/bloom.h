// The bloom filter of a table, over its user keys (versions of one key count once):
//
//   bloom block := bit array (n bytes) | u8 number of probes
//
// Probe i of a key tests bit (h1 + i * h2) mod (8n), where h1 and h2 are the low and high
// halves of XXH3(user key) (h2 forced odd). An empty block matches everything. With 10 bits
// per key and 7 probes, about 0.8% of absent keys pass.

#ifndef SETT_TABLE_BLOOM_H_
#define SETT_TABLE_BLOOM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sett {

class BloomBuilder {
 public:
  explicit BloomBuilder(int bits_per_key) : bits_per_key_(bits_per_key) {}
  // Adds a key by its KeyHash.
  void AddHash(uint64_t hash) { hashes_.push_back(hash); }
  // Returns the filter block's contents (empty when bits_per_key <= 0).
  std::string Finish() const;

 private:
  const int bits_per_key_;
  std::vector<uint64_t> hashes_;
};

bool BloomMayContain(std::string_view filter, uint64_t hash);

}  // namespace sett

#endif  // SETT_TABLE_BLOOM_H_
