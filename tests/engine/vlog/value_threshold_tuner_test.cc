#include "vlog/value_threshold_tuner.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace sett {
namespace {

constexpr size_t kLow = 1024;
constexpr size_t kHigh = 4096;
constexpr size_t kMemtable = 1 << 20;

// Writes `writes` values of value_size bytes round robin over `keys` keys, the way the write
// leader reports them: each replaces the key's previous version if it is still "in the
// memtable" (the tuner only compares versions, so every earlier version counts as present).
class Writer {
 public:
  explicit Writer(ValueThresholdTuner* tuner) : tuner_(tuner) {}
  void Write(uint64_t keys, uint64_t writes, size_t value_size) {
    for (uint64_t i = 0; i < writes; i++) {
      uint64_t key = i % keys + key_base_;
      uint64_t replaced = key < last_version_.size() ? last_version_[key] : 0;
      if (key >= last_version_.size()) last_version_.resize(key + 1, 0);
      tuner_->Observe(16, value_size, ++version_, replaced);
      last_version_[key] = version_;
    }
  }
  // The next writes use keys never written before.
  void NewKeys() { key_base_ = last_version_.size(); }

 private:
  ValueThresholdTuner* tuner_;
  std::vector<uint64_t> last_version_;
  uint64_t version_ = 0;
  uint64_t key_base_ = 0;
};

TEST(ValueThresholdTunerTest, StartsAtTheLowThreshold) {
  ValueThresholdTuner tuner(kLow, kHigh, kMemtable);
  EXPECT_EQ(tuner.threshold(), kLow);
}

TEST(ValueThresholdTunerTest, AHotKeyKeepsMiddleSizesInTheTree) {
  ValueThresholdTuner tuner(kLow, kHigh, kMemtable);
  Writer writer(&tuner);
  writer.Write(1, 4000, 2000);
  EXPECT_GE(tuner.epochs(), 1u);
  EXPECT_EQ(tuner.threshold(), kHigh);
}

TEST(ValueThresholdTunerTest, UniqueKeysSendThemBackToTheLog) {
  ValueThresholdTuner tuner(kLow, kHigh, kMemtable);
  Writer writer(&tuner);
  writer.Write(10, 4000, 2000);
  ASSERT_EQ(tuner.threshold(), kHigh);
  writer.NewKeys();
  writer.Write(1 << 20, 4000, 2000);  // A fill: no key written twice.
  EXPECT_EQ(tuner.threshold(), kLow);
}

TEST(ValueThresholdTunerTest, AWorkingSetLargerThanAMemtableStaysInTheLog) {
  ValueThresholdTuner tuner(kLow, kHigh, kMemtable);
  Writer writer(&tuner);
  // About 510 values of 2000 bytes fill an epoch: 2000 keys rewrite none within it, 40 keys
  // nearly all.
  writer.Write(2000, 20000, 2000);
  EXPECT_EQ(tuner.threshold(), kLow);
  writer.NewKeys();
  writer.Write(40, 20000, 2000);
  EXPECT_EQ(tuner.threshold(), kHigh);
}

TEST(ValueThresholdTunerTest, BetweenTheTwoSharesTheChoiceStays) {
  // An epoch is about 510 writes of 2000 bytes; keys rewritten every 200 writes replace a
  // version from the same epoch in about 60% of the writes: neither enough to move into the
  // tree nor little enough to move out of it.
  for (size_t start : {kLow, kHigh}) {
    ValueThresholdTuner tuner(kLow, kHigh, kMemtable);
    Writer writer(&tuner);
    if (start == kHigh) writer.Write(1, 4000, 2000);
    ASSERT_EQ(tuner.threshold(), start);
    writer.NewKeys();
    writer.Write(200, 20000, 2000);
    EXPECT_EQ(tuner.threshold(), start) << "started at " << start;
  }
}

TEST(ValueThresholdTunerTest, OtherSizesDoNotDecide) {
  ValueThresholdTuner tuner(kLow, kHigh, kMemtable);
  Writer writer(&tuner);
  writer.Write(1, 20000, 100);    // Small values always stay in the tree.
  writer.Write(1, 1000, 100000);  // Large ones always go to the log.
  EXPECT_GE(tuner.epochs(), 2u);
  EXPECT_EQ(tuner.threshold(), kLow);
}

TEST(ValueThresholdTunerTest, PinnedWhenTheBoundsMeet) {
  ValueThresholdTuner tuner(kLow, kLow, kMemtable);
  Writer writer(&tuner);
  writer.Write(1, 4000, 2000);
  EXPECT_EQ(tuner.threshold(), kLow);
  Options options;
  options.value_threshold_tuned = false;
  EXPECT_EQ(ValueThresholdTuner::HighestThreshold(options), options.value_threshold);
  options.value_threshold_tuned = true;
  EXPECT_EQ(ValueThresholdTuner::HighestThreshold(options), options.value_threshold_tuned_max);
  options.value_threshold = 1 << 20;  // A maximum below the threshold tunes nothing.
  EXPECT_EQ(ValueThresholdTuner::HighestThreshold(options), options.value_threshold);
}

}  // namespace
}  // namespace sett
