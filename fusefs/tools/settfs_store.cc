#include "settfs_store.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "core/filesystem.h"
#include "core/keys.h"
#include "core/pg_kv_store.h"
#include "tools/common/key_file.h"

namespace settfs {
namespace {

using sett::Status;

bool HoldsDatabase(const std::string& dir) {
  struct stat st;
  return ::stat((dir + "/MANIFEST").c_str(), &st) == 0;
}

sett::Options EngineOptions(const StoreConfig& config, sett::Compression compression) {
  sett::Options options;
  options.dir = config.dir;
  options.read_only = config.read_only;
  options.create_if_missing = config.create;
  // The filesystem's compression packs both the tables and the file data in the value log.
  options.compression = compression;
  options.value_compression = compression;
  options.logger = config.logger;
  options.encryption_key = config.encryption_key;
  // Data blocks (4 KiB by default) go to the value log; inodes, entries and the short tail
  // blocks of small files stay in the tree. The engine's default threshold is below a block.
  // Only a mount collects in the background (fsck and stat want the database as it is).
  options.value_log_gc_interval_seconds = config.read_only ? 0 : config.gc_interval_seconds;
  options.value_log_gc_quiet_seconds = config.gc_quiet_seconds;
  return options;
}

Status OpenWaiting(const StoreConfig& config, const sett::Options& options,
                   std::unique_ptr<sett::DB>* db) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config.lock_wait_seconds);
  while (true) {
    Status s = sett::DB::Open(options, db);
    if (!s.IsBusy() || std::chrono::steady_clock::now() >= deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

bool SettfsStore::IsPostgres(const std::string& where) { return PgKvStore::IsUri(where); }

bool SettfsStore::IsFresh(const std::string& dir) {
  if (IsPostgres(dir)) return true;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno == ENOENT;
  bool empty = true;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

Status SettfsStore::OpenPostgres(const StoreConfig& config, std::unique_ptr<SettfsStore>* result) {
  if (!config.needs_engine.empty()) {
    return Status::NotSupported(
        config.needs_engine + " is not supported on a PostgreSQL store: it needs a sett database");
  }
  if (!config.encryption_key.empty() || !sett::tools::KeyFilePath().empty()) {
    return Status::NotSupported(
        "encryption is not supported on a PostgreSQL store (the server's own encryption of its "
        "disk and connections applies)");
  }
  std::unique_ptr<SettfsStore> store(new SettfsStore);
  store->config_ = config;
  if (store->config_.logger == nullptr) store->config_.logger = sett::StderrLogger();
  std::unique_ptr<PgKvStore> pg;
  Status s = PgKvStore::Open(config.dir, &pg);
  if (!s.ok()) return s;
  store->kv_ = std::move(pg);
  *result = std::move(store);
  return Status::OK();
}

Status SettfsStore::NeedsEngine(const std::string& what) const {
  if (db_ != nullptr) return Status::OK();
  return Status::NotSupported(what + " is not supported on a PostgreSQL store (" + config_.dir +
                              "): it needs a sett database");
}

Status SettfsStore::Open(const StoreConfig& config, std::unique_ptr<SettfsStore>* result) {
  if (IsPostgres(config.dir)) return OpenPostgres(config, result);
  if (!HoldsDatabase(config.dir)) {
    if (!IsFresh(config.dir)) {
      struct stat st;
      if (::stat(config.dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
        return Status::InvalidArgument(config.dir + " is not a directory");
      }
      return Status::InvalidArgument(config.dir +
                                     " holds files but no sett database: settfs will not write "
                                     "into it (choose an empty or new directory)");
    }
    if (!config.create || config.read_only) {
      return Status::NotFound(config.dir + " holds no settfs filesystem (settfs mkfs makes one)");
    }
  }
  std::unique_ptr<SettfsStore> store(new SettfsStore);
  store->config_ = config;
  if (store->config_.logger == nullptr) store->config_.logger = sett::StderrLogger();
  const std::string& key_file = sett::tools::KeyFilePath();
  if (store->config_.encryption_key.empty() && !key_file.empty()) {
    std::string error;
    if (!sett::tools::ReadKeyFile(key_file, &store->config_.encryption_key, &error)) {
      return Status::InvalidArgument(error);
    }
  }
  sett::Options options = EngineOptions(store->config_, sett::Options().compression);
  Status s = OpenWaiting(config, options, &store->db_);
  if (s.IsBusy()) {
    return Status::Busy(config.dir + " is in use (is it mounted?): " + s.ToString());
  }
  if (!s.ok()) return s;
  store->kv_ = std::make_unique<SettKvStore>(store->db_.get(), config.dir);
  Superblock sb;
  bool present = false;
  s = store->ReadSuperblock(&sb, &present);
  if (!s.ok()) return s;
  auto compression = static_cast<sett::Compression>(sb.compression);
  if (present && compression != options.compression) {
    // Tables and data are written with the filesystem's compression: open again with it.
    store->kv_.reset();
    s = store->db_->Close();
    store->db_.reset();
    if (s.ok()) {
      s = OpenWaiting(store->config_, EngineOptions(store->config_, compression), &store->db_);
    }
    if (!s.ok()) return s;
    store->kv_ = std::make_unique<SettKvStore>(store->db_.get(), config.dir);
  }
  *result = std::move(store);
  return Status::OK();
}

// Callers that care about the outcome call Close themselves.
SettfsStore::~SettfsStore() { Close().IgnoreError(); }

Status SettfsStore::ReadSuperblock(Superblock* sb, bool* present) {
  std::string value;
  Status s = kv_->Begin(false)->Get(kSuperblockKey, &value);
  *present = s.ok();
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  if (!DecodeSuperblock(value, sb)) {
    return Status::Corruption("the superblock in " + config_.dir +
                              " is damaged or of another format version");
  }
  return Status::OK();
}

Status SettfsStore::Format(uint32_t block_size, sett::Compression compression, uint32_t owner_uid,
                           uint32_t owner_gid) {
  Superblock sb;
  sb.block_size = block_size;
  // On PostgreSQL the server compresses large values itself (TOAST).
  sb.compression = static_cast<uint8_t>(db_ != nullptr ? compression : sett::Compression::kNone);
  std::random_device random;
  for (int i = 0; i < 16; i++) sb.uuid.push_back(static_cast<char>(random()));
  sb.created = Now();
  if (!DecodeSuperblock(EncodeSuperblock(sb), &sb)) {
    return Status::InvalidArgument("block size " + std::to_string(block_size) +
                                   " is not a power of two from 512 to 1048576");
  }
  int err = Filesystem::Format(kv_.get(), sb, Caller(owner_uid, owner_gid), logger());
  if (err == EEXIST) return Status::InvalidArgument(config_.dir + " already holds a filesystem");
  if (err != 0) return Status::IOError("making the filesystem: " + std::string(strerror(err)), err);
  return Status::OK();
}

Status SettfsStore::Close() {
  kv_.reset();
  if (db_ == nullptr) return Status::OK();
  Status s = db_->Close();
  db_.reset();
  return s;
}

}  // namespace settfs
