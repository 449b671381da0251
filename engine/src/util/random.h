// A small, fast, seedable pseudo-random generator (splitmix64), and its mixing function for
// hashing integers. Not for cryptography.

#ifndef SETT_UTIL_RANDOM_H_
#define SETT_UTIL_RANDOM_H_

#include <cstdint>

namespace sett {

// Scrambles x so that nearby inputs give unrelated outputs (splitmix64's finalizer).
inline uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() { return Mix64(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // True with probability 1/n.
  bool OneIn(uint64_t n) { return Uniform(n) == 0; }

 private:
  uint64_t state_;
};

}  // namespace sett

#endif  // SETT_UTIL_RANDOM_H_
