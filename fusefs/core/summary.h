// Summarize counts what a settfs filesystem holds, from its inodes, for `settfs stat`.

#ifndef SETTFS_CORE_SUMMARY_H_
#define SETTFS_CORE_SUMMARY_H_

#include <cstdint>
#include <functional>

#include "core/kv_store.h"
#include "core/records.h"

namespace settfs {

struct FsSummary {
  Superblock sb;
  uint64_t files = 0;  // Regular files.
  uint64_t directories = 0;
  uint64_t symlinks = 0;
  uint64_t special = 0;     // Fifos, sockets and devices.
  uint64_t bytes = 0;       // The sizes of regular files, holes included.
  uint64_t blocks = 0;      // Data blocks stored (block_size bytes each at most).
  uint64_t orphans = 0;     // Unlinked while open, waiting to be reclaimed.
  uint64_t bad_inodes = 0;  // Inodes that do not decode (settfs fsck says more).
};

// progress, when set, is called now and then with the number of inodes read so far.
Status Summarize(KvStore* store, FsSummary* summary,
                 const std::function<void(uint64_t inodes)>& progress = nullptr);

}  // namespace settfs

#endif  // SETTFS_CORE_SUMMARY_H_
