// Types for reading the database out in bulk (DB::Stream, DB::Backup) and for watching writes
// as they are committed (DB::Subscribe).

#ifndef SETT_STREAM_H_
#define SETT_STREAM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sett/status.h"

namespace sett {

// One version of a key, owned.
struct KV {
  std::string key;
  std::string value;
  uint64_t version = 0;
  uint8_t user_meta = 0;
  uint64_t expires_at = 0;
  bool deleted = false;  // A tombstone (Subscribe only).
  bool merge = false;    // A merge operand, as written (Subscribe only; sett/merge.h).
};

struct StreamOptions {
  std::string prefix;            // Only keys that start with it.
  uint64_t read_ts = 0;          // 0: the latest committed state.
  int num_workers = 4;           // Key ranges read in parallel.
  size_t batch_bytes = 4 << 20;  // A batch handed to the callback holds about this much.
};

// Receives the keys of a stream in key order, one batch at a time, on the calling thread.
// A non-OK status stops the stream and is returned by DB::Stream.
using StreamCallback = std::function<Status(const std::vector<KV>& batch)>;

// Receives committed writes whose keys match a subscription's prefixes, in commit order, on
// the subscription's own thread. A non-OK status ends the subscription.
using SubscribeCallback = std::function<Status(const std::vector<KV>& writes)>;

// Loads keys in ascending order straight into tables at the deepest level of an empty DB
// (DB::NewStreamWriter), bypassing the memtable, the write-ahead log and the value log: the
// fast way to fill a new DB from another's Stream or from a backup. Writes to the DB wait
// until the load finishes or is abandoned (so do not write from the loading thread). Nothing
// of the load is visible, or survives a crash, until Finish returns OK; then all of it is,
// under one version. Values stay in the tables whatever their size.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;  // Abandons the load unless it finished.
  // Adds kvs. Keys must ascend strictly across all calls; KV::version, deleted and merge are
  // ignored, user_meta and expires_at kept. InvalidArgument names the first bad entry.
  virtual Status Write(const std::vector<KV>& kvs) = 0;
  // Makes the load durable, then visible, at once. The writer is done after it.
  virtual Status Finish() = 0;
};

class Subscription {
 public:
  virtual ~Subscription() = default;  // Cancels.
  // Stops delivery; returns after the callback has run for the last time.
  virtual void Cancel() = 0;
  // OK while delivering; the callback's error once it ended the subscription.
  virtual Status status() const = 0;
};

}  // namespace sett

#endif  // SETT_STREAM_H_
