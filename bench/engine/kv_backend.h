// KvBackend is the narrow surface the engine benchmark drives: open a directory with the
// shared options, write (one key or a batch), read one key, scan a range, close. One
// implementation per engine (sett, RocksDB, LevelDB, LMDB), each mapping the shared options
// onto its own as closely as it allows and describing what it used.

#ifndef SETT_BENCH_ENGINE_KV_BACKEND_H_
#define SETT_BENCH_ENGINE_KV_BACKEND_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sett::bench {

// Options every backend gets, mapped onto its own.
struct BenchOptions {
  bool sync = false;                   // fsync every write before it returns
  bool compression = true;             // snappy where the engine offers it
  uint64_t cache_bytes = 64 << 20;     // block cache (LMDB: none, it uses the page cache)
  uint64_t memtable_bytes = 32 << 20;  // write buffer
  int64_t value_threshold = -1;        // sett only: pin the value threshold here (-1: tuned)
  int64_t gc_interval = -1;            // sett only: GC rounds every this many s, unpaced
  // Separated large values compressed with this codec ("" leaves each engine as it is): sett's
  // value_compression, RocksDB's integrated BlobDB (values of 1 KiB and more in blob files,
  // blob_compression_type, blob GC on). LevelDB and LMDB have no such feature.
  std::string value_compression;
  bool encryption = false;  // sett only: encryption at rest (a fixed 32-byte key)
};

class KvBackend {
 public:
  virtual ~KvBackend() = default;
  virtual std::string name() const = 0;
  // Opens (creating) the database in dir. Returns "" or the reason it failed.
  virtual std::string Open(const std::string& dir, const BenchOptions& options) = 0;
  // Writes the pairs atomically (a batch of one for single puts). "" or the reason.
  virtual std::string Write(const std::vector<std::pair<std::string, std::string>>& pairs) = 0;
  // Reads key into *value; false when absent. Aborts the run on an engine error.
  virtual bool Get(const std::string& key, std::string* value) = 0;
  // Visits up to limit pairs in key order from the first key >= start; returns how many it
  // saw and adds their bytes to *bytes.
  virtual uint64_t Scan(const std::string& start, uint64_t limit, uint64_t* bytes) = 0;
  // Writes what is still only in the write buffer out to tables (so that fills are compared on
  // the same work; RocksDB and LevelDB otherwise leave it in their logs at close). "" or why.
  virtual std::string Flush() = 0;
  // Flushes and closes. "" or the reason.
  virtual std::string Close() = 0;
  // The engine's own option values that matter for the comparison, one line.
  virtual std::string Describe() const = 0;
};

std::unique_ptr<KvBackend> NewSettBackend();
std::unique_ptr<KvBackend> NewRocksDbBackend();
std::unique_ptr<KvBackend> NewLevelDbBackend();
std::unique_ptr<KvBackend> NewLmdbBackend();

}  // namespace sett::bench

#endif  // SETT_BENCH_ENGINE_KV_BACKEND_H_
