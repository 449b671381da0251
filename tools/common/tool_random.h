// ToolRandom: the seedable pseudo-random numbers of the tools and benchmarks (the standard
// library's mt19937_64), with the shapes they draw. The same seed gives the same numbers.

#ifndef SETT_TOOLS_COMMON_TOOL_RANDOM_H_
#define SETT_TOOLS_COMMON_TOOL_RANDOM_H_

#include <cstdint>
#include <random>

namespace sett::tools {

class ToolRandom {
 public:
  explicit ToolRandom(uint64_t seed) : rng_(seed) {}
  uint64_t Next() { return rng_(); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return rng_() % n; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_TOOL_RANDOM_H_
