#include "table/bloom.h"

#include <gtest/gtest.h>

#include "util/hash.h"

namespace sett {
namespace {

TEST(BloomTest, NoFalseNegativesAndAboutOnePercentFalsePositives) {
  constexpr int kKeys = 20000;
  BloomBuilder builder(10);  // The default bits per key.
  for (int i = 0; i < kKeys; i++) builder.AddHash(KeyHash("present-" + std::to_string(i)));
  std::string filter = builder.Finish();
  EXPECT_NEAR(filter.size(), kKeys * 10 / 8, 64);
  for (int i = 0; i < kKeys; i++) {
    ASSERT_TRUE(BloomMayContain(filter, KeyHash("present-" + std::to_string(i)))) << i;
  }
  int false_positives = 0;
  constexpr int kProbes = 200000;
  for (int i = 0; i < kProbes; i++) {
    if (BloomMayContain(filter, KeyHash("absent-" + std::to_string(i)))) false_positives++;
  }
  double rate = static_cast<double>(false_positives) / kProbes;
  std::printf("false positive rate with 10 bits per key: %.3f%%\n", rate * 100);
  EXPECT_LT(rate, 0.0125);
  EXPECT_GT(rate, 0.004);
}

TEST(BloomTest, MoreBitsFewerFalsePositives) {
  auto rate = [](int bits) {
    BloomBuilder builder(bits);
    for (int i = 0; i < 10000; i++) builder.AddHash(KeyHash("k" + std::to_string(i)));
    std::string filter = builder.Finish();
    int fp = 0;
    for (int i = 0; i < 100000; i++)
      fp += BloomMayContain(filter, KeyHash("x" + std::to_string(i)));
    return fp / 100000.0;
  };
  EXPECT_LT(rate(16), rate(10));
  EXPECT_LT(rate(10), rate(6));
}

TEST(BloomTest, EmptyOrDisabledFilterMatchesEverything) {
  EXPECT_TRUE(BloomBuilder(0).Finish().empty());
  EXPECT_TRUE(BloomMayContain("", KeyHash("anything")));
  EXPECT_TRUE(BloomMayContain(std::string(10, '\0') + std::string(1, '\x63'), KeyHash("a")));
}

}  // namespace
}  // namespace sett
