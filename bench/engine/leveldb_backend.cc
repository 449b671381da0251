// The LevelDB backend (Debian's libleveldb): a bloom filter of 10 bits per key and an LRU block
// cache, as sett has; write buffer and cache from the shared options.

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <cstdio>
#include <cstdlib>

#include "kv_backend.h"

namespace sett::bench {
namespace {

class LevelDbBackend : public KvBackend {
 public:
  ~LevelDbBackend() override {
    db_.reset();
    delete options_.block_cache;
    delete options_.filter_policy;
  }

  std::string name() const override { return "leveldb"; }

  std::string Open(const std::string& dir, const BenchOptions& options) override {
    options_.create_if_missing = true;
    options_.compression =
        options.compression ? leveldb::kSnappyCompression : leveldb::kNoCompression;
    options_.write_buffer_size = options.memtable_bytes;
    options_.block_cache = leveldb::NewLRUCache(options.cache_bytes);
    options_.filter_policy = leveldb::NewBloomFilterPolicy(10);
    options_.max_file_size = 4 << 20;  // sett's base table size
    write_options_.sync = options.sync;
    describe_ = "sync=" + std::to_string(options.sync) +
                " compression=" + (options.compression ? "snappy" : "none") +
                " block_cache=" + std::to_string(options.cache_bytes) +
                " write_buffer=" + std::to_string(options_.write_buffer_size) +
                " bloom=10 max_file_size=" + std::to_string(options_.max_file_size);
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options_, dir, &db);
    db_.reset(db);
    return s.ok() ? "" : s.ToString();
  }

  std::string Write(const std::vector<std::pair<std::string, std::string>>& pairs) override {
    leveldb::WriteBatch batch;
    for (const auto& [k, v] : pairs) batch.Put(k, v);
    leveldb::Status s = db_->Write(write_options_, &batch);
    return s.ok() ? "" : s.ToString();
  }

  bool Get(const std::string& key, std::string* value) override {
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), key, value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) {
      std::fprintf(stderr, "leveldb get: %s\n", s.ToString().c_str());
      std::abort();
    }
    return true;
  }

  uint64_t Scan(const std::string& start, uint64_t limit, uint64_t* bytes) override {
    uint64_t n = 0;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(start); it->Valid() && n < limit; it->Next()) {
      *bytes += it->key().size() + it->value().size();
      n++;
    }
    return n;
  }

  // LevelDB has no public flush; compacting the empty key range "" .. "" makes it write its
  // memtable out (CompactRange flushes the memtable first) without touching the levels.
  std::string Flush() override {
    leveldb::Slice empty("");
    db_->CompactRange(&empty, &empty);
    return "";
  }

  std::string Close() override {
    db_.reset();  // LevelDB closes in its destructor
    return "";
  }

  std::string Describe() const override { return describe_; }

 private:
  leveldb::Options options_;
  leveldb::WriteOptions write_options_;
  std::unique_ptr<leveldb::DB> db_;
  std::string describe_;
};

}  // namespace

std::unique_ptr<KvBackend> NewLevelDbBackend() { return std::make_unique<LevelDbBackend>(); }

}  // namespace sett::bench
