// The RocksDB backend (Debian's librocksdb): leveled compaction, a bloom filter of 10 bits per
// key and an LRU block cache, as sett has; write buffer and cache from the shared options.

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "kv_backend.h"

namespace sett::bench {
namespace {

const std::map<std::string, rocksdb::CompressionType> kBlobCompression = {
    {"none", rocksdb::kNoCompression},
    {"snappy", rocksdb::kSnappyCompression},
    {"zstd", rocksdb::kZSTD},
};

class RocksDbBackend : public KvBackend {
 public:
  std::string name() const override { return "rocksdb"; }

  std::string Open(const std::string& dir, const BenchOptions& options) override {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = options.compression ? rocksdb::kSnappyCompression : rocksdb::kNoCompression;
    o.write_buffer_size = options.memtable_bytes;
    o.max_background_jobs = 2;  // as sett: one flusher, compactors on two cores
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(options.cache_bytes);
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    write_options_.sync = options.sync;
    std::string blobs = "off";
    if (!options.value_compression.empty()) {
      auto it = kBlobCompression.find(options.value_compression);
      if (it == kBlobCompression.end()) {
        return "unknown value compression " + options.value_compression;
      }
      o.enable_blob_files = true;
      o.min_blob_size = 1024;  // sett's value threshold
      o.blob_compression_type = it->second;
      o.enable_blob_garbage_collection = true;
      blobs = "min_blob_size=1024 blob_compression=" + options.value_compression;
    }
    describe_ = "sync=" + std::to_string(options.sync) + " blob_files=" + blobs +
                " compression=" + (options.compression ? "snappy" : "none") +
                " block_cache=" + std::to_string(options.cache_bytes) +
                " write_buffer=" + std::to_string(o.write_buffer_size) +
                " bloom=10 max_background_jobs=2";
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir, &db);
    db_.reset(db);
    return s.ok() ? "" : s.ToString();
  }

  std::string Write(const std::vector<std::pair<std::string, std::string>>& pairs) override {
    rocksdb::WriteBatch batch;
    for (const auto& [k, v] : pairs) batch.Put(k, v);
    rocksdb::Status s = db_->Write(write_options_, &batch);
    return s.ok() ? "" : s.ToString();
  }

  bool Get(const std::string& key, std::string* value) override {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) {
      std::fprintf(stderr, "rocksdb get: %s\n", s.ToString().c_str());
      std::abort();
    }
    return true;
  }

  uint64_t Scan(const std::string& start, uint64_t limit, uint64_t* bytes) override {
    uint64_t n = 0;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(start); it->Valid() && n < limit; it->Next()) {
      *bytes += it->key().size() + it->value().size();
      n++;
    }
    return n;
  }

  std::string Flush() override {
    rocksdb::FlushOptions options;
    options.wait = true;
    rocksdb::Status s = db_->Flush(options);
    return s.ok() ? "" : s.ToString();
  }

  std::string Close() override {
    rocksdb::Status s = db_->Close();
    db_.reset();
    return s.ok() ? "" : s.ToString();
  }

  std::string Describe() const override { return describe_; }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  std::string describe_;
};

}  // namespace

std::unique_ptr<KvBackend> NewRocksDbBackend() { return std::make_unique<RocksDbBackend>(); }

}  // namespace sett::bench
