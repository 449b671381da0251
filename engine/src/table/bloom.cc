#include "table/bloom.h"

#include <algorithm>

namespace sett {
namespace {

inline void ProbeStart(uint64_t hash, uint64_t* h1, uint64_t* h2) {
  *h1 = hash & 0xffffffff;
  *h2 = (hash >> 32) | 1;
}

}  // namespace

std::string BloomBuilder::Finish() const {
  if (bits_per_key_ <= 0 || hashes_.empty()) return std::string();
  int probes = std::clamp(static_cast<int>(bits_per_key_ * 0.69 + 0.5), 1, 30);
  uint64_t bits = std::max<uint64_t>(64, hashes_.size() * static_cast<uint64_t>(bits_per_key_));
  uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  std::string filter(bytes, '\0');
  for (uint64_t hash : hashes_) {
    uint64_t h1, h2;
    ProbeStart(hash, &h1, &h2);
    for (int i = 0; i < probes; i++) {
      uint64_t bit = (h1 + i * h2) % bits;
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
    }
  }
  filter.push_back(static_cast<char>(probes));
  return filter;
}

bool BloomMayContain(std::string_view filter, uint64_t hash) {
  if (filter.size() < 2) return true;
  int probes = static_cast<uint8_t>(filter.back());
  if (probes < 1 || probes > 30) return true;  // A format we do not know: never rule out.
  uint64_t bits = (filter.size() - 1) * 8;
  uint64_t h1, h2;
  ProbeStart(hash, &h1, &h2);
  for (int i = 0; i < probes; i++) {
    uint64_t bit = (h1 + i * h2) % bits;
    if ((filter[bit / 8] & (1 << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace sett
