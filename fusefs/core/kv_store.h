// The transactional key-value store that settfs keeps everything in. The filesystem core uses
// nothing else of the engine: another store with serializable transactions could stand behind
// this interface.
//
// A transaction reads a snapshot plus its own writes; Commit fails with Status::Conflict when
// another commit wrote a key it read (the core then runs the operation again). A store may find
// a conflict sooner, at any call; it then says so with Doomed.
//
// Thread safety: a KvStore may be used from any thread; a KvTxn by one thread at a time.

#ifndef SETTFS_CORE_KV_STORE_H_
#define SETTFS_CORE_KV_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sett/status.h"

namespace settfs {

using sett::Status;

class KvTxn {
 public:
  virtual ~KvTxn() = default;
  virtual Status Get(std::string_view key, std::string* value) = 0;
  virtual Status Set(std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Visits the keys that start with prefix, from the first >= start (start "" = from the first),
  // in order, until fn returns false. With keys_only, values are not read (fn gets "").
  virtual Status Scan(
      std::string_view prefix, std::string_view start, bool keys_only,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;
  // The same, ending before the key `end` ("" = at the end of the prefix): a store may then
  // fetch no more than the range holds.
  virtual Status ScanRange(
      std::string_view prefix, std::string_view start, std::string_view end, bool keys_only,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) {
    return Scan(prefix, start, keys_only, [&](std::string_view key, std::string_view value) {
      return (end.empty() || key < end) && fn(key, value);
    });
  }
  // The same in descending order, from the last key <= start (start "" = from the last).
  virtual Status ScanBackward(std::string_view prefix, std::string_view start,
                              const std::function<bool(std::string_view key)>& fn) = 0;
  virtual Status Commit(bool sync) = 0;
  // Whether the store has already ended this transaction for a conflict (a store that finds
  // conflicts before the commit, such as PostgreSQL): every call since failed with Conflict,
  // and the operation runs again whatever it returned.
  virtual bool Doomed() const { return false; }
};

struct KvUsage {
  uint64_t bytes_on_disk = 0;  // Every file of the store.
  uint64_t bytes_free = 0;     // Free space on the file system that holds it.
};

class KvStore {
 public:
  virtual ~KvStore() = default;
  virtual std::unique_ptr<KvTxn> Begin(bool update) = 0;
  // A number never handed out before, not even across crashes.
  virtual Status NextId(uint64_t* id) = 0;
  // Makes every committed write durable.
  virtual Status Sync() = 0;
  virtual Status Usage(KvUsage* usage) = 0;
  // Bytes free for the store to grow into, cheaply (asked before every write); UINT64_MAX when
  // there is no such limit.
  virtual uint64_t FreeBytes() = 0;
  // The most one transaction may write, counting each write as its key and value plus 64 bytes.
  virtual size_t MaxTxnBytes() const = 0;

  // For a store that several processes share: from now on each commit tells the others the
  // topics it changes (topic_of of each key it writes; "" for none), and changed is called,
  // from a thread of the store's, with each topic the others' commits change, until
  // StopWatching. NotSupported by a store that one process alone opens.
  virtual Status WatchChanges(std::function<std::string(std::string_view key)> topic_of,
                              std::function<void(std::string_view topic)> changed) {
    (void)topic_of;
    (void)changed;
    return Status::NotSupported("a store of one process has no one to watch");
  }
  virtual void StopWatching() {}
};

}  // namespace settfs

#endif  // SETTFS_CORE_KV_STORE_H_
