// VersionFilter is the rule for which versions of a key are kept, applied to a key's versions
// newest first (compaction uses it to drop them; all-versions iteration to show only what is
// kept):
//
//   - versions above the discard timestamp (the oldest live read timestamp) are all kept;
//   - at or below it, a key keeps its versions_to_keep newest versions; a tombstone or an
//     expired entry there hides every older version;
//   - that tombstone or expired entry itself goes only where no older data can lie below it
//     (`bottommost`).

#ifndef SETT_LSM_VERSION_FILTER_H_
#define SETT_LSM_VERSION_FILTER_H_

#include <cstdint>
#include <string_view>

#include "db/key_format.h"

namespace sett {

class VersionFilter {
 public:
  VersionFilter(uint64_t discard_ts, int versions_to_keep, uint64_t now, bool bottommost)
      : discard_ts_(discard_ts),
        versions_to_keep_(versions_to_keep),
        now_(now),
        bottommost_(bottommost) {}

  // Called with every version of every key, in order; true when it is kept.
  bool Keep(uint64_t version, const ValueStruct& vs, bool new_user_key) {
    if (new_user_key) {
      versions_below_ = 0;
      hide_older_ = false;
    }
    if (hide_older_) return false;
    if (version > discard_ts_) return true;
    if (vs.IsDeletedOrExpired(now_)) {
      hide_older_ = true;
      return !bottommost_;
    }
    if (++versions_below_ >= versions_to_keep_) hide_older_ = true;
    return true;
  }

 private:
  const uint64_t discard_ts_;
  const int versions_to_keep_;
  const uint64_t now_;
  const bool bottommost_;
  int versions_below_ = 0;
  bool hide_older_ = false;
};

}  // namespace sett

#endif  // SETT_LSM_VERSION_FILTER_H_
