// The sett backend: the public API only, as an application would use it.

#include <cstdio>
#include <cstdlib>

#include "kv_backend.h"
#include "sett/db.h"
#include "sett/iterator.h"
#include "sett/write_batch.h"

namespace sett::bench {
namespace {

class SettBackend : public KvBackend {
 public:
  std::string name() const override { return "sett"; }

  std::string Open(const std::string& dir, const BenchOptions& options) override {
    Options o;
    o.dir = dir;
    o.sync_writes = options.sync;
    o.compression = options.compression ? Compression::kSnappy : Compression::kNone;
    o.block_cache_size = options.cache_bytes;
    o.memtable_size = options.memtable_bytes;
    if (options.value_threshold >= 0) {
      o.value_threshold = static_cast<size_t>(options.value_threshold);
      o.value_threshold_tuned = false;
    }
    if (options.gc_interval >= 0) {
      o.value_log_gc_interval_seconds = static_cast<uint32_t>(options.gc_interval);
      o.value_log_gc_paced = false;
    }
    if (options.encryption) o.encryption_key = std::string(32, 'k');
    if (!options.value_compression.empty() &&
        !ParseCompression(options.value_compression, &o.value_compression)) {
      return "unknown value compression " + options.value_compression;
    }
    options_ = o;
    Status s = DB::Open(o, &db_);
    return s.ok() ? "" : s.ToString();
  }

  std::string Write(const std::vector<std::pair<std::string, std::string>>& pairs) override {
    Status s;
    if (pairs.size() == 1) {
      s = db_->Put(WriteOptions(), pairs[0].first, pairs[0].second);
    } else {
      WriteBatch batch;
      for (const auto& [k, v] : pairs) batch.Put(k, v);
      s = db_->Write(WriteOptions(), batch);
    }
    return s.ok() ? "" : s.ToString();
  }

  bool Get(const std::string& key, std::string* value) override {
    Status s = db_->Get(ReadOptions(), key, value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) {
      std::fprintf(stderr, "sett get: %s\n", s.ToString().c_str());
      std::abort();
    }
    return true;
  }

  uint64_t Scan(const std::string& start, uint64_t limit, uint64_t* bytes) override {
    uint64_t n = 0;
    auto it = db_->NewIterator(ReadOptions());
    for (it->Seek(start); it->Valid() && n < limit; it->Next()) {
      *bytes += it->key().size() + it->value().size();
      n++;
    }
    return n;
  }

  std::string Flush() override {
    Status s = db_->Flush();
    return s.ok() ? "" : s.ToString();
  }

  std::string Close() override {
    Status s = db_->Close();
    db_.reset();
    return s.ok() ? "" : s.ToString();
  }

  std::string Describe() const override {
    char buf[384];
    std::snprintf(buf, sizeof(buf),
                  "sync_writes=%d compression=%s block_cache=%zu memtable=%zu value_threshold=%zu "
                  "value_threshold_tuned=%d gc_interval=%u gc_paced=%d base_level_size=%llu "
                  "table_mmap=%d value_compression=%s encrypted=%d",
                  options_.sync_writes, CompressionName(options_.compression),
                  options_.block_cache_size, options_.memtable_size, options_.value_threshold,
                  options_.value_threshold_tuned, options_.value_log_gc_interval_seconds,
                  options_.value_log_gc_paced,
                  static_cast<unsigned long long>(options_.base_level_size), options_.table_mmap,
                  CompressionName(options_.value_compression), !options_.encryption_key.empty());
    return buf;
  }

 private:
  Options options_;
  std::unique_ptr<DB> db_;
};

}  // namespace

std::unique_ptr<KvBackend> NewSettBackend() { return std::make_unique<SettBackend>(); }

}  // namespace sett::bench
