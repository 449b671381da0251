// merge_bench: counters kept by merge operands, in sett and in RocksDB (both with an add-uint64
// associative merge), one thread: --num merges spread over --keys hot keys at random, with a
// read of a random counter after every --read-every merges. Prints one JSON line per window of
// a tenth of the run (merges/s and reads/s in it), so that the cost per operation at the end
// shows against the start, then the bytes on disk.

#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "CLI/CLI.hpp"
#include "sett/db.h"

namespace {

using Clock = std::chrono::steady_clock;

class AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    uint64_t sum = existing != nullptr ? sett::DecodeUint64Value(existing->ToString()) : 0;
    *new_value = sett::EncodeUint64Operand(sum + sett::DecodeUint64Value(value.ToString()));
    return true;
  }
  const char* Name() const override { return "AddUint64"; }
};

uint64_t BytesUnder(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

struct Counters {
  virtual ~Counters() = default;
  virtual void Add(const std::string& key) = 0;
  virtual uint64_t Read(const std::string& key) = 0;
};

struct SettCounters : Counters {
  explicit SettCounters(const std::string& dir) {
    sett::Options options;
    options.dir = dir;
    options.merge_function = sett::AddUint64Merge();
    Check(sett::DB::Open(options, &db));
  }
  static void Check(const sett::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "sett: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  void Add(const std::string& key) override {
    sett::WriteBatch batch;
    batch.Merge(key, one);
    Check(db->Write(sett::WriteOptions(), batch));
  }
  uint64_t Read(const std::string& key) override {
    std::string value;
    sett::Status s = db->Get(sett::ReadOptions(), key, &value);
    if (s.IsNotFound()) return 0;
    Check(s);
    return sett::DecodeUint64Value(value);
  }
  std::unique_ptr<sett::DB> db;
  const std::string one = sett::EncodeUint64Operand(1);
};

struct RocksCounters : Counters {
  explicit RocksCounters(const std::string& dir) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.merge_operator = std::make_shared<AddOperator>();
    // Like sett's Options::max_successive_merges (RocksDB's default, 0, lets reads of a hot
    // counter fold every operand since the last flush: 50x slower over this run).
    options.max_successive_merges = 16;
    rocksdb::DB* raw = nullptr;
    Check(rocksdb::DB::Open(options, dir, &raw));
    db.reset(raw);
  }
  static void Check(const rocksdb::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "rocksdb: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  void Add(const std::string& key) override { Check(db->Merge(rocksdb::WriteOptions(), key, one)); }
  uint64_t Read(const std::string& key) override {
    std::string value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return 0;
    Check(s);
    return sett::DecodeUint64Value(value);
  }
  std::unique_ptr<rocksdb::DB> db;
  const std::string one = sett::EncodeUint64Operand(1);
};

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "sett", dir;
  uint64_t num = 2000000, keys = 100, read_every = 10;
  CLI::App app{"merge_bench: counters kept by merges (sett or rocksdb); JSON lines"};
  app.add_option("--backend", backend, "sett or rocksdb")->capture_default_str();
  app.add_option("--dir", dir, "Database directory (created)")->required();
  app.add_option("--num", num, "Merges")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--keys", keys, "Counters")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--read-every", read_every, "Merges per read")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  std::unique_ptr<Counters> counters;
  if (backend == "sett") {
    counters = std::make_unique<SettCounters>(dir);
  } else if (backend == "rocksdb") {
    counters = std::make_unique<RocksCounters>(dir);
  } else {
    std::fprintf(stderr, "unknown backend '%s'\n", backend.c_str());
    return 2;
  }
  std::mt19937_64 rng(42);
  std::vector<std::string> names;
  for (uint64_t k = 0; k < keys; k++) names.push_back("counter/" + std::to_string(k));
  const uint64_t window = std::max<uint64_t>(num / 10, 1);
  uint64_t reads = 0, checksum = 0;
  auto start = Clock::now();
  for (uint64_t i = 1; i <= num; i++) {
    counters->Add(names[rng() % keys]);
    if (i % read_every == 0) {
      checksum += counters->Read(names[rng() % keys]);
      reads++;
    }
    if (i % window == 0) {
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      std::printf(
          "{\"backend\":\"%s\",\"merges_done\":%llu,\"merges_per_s\":%.0f,\"reads_per_s\":%.0f}\n",
          backend.c_str(), (unsigned long long)i, window / seconds, reads / seconds);
      std::fflush(stdout);
      reads = 0;
      start = Clock::now();
    }
  }
  uint64_t total = 0;
  for (const std::string& name : names) total += counters->Read(name);
  counters.reset();
  std::printf("{\"backend\":\"%s\",\"total\":%llu,\"expected\":%llu,\"disk_bytes\":%llu}\n",
              backend.c_str(), (unsigned long long)total, (unsigned long long)num,
              (unsigned long long)BytesUnder(dir));
  return total == num ? 0 : 1;
}
