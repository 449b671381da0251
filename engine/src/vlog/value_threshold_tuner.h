// ValueThresholdTuner chooses, from what the writes do, the size from which values go to the
// value log. Values shorter than `low` always stay in the tree and values of `high` or more
// always go to the log; for the sizes between, the tuner watches how soon values are rewritten.
//
// Why: in the log a value is written once and compaction moves a small pointer, which wins
// when the value lives on (fills, cold data: 1.35x faster writes, a quarter of the bytes). A
// value that a newer version replaces before its memtable is flushed costs nothing more in the
// tree (the flush drops it), but in the log it is a second write call and garbage that GC must
// find and reclaim. So while most values of the middle sizes are replaced within a memtable's
// worth of writes (a hot key, a small working set rewritten in place) they stay in the tree;
// when that stops they go back to the log.
//
// The memtable it reasons about is a virtual one: the writes as they would fill a memtable if
// the middle sizes were inline, counted in epochs of memtable_size bytes. A write is a quick
// rewrite when it replaces a version written in the same epoch, so the measure does not depend
// on where the values went (pointers fill the real memtable far more slowly). Each epoch's
// share of quick rewrites (by bytes) decides the next: at least 3/4 puts the middle sizes in
// the tree, below 1/2 back in the log, in between nothing changes.
//
// Thread safety: Observe by one thread at a time (the DB's write leader); threshold() from any.

#ifndef SETT_VLOG_VALUE_THRESHOLD_TUNER_H_
#define SETT_VLOG_VALUE_THRESHOLD_TUNER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "sett/options.h"

namespace sett {

class ValueThresholdTuner {
 public:
  // low > high is taken as high == low: nothing to tune.
  ValueThresholdTuner(size_t low, size_t high, size_t memtable_size);
  // The tuner that options ask for (value_threshold pinned, or tuned up to its maximum).
  explicit ValueThresholdTuner(const Options& options)
      : ValueThresholdTuner(options.value_threshold, HighestThreshold(options),
                            options.memtable_size) {}

  // The largest threshold the options allow: values of this size or more never stay in the
  // tree (value_threshold when it is pinned).
  static size_t HighestThreshold(const Options& options) {
    if (!options.value_threshold_tuned) return options.value_threshold;
    return options.value_threshold_tuned_max > options.value_threshold
               ? options.value_threshold_tuned_max
               : options.value_threshold;
  }

  // False when the bounds meet: Observe has nothing to decide.
  bool tuned() const { return low_ != high_; }
  // Values of at least this many bytes go to the log now.
  size_t threshold() const { return threshold_.load(std::memory_order_relaxed); }

  // One write that reached the memtable: its key and value sizes, its version, and the
  // version of the same key that it replaced in the memtable (0 when it replaced none there).
  void Observe(size_t key_size, size_t value_size, uint64_t version, uint64_t replaced_version);

  // Epochs decided so far (tests count them).
  uint64_t epochs() const { return epochs_; }

 private:
  void EndEpoch(uint64_t next_epoch_start);

  const size_t low_;
  const size_t high_;
  const size_t epoch_bytes_;
  std::atomic<size_t> threshold_;
  uint64_t epoch_start_version_ = 0;
  uint64_t epoch_filled_ = 0;     // Bytes this epoch's writes would take in a memtable.
  uint64_t middle_bytes_ = 0;     // Values of the middle sizes written this epoch.
  uint64_t rewritten_bytes_ = 0;  // ... of which replaced a version of the same epoch.
  uint64_t epochs_ = 0;
};

}  // namespace sett

#endif  // SETT_VLOG_VALUE_THRESHOLD_TUNER_H_
