// The one rule for which versions of a key anyone can still read. Flush, compaction and
// all-versions iteration ask it (VersionFilter); DBImpl::LiveReaders() builds its input.
//
// ReadSet is who can still read: the read timestamps of live readers (transactions, iterators,
// Snapshots, backups and streams) and every timestamp from open_from up - readers yet to come
// start at the latest version or later, and in managed mode the caller may read anything above
// the discard timestamp. A version at t whose next newer version is at t' is read by someone
// exactly when some r in the set has t <= r < t'.
//
// VersionFilter applies the rule to each key's versions, newest first:
//   - the newest version is kept (a tombstone at the bottom aside, below);
//   - an older version is kept when a reader reads it (a stripe between two snapshots keeps
//     one version, not every version written meanwhile), or when it is among the
//     versions_to_keep newest of the key, or among the versions_to_keep newest at or below the
//     oldest reader;
//   - a tombstone or expired entry at or below the oldest reader hides every older version, and
//     goes itself where no older data can lie below it (`bottommost`);
//   - a version under a kept merge operand is kept: reading the operand folds it onto the
//     versions below, down to the first that is not an operand. (Compaction folds the operands
//     at or below the oldest reader into one entry instead: lsm/compaction.h.)
// A version that the rule drops is garbage at once; its value-log bytes are counted then.

#ifndef SETT_LSM_VERSION_FILTER_H_
#define SETT_LSM_VERSION_FILTER_H_

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "format/key_format.h"

namespace sett {

class ReadSet {
 public:
  // live: read timestamps of live readers, in any order, duplicates allowed.
  ReadSet(std::vector<uint64_t> live, uint64_t open_from) : live_(std::move(live)) {
    std::sort(live_.begin(), live_.end());
    live_.erase(std::unique(live_.begin(), live_.end()), live_.end());
    open_from_ = open_from;
    oldest_ = live_.empty() ? open_from : std::min(live_.front(), open_from);
  }
  // Everyone reads at or above ts, and only there: the rule of a single discard timestamp.
  static ReadSet From(uint64_t ts) { return ReadSet({}, ts); }

  // Whether someone reads at some r with version <= r < newer. REQUIRES: version < newer.
  bool Reads(uint64_t version, uint64_t newer) const {
    if (newer > open_from_) return true;
    auto r = std::lower_bound(live_.begin(), live_.end(), version);
    return r != live_.end() && *r < newer;
  }
  // The oldest read timestamp: every version older than the newest at or below it is unread.
  uint64_t oldest() const { return oldest_; }

 private:
  std::vector<uint64_t> live_;  // Ascending, distinct.
  uint64_t open_from_ = 0;
  uint64_t oldest_ = 0;
};

class VersionFilter {
 public:
  // readers must outlive the filter.
  VersionFilter(const ReadSet* readers, int versions_to_keep, uint64_t now, bool bottommost)
      : readers_(readers),
        versions_to_keep_(versions_to_keep),
        now_(now),
        bottommost_(bottommost) {}

  // Called with every version of every key, in order; true when it is kept.
  bool Keep(uint64_t version, const ValueStruct& vs, bool new_user_key) {
    if (new_user_key) {
      has_newer_ = false;
      rank_ = 0;
      rank_below_ = 0;
      hide_older_ = false;
      under_operand_ = false;
    }
    bool keep = Decide(version, vs);
    // A newer version that is kept is a merge operand: whoever reads it folds it onto this one.
    if (under_operand_) keep = true;
    under_operand_ = keep && vs.IsMerge();
    return keep;
  }

 private:
  bool Decide(uint64_t version, const ValueStruct& vs) {
    const bool newest = !has_newer_;
    const uint64_t newer = newer_;
    const int rank = rank_++;
    has_newer_ = true;
    newer_ = version;
    if (hide_older_) return false;
    if (version <= readers_->oldest()) {
      // The first one here is what the oldest reader reads; the ones after it are read by
      // nobody, and only versions_to_keep keeps them.
      if (vs.IsDeletedOrExpired(now_)) {
        hide_older_ = true;
        return !bottommost_;
      }
      if (++rank_below_ >= versions_to_keep_) hide_older_ = true;
      return true;
    }
    return newest || rank < versions_to_keep_ || readers_->Reads(version, newer);
  }

  const ReadSet* const readers_;
  const int versions_to_keep_;
  const uint64_t now_;
  const bool bottommost_;
  bool has_newer_ = false;
  uint64_t newer_ = 0;  // The version seen just before, newer than the current one.
  int rank_ = 0;        // Versions of this key seen so far.
  int rank_below_ = 0;  // Of them, at or below the oldest reader.
  bool hide_older_ = false;
  bool under_operand_ = false;  // The last version kept is a merge operand.
};

}  // namespace sett

#endif  // SETT_LSM_VERSION_FILTER_H_
