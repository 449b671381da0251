#include "util/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "util/random.h"

namespace sett {
namespace {

TEST(ArenaTest, AllocationsKeepTheirContents) {
  Arena arena(4096);
  Random rnd(301);
  std::vector<std::pair<char*, size_t>> allocated;
  size_t total = 0;
  for (int i = 0; i < 2000; i++) {
    size_t n = i % 100 == 0 ? 5000 : 1 + rnd.Uniform(200);  // Some larger than a block.
    char* p = (i % 2 == 0) ? arena.Allocate(n) : arena.AllocateAligned(n);
    if (i % 2 == 1) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignof(std::max_align_t), 0u);
    }
    std::memset(p, i % 256, n);
    allocated.emplace_back(p, n);
    total += n;
  }
  EXPECT_GE(arena.MemoryUsage(), total);
  for (size_t i = 0; i < allocated.size(); i++) {
    for (size_t b = 0; b < allocated[i].second; b++) {
      ASSERT_EQ(static_cast<uint8_t>(allocated[i].first[b]), i % 256) << "allocation " << i;
    }
  }
}

}  // namespace
}  // namespace sett
