// NamespaceBans keeps the namespaces that DB::BanNamespace closed to writes: a namespace is
// the first 8 bytes of a key read as a big-endian number (Badger's convention), and a key
// shorter than 8 bytes is in none. The bans are kept in the BANNED file (util/whole_file.h),
// rewritten whole when one is added:
//
//   body := varint32 n | n x fixed64 namespace
//
// A damaged BANNED file fails the open: read as empty, it would let banned writes through.
//
// Thread safety: all methods may be called concurrently; Banned is lock-free while there are
// no bans (the common case), and takes a shared copy of the set otherwise.

#ifndef SETT_DB_NAMESPACE_BANS_H_
#define SETT_DB_NAMESPACE_BANS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sett/env.h"

namespace sett {

inline constexpr uint64_t kBannedFileMagic = 0x314e4142'54544553ULL;  // "SETTBAN1"
inline constexpr uint32_t kBannedFormatVersion = 1;

class NamespaceBans {
 public:
  NamespaceBans(Env* env, std::string dir);
  Status Load();
  // Bans ns from now on, durably.
  Status Ban(uint64_t ns);
  std::vector<uint64_t> List() const;
  // True while nothing is banned (lock-free).
  bool empty() const { return !any_.load(std::memory_order_acquire); }
  // Whether key lies in a banned namespace; *ns is that namespace then.
  bool Banned(std::string_view key, uint64_t* ns) const;

 private:
  Env* const env_;
  const std::string dir_;
  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::set<uint64_t>> banned_;  // GUARDED_BY(mu_); replaced, never changed
  std::atomic<bool> any_{false};
};

}  // namespace sett

#endif  // SETT_DB_NAMESPACE_BANS_H_
