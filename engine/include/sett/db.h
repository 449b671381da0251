// DB is an open sett database: a log-structured merge tree of versioned keys in one directory.
//
// Every write gets a version (a timestamp) one above the last; reads see the newest version of
// each key at or below their read timestamp. This is the versioned core that transactions are
// built on.
//
//   sett::Options options;
//   options.dir = "/tmp/mydb";
//   std::unique_ptr<sett::DB> db;
//   sett::Status s = sett::DB::Open(options, &db);
//   if (s.ok()) s = db->Put(sett::WriteOptions(), "key", "value");
//   std::string value;
//   if (s.ok()) s = db->Get(sett::ReadOptions(), "key", &value);
//
// Thread safety: every method may be called concurrently, except Close, which must not race
// with anything. Iterators and snapshots must be destroyed before Close.

#ifndef SETT_DB_H_
#define SETT_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sett/info.h"
#include "sett/iterator.h"
#include "sett/options.h"
#include "sett/status.h"
#include "sett/write_batch.h"

namespace sett {

// Limits on what one entry may hold.
inline constexpr size_t kMaxKeySize = 65000;
inline constexpr size_t kMaxValueSize = size_t{1} << 30;

// A registered read timestamp: while a Snapshot lives, compaction keeps every version that a
// read at its timestamp needs. Release it by destroying it.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  virtual uint64_t read_ts() const = 0;
};

class DB {
 public:
  // Opens (or with create_if_missing, creates) the database in options.dir. Fails with Busy
  // when another process has it open, and with Corruption naming file and offset when a file
  // is damaged beyond what recovery may repair.
  static Status Open(const Options& options, std::unique_ptr<DB>* db);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the DB if Close was not called; errors are then only logged.
  virtual ~DB() = default;

  // Flushes the memtables (unless read-only), stops background work and releases the
  // directory. Further calls fail with Aborted.
  virtual Status Close() = 0;

  // Applies every entry of batch atomically under one new version. Rejects empty keys and keys
  // or values over the limits with InvalidArgument.
  virtual Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;
  Status Put(const WriteOptions& options, std::string_view key, std::string_view value);
  Status Delete(const WriteOptions& options, std::string_view key);

  // Reads the newest version of key at or below options.read_ts into *value (and its version
  // into *version when not null). NotFound when absent or deleted.
  virtual Status Get(const ReadOptions& options, std::string_view key, std::string* value,
                     uint64_t* version = nullptr) = 0;

  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // Registers the latest committed version as a read timestamp that compaction must preserve.
  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;

  // The version of the last write that reads can see.
  virtual uint64_t LatestVersion() const = 0;

  // Writes the memtables out as L0 tables and waits until they are durable.
  virtual Status Flush() = 0;
  // Runs compactions until no level wants one (every score < 1), and waits for them.
  virtual Status Compact() = 0;
  // Flushes, then compacts every level down into the deepest one, so that all the data present
  // at the start ends up in one level with every old version and tombstone dropped that can
  // be. Writes made meanwhile are left to normal compaction.
  virtual Status Flatten() = 0;

  // Value-log garbage collection: picks the value-log file with the most garbage, provided it
  // is at least discard_ratio (in (0, 1]) of the file, copies its live values to the head of
  // the log, and deletes it once no reader can still reach it. Returns NothingToCollect when
  // no file qualifies (or every candidate holds versions a live Snapshot still reads). Run it
  // in a loop until NothingToCollect to collect everything.
  virtual Status RunValueLogGC(double discard_ratio, ValueLogGCStats* stats = nullptr) = 0;

  // Reads every block of every table and checks its checksum and order, and every table's
  // metadata. Corruption names the first damaged file and offset.
  virtual Status VerifyChecksums() = 0;

  virtual DBInfo Info() = 0;
};

}  // namespace sett

#endif  // SETT_DB_H_
