// PgKvStore is KvStore over a PostgreSQL database, through libpq, so that settfs can keep a
// filesystem on a database server that several machines reach. Keys and values are bytea pairs
// in one table (settfs_kv, whose byte order is the order the core expects); an updating
// transaction is a SERIALIZABLE one, a reading one a REPEATABLE READ READ ONLY snapshot, and a
// serialization failure or deadlock, reported by whichever statement meets it, dooms the
// transaction: that call and every later one, Commit included, return Conflict, and the core
// runs the operation again. Ids come from a sequence in blocks of kIdBlock.
//
// Durability: commits are asynchronous (synchronous_commit off) unless Commit(sync) asks;
// Sync makes every earlier commit durable with one synchronous commit, which flushes the
// server's log up to it (none when nothing was committed since the last Sync).
//
// Connections: a pool, one connection per transaction while it lives (a directory listing's
// snapshot keeps one); more are opened when every one is busy, and at most kIdleConnections
// idle ones are kept. A connection that breaks is dropped; the transaction on it
// fails with IOError.

#ifndef SETTFS_CORE_PG_KV_STORE_H_
#define SETTFS_CORE_PG_KV_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/kv_store.h"
#include "core/pg_connection.h"

namespace settfs {

class PgKvStore : public KvStore {
 public:
  // Connects to uri (any of libpq's connection URIs or key=value strings) and makes the
  // table, the sequence and the schema's version row if the database has none; refuses a
  // database whose settfs schema is of another version.
  static Status Open(const std::string& uri, std::unique_ptr<PgKvStore>* store);
  // Whether path names a PostgreSQL database rather than a directory (postgresql:// or
  // postgres://).
  static bool IsUri(const std::string& path);
  ~PgKvStore() override;

  std::unique_ptr<KvTxn> Begin(bool update) override;
  Status NextId(uint64_t* id) override;
  Status Sync() override;
  // bytes_on_disk: the table and its index; bytes_free: the server's disk is out of sight, so
  // kReportedFree (as network filesystems report a size they cannot know).
  Status Usage(KvUsage* usage) override;
  uint64_t FreeBytes() override { return UINT64_MAX; }
  size_t MaxTxnBytes() const override { return kMaxTxnBytes; }

  // Commits send their topics with NOTIFY on channel settfs_changes (several NOTIFYs of at
  // most kNotifyBytes each, sent only if the commit is), and a thread LISTENs on a connection
  // of its own, skipping this store's own notices; when that connection breaks, it connects
  // again (changes meanwhile are missed: the mounts' timeouts still bound what is stale).
  Status WatchChanges(std::function<std::string(std::string_view key)> topic_of,
                      std::function<void(std::string_view topic)> changed) override;
  void StopWatching() override;

  const std::string& uri() const { return uri_; }

  // The NOTIFY statements that tell others about topics (the SQL, "" for none).
  std::string NotifySql(const std::set<std::string>& topics) const;
  // The topic of a written key while watching, else "".
  std::string TopicOf(std::string_view key) const;
  bool watching() const { return watching_.load(std::memory_order_acquire); }

  // Hands a connection back after a transaction (or drops it when broken).
  void Release(std::unique_ptr<PgConnection> conn);
  // Counts a commit, which the next Sync makes durable.
  void Committed() { commits_.fetch_add(1, std::memory_order_relaxed); }

  static constexpr int kSchemaVersion = 1;
  static constexpr uint64_t kIdBlock = 64;
  static constexpr size_t kMaxTxnBytes = 64 << 20;
  static constexpr uint64_t kReportedFree = uint64_t{1} << 40;
  // As many as a mount's request threads (16 by default) and a few listings keep busy.
  static constexpr size_t kIdleConnections = 24;
  static constexpr size_t kNotifyBytes = 7000;  // PostgreSQL takes payloads below 8000 bytes.

 private:
  explicit PgKvStore(std::string uri);
  Status Acquire(std::unique_ptr<PgConnection>* conn);
  Status CreateSchema(PgConnection* conn);
  // Runs stmt (no parameters, one int8 row) on a pooled connection.
  Status QueryNumber(PgConnection::Stmt stmt, uint64_t* number);

  Status ListenOn(std::unique_ptr<PgConnection>* conn);  // A fresh connection, listening.
  void Listen(PgConnection* first);                      // The watching thread (owns first).
  void Deliver(const std::string& payload);  // A notice's topics to changed_, unless ours.

  const std::string uri_;
  const std::string id_;  // Random: marks this store's own notices.
  std::function<std::string(std::string_view)> topic_of_;  // Set before watching_.
  std::function<void(std::string_view)> changed_;
  std::atomic<bool> watching_{false};
  std::atomic<bool> stop_{false};
  std::thread listener_;
  std::mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> synced_commits_{0};  // Sync has nothing to do while equal to commits_.
  std::mutex ids_mu_;
  uint64_t next_id_ = 0;  // The next id of the block in hand, and its end.
  uint64_t id_end_ = 0;
};

}  // namespace settfs

#endif  // SETTFS_CORE_PG_KV_STORE_H_
