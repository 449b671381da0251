// Check is settfs's fsck: it reads every key of an unmounted filesystem in one snapshot and
// cross-checks them: every entry names an existing inode of its type in an existing directory,
// link counts and block counts match what is stored, no block lies beyond its file's size, no
// key belongs to a missing inode, every inode is reachable, and no directory has two names.
//
// With repair, each problem is fixed in its own transaction, keeping data over names: an
// unreachable inode is linked into /lost+found as "#ino" rather than deleted, counts are set to
// what is stored, and only keys that nothing can reach (entries to missing inodes, blocks past
// the end, keys of missing inodes) are deleted. Orphans (files unlinked while open before a
// crash) are not problems; repair reclaims them, as the next mount would.

#ifndef SETTFS_CORE_CHECKER_H_
#define SETTFS_CORE_CHECKER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/kv_store.h"

namespace settfs {

struct CheckOptions {
  bool repair = false;
  // Called now and then during the scan with the number of keys read so far.
  std::function<void(uint64_t keys)> progress;
};

struct CheckReport {
  uint64_t keys = 0;
  uint64_t inodes = 0;
  uint64_t directories = 0;
  uint64_t entries = 0;
  uint64_t blocks = 0;
  uint64_t orphans = 0;
  std::vector<std::string> problems;   // Each names the inode, directory or key at fault.
  std::vector<std::string> remaining;  // Those still there at the end (all without repair).
  uint64_t repaired = 0;               // Fixes applied (with repair).
  uint64_t orphans_reclaimed = 0;      // With repair.
};

// Returns OK with the findings in *report (problems or not); an error status when the store
// cannot be read or holds no settfs filesystem at all.
Status Check(KvStore* store, const CheckOptions& options, CheckReport* report);

}  // namespace settfs

#endif  // SETTFS_CORE_CHECKER_H_
