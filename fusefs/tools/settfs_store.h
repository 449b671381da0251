// SettfsStore opens the sett database behind a settfs filesystem with the engine options
// settfs runs it with, and makes new filesystems. Every settfs command goes through it.
//
// A database directory is one of: missing or empty (a filesystem can be made there), a sett
// database (with or without a filesystem in it), or anything else, which is refused so that
// settfs never writes into a directory of someone's files.
//
// Where a directory is taken, a PostgreSQL URI (postgresql://..., postgres://...) names a
// database on a server instead (core/pg_kv_store.h), which several mounts may share. db() is
// nullptr then, and what needs the engine itself (snapshots, send and receive, the engine's
// statistics and checksums, encryption) is refused with NeedsEngine's NotSupported.

#ifndef SETTFS_TOOLS_SETTFS_STORE_H_
#define SETTFS_TOOLS_SETTFS_STORE_H_

#include <memory>
#include <string>

#include "core/kv_store.h"
#include "core/records.h"
#include "core/sett_kv_store.h"
#include "sett/db.h"
#include "sett/logger.h"

namespace settfs {

struct StoreConfig {
  std::string dir;
  bool read_only = false;
  bool create = false;  // Make the database if dir is missing or empty.
  // Background value-log GC (mounts; 0: none): a round every gc_interval_seconds, and a
  // closer one after gc_quiet_seconds without writes (sett::Options' value_log_gc_*).
  uint32_t gc_interval_seconds = 0;
  uint32_t gc_quiet_seconds = 30;
  int lock_wait_seconds = 0;  // How long to wait for a previous owner to let go.
  // An encrypted database's key (sett::Options::encryption_key); empty: the key file given
  // (tools/common/key_file.h), if any.
  std::string encryption_key;
  sett::Logger* logger = nullptr;  // nullptr: stderr, warnings and up.
  // What the caller does that needs a sett database (say "settfs snapshot"): a PostgreSQL
  // store is then refused at once with NotSupported naming it.
  std::string needs_engine;
};

class SettfsStore {
 public:
  // Opens config.dir. The superblock, if any, decides the compression of tables and data.
  static sett::Status Open(const StoreConfig& config, std::unique_ptr<SettfsStore>* store);
  ~SettfsStore();

  // Whether dir is missing or an empty directory (a PostgreSQL database counts as fresh: it
  // holds a filesystem or not, which ReadSuperblock tells).
  static bool IsFresh(const std::string& dir);
  // Whether where names a PostgreSQL database rather than a directory.
  static bool IsPostgres(const std::string& where);

  // Writes a new filesystem (superblock and root directory owned by owner) into the database;
  // fails if it already holds one.
  sett::Status Format(uint32_t block_size, sett::Compression compression, uint32_t owner_uid,
                      uint32_t owner_gid);
  // Whether the database holds a filesystem; its superblock in *sb if so.
  sett::Status ReadSuperblock(Superblock* sb, bool* present);

  // The sett database; nullptr on PostgreSQL.
  sett::DB* db() const { return db_.get(); }
  sett::Logger* logger() const { return config_.logger; }
  KvStore* kv() const { return kv_.get(); }
  // The store as a SettKvStore (for snapshots); nullptr on PostgreSQL.
  SettKvStore* sett_kv() const {
    return db_ != nullptr ? static_cast<SettKvStore*>(kv_.get()) : nullptr;
  }
  // OK on a sett database; NotSupported saying that `what` needs one, on PostgreSQL.
  sett::Status NeedsEngine(const std::string& what) const;
  // Closes the database, making everything durable.
  sett::Status Close();

 private:
  SettfsStore() = default;

  static sett::Status OpenPostgres(const StoreConfig& config, std::unique_ptr<SettfsStore>* result);

  StoreConfig config_;
  std::unique_ptr<sett::DB> db_;
  std::unique_ptr<KvStore> kv_;
};

}  // namespace settfs

#endif  // SETTFS_TOOLS_SETTFS_STORE_H_
