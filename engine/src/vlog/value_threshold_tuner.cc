#include "vlog/value_threshold_tuner.h"

#include <algorithm>

#include "vlog/vlog_format.h"

namespace sett {
namespace {

// What a memtable entry costs beyond its key and value: the skip-list node and the value
// struct's header. An estimate is enough: it only sets how long an epoch is.
constexpr size_t kEntryOverhead = 40;

}  // namespace

ValueThresholdTuner::ValueThresholdTuner(size_t low, size_t high, size_t memtable_size)
    : low_(low),
      high_(std::max(low, high)),
      epoch_bytes_(std::max<size_t>(memtable_size, 1)),
      threshold_(low) {}

void ValueThresholdTuner::Observe(size_t key_size, size_t value_size, uint64_t version,
                                  uint64_t replaced_version) {
  if (!tuned()) return;
  const bool middle = value_size >= low_ && value_size < high_;
  const size_t stored = value_size < high_ ? value_size : kTypicalValuePointerSize;
  if (middle) {
    middle_bytes_ += value_size;
    if (replaced_version != 0 && replaced_version >= epoch_start_version_) {
      rewritten_bytes_ += value_size;
    }
  }
  epoch_filled_ += key_size + stored + kEntryOverhead;
  if (epoch_filled_ >= epoch_bytes_) EndEpoch(version + 1);
}

void ValueThresholdTuner::EndEpoch(uint64_t next_epoch_start) {
  // An epoch where the middle sizes were a small part of the writes says little about them,
  // and where they go then matters little: keep the choice.
  if (middle_bytes_ * 16 >= epoch_filled_) {
    if (rewritten_bytes_ * 4 >= middle_bytes_ * 3) {
      threshold_.store(high_, std::memory_order_relaxed);
    } else if (rewritten_bytes_ * 2 < middle_bytes_) {
      threshold_.store(low_, std::memory_order_relaxed);
    }
  }
  epoch_start_version_ = next_epoch_start;
  epoch_filled_ = middle_bytes_ = rewritten_bytes_ = 0;
  epochs_++;
}

}  // namespace sett
