// The LMDB backend (Debian's liblmdb): a B+tree in one memory-mapped file, one write
// transaction per write (or batch); MDB_NOSYNC when the run does not sync. It has no block
// cache or compression: the page cache is its cache.

#include <lmdb.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "kv_backend.h"

namespace sett::bench {
namespace {

std::string LmdbError(const char* what, int rc) {
  return std::string(what) + ": " + mdb_strerror(rc);
}

class LmdbBackend : public KvBackend {
 public:
  ~LmdbBackend() override { Close(); }

  std::string name() const override { return "lmdb"; }

  std::string Open(const std::string& dir, const BenchOptions& options) override {
    int rc = mdb_env_create(&env_);
    if (rc != 0) return LmdbError("mdb_env_create", rc);
    const size_t map_size = size_t{64} << 30;  // address space only; the file grows as needed
    mdb_env_set_mapsize(env_, map_size);
    unsigned flags = options.sync ? 0 : MDB_NOSYNC;
    rc = mdb_env_open(env_, dir.c_str(), flags, 0644);
    if (rc != 0) return LmdbError("mdb_env_open", rc);
    MDB_txn* txn;
    rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi_);
    if (rc == 0) rc = mdb_txn_commit(txn);
    if (rc != 0) return LmdbError("opening the database", rc);
    describe_ = std::string(options.sync ? "sync" : "MDB_NOSYNC") +
                " map_size=" + std::to_string(map_size) +
                " (no compression, no block cache: the page cache)";
    return "";
  }

  std::string Write(const std::vector<std::pair<std::string, std::string>>& pairs) override {
    MDB_txn* txn;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc != 0) return LmdbError("mdb_txn_begin", rc);
    for (const auto& [k, v] : pairs) {
      MDB_val key{k.size(), const_cast<char*>(k.data())};
      MDB_val val{v.size(), const_cast<char*>(v.data())};
      rc = mdb_put(txn, dbi_, &key, &val, 0);
      if (rc != 0) {
        mdb_txn_abort(txn);
        return LmdbError("mdb_put", rc);
      }
    }
    rc = mdb_txn_commit(txn);
    return rc == 0 ? "" : LmdbError("mdb_txn_commit", rc);
  }

  bool Get(const std::string& k, std::string* value) override {
    MDB_txn* txn = ReadTxn();
    MDB_val key{k.size(), const_cast<char*>(k.data())}, val;
    int rc = mdb_get(txn, dbi_, &key, &val);
    bool found = rc == 0;
    if (found) value->assign(static_cast<const char*>(val.mv_data), val.mv_size);
    mdb_txn_reset(txn);
    if (rc != 0 && rc != MDB_NOTFOUND) {
      std::fprintf(stderr, "lmdb get: %s\n", mdb_strerror(rc));
      std::abort();
    }
    return found;
  }

  uint64_t Scan(const std::string& start, uint64_t limit, uint64_t* bytes) override {
    MDB_txn* txn = ReadTxn();
    MDB_cursor* cursor;
    uint64_t n = 0;
    if (mdb_cursor_open(txn, dbi_, &cursor) == 0) {
      MDB_val key{start.size(), const_cast<char*>(start.data())}, val;
      MDB_cursor_op first = start.empty() ? MDB_FIRST : MDB_SET_RANGE;
      for (int rc = mdb_cursor_get(cursor, &key, &val, first); rc == 0 && n < limit;
           rc = mdb_cursor_get(cursor, &key, &val, MDB_NEXT)) {
        *bytes += key.mv_size + val.mv_size;
        n++;
      }
      mdb_cursor_close(cursor);
    }
    mdb_txn_reset(txn);
    return n;
  }

  std::string Flush() override {
    int rc = mdb_env_sync(env_, 1);
    return rc == 0 ? "" : LmdbError("mdb_env_sync", rc);
  }

  std::string Close() override {
    if (env_ == nullptr) return "";
    for (auto& [thread, txn] : readers_) mdb_txn_abort(txn);
    readers_.clear();
    int rc = mdb_env_sync(env_, 1);
    mdb_env_close(env_);
    env_ = nullptr;
    return rc == 0 ? "" : LmdbError("mdb_env_sync", rc);
  }

  std::string Describe() const override { return describe_; }

 private:
  // One reusable read transaction per thread (LMDB binds readers to threads).
  MDB_txn* ReadTxn() {
    thread_local MDB_txn* txn = nullptr;
    thread_local const LmdbBackend* owner = nullptr;
    if (txn == nullptr || owner != this) {
      mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
      owner = this;
      std::lock_guard<std::mutex> lock(mu_);
      readers_.emplace_back(std::this_thread::get_id(), txn);
    } else {
      mdb_txn_renew(txn);
    }
    return txn;
  }

  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::string describe_;
  std::mutex mu_;
  std::vector<std::pair<std::thread::id, MDB_txn*>> readers_;
};

}  // namespace

std::unique_ptr<KvBackend> NewLmdbBackend() { return std::make_unique<LmdbBackend>(); }

}  // namespace sett::bench
