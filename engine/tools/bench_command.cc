#include "bench_command.h"

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "open_db.h"
#include "sett/db.h"
#include "sett/logger.h"
#include "tools/common/format.h"
#include "tools/common/proc_io.h"
#include "tools/common/progress.h"
#include "tools/common/tool_random.h"
#include "xxhash.h"

namespace sett::tools {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::string dir;
  uint64_t keys = 1000000;
  uint64_t value_size = 100;
  uint64_t seed = 1;
  uint64_t batch = 1;
  bool sync = false;
  std::string compression = "snappy";
  double duration = 0;
  int threads = 1;
  uint64_t memtable_size = 0;
  int64_t value_threshold = -1;
  bool no_settle = false;
  bool txn = false;
  uint64_t index_cache_size = 0;
  uint64_t block_cache_size = 0;  // 0: the DB's default.
};

// A number that looks random but is the same for the same inputs.
uint64_t Scramble(uint64_t seed, uint64_t i) { return XXH3_64bits_withSeed(&i, sizeof(i), seed); }

std::string Hex16(uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, x);
  return std::string(buf, 16);
}

// Key i of a run: hex, in an order unrelated to i.
std::string BenchKey(uint64_t seed, uint64_t i) { return Hex16(Scramble(seed, i)); }

// A value of at least 8 bytes begins with a checksum of the key and the rest of the value, in
// the machine's byte order (bench read checks what bench write wrote on the same machine).
constexpr size_t kChecksumBytes = sizeof(uint64_t);

uint64_t ValueChecksum(std::string_view key, std::string_view rest) {
  return XXH3_64bits_withSeed(rest.data(), rest.size(), XXH3_64bits(key.data(), key.size()));
}

void MakeValue(uint64_t seed, uint64_t i, const std::string& key, size_t size, std::string* out) {
  out->resize(size);
  ToolRandom rnd(Scramble(seed ^ 0x5eed, i));
  size_t random_part = size / 2;  // Half random, half compressible.
  for (size_t p = 0; p < size; p++) {
    (*out)[p] = p < random_part ? static_cast<char>(rnd.Next()) : static_cast<char>('a' + p % 7);
  }
  if (size >= kChecksumBytes) {
    uint64_t sum = ValueChecksum(key, std::string_view(*out).substr(kChecksumBytes));
    std::memcpy(out->data(), &sum, kChecksumBytes);
  }
}

// Reports whether a value read back is the one `bench write` made for key.
bool ValueLooksRight(std::string_view key, std::string_view value) {
  if (value.size() < kChecksumBytes) return true;
  uint64_t stored;
  std::memcpy(&stored, value.data(), kChecksumBytes);
  return stored == ValueChecksum(key, value.substr(kChecksumBytes));
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The process's resident anonymous memory, as /proc/self/status says ("?" when unknown).
std::string AnonymousMemory() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) {
      size_t digits = line.find_first_of("0123456789");
      if (digits != std::string::npos) return HumanBytes(std::stoull(line.substr(digits)) << 10);
    }
  }
  return "?";
}

Options BenchOptions(const BenchArgs& args) {
  Options options;
  options.dir = args.dir;
  options.logger = StderrLogger(LogLevel::kWarning);
  if (args.memtable_size > 0) options.memtable_size = args.memtable_size;
  options.index_cache_size = args.index_cache_size;
  if (args.block_cache_size > 0) options.block_cache_size = args.block_cache_size;
  if (args.value_threshold >= 0) {
    options.value_threshold = static_cast<size_t>(args.value_threshold);
    options.value_threshold_tuned = false;
  }
  return options;
}

int RunWrite(const BenchArgs& args) {
  Options options = BenchOptions(args);
  if (!ParseCompression(args.compression, &options.compression)) {
    std::fprintf(stderr, "sett bench write: unknown compression '%s' (none, snappy or zstd)\n",
                 args.compression.c_str());
    return 2;
  }
  if (!ApplyKeyFile("bench write", &options)) return 2;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "sett bench write: cannot open %s: %s\n", args.dir.c_str(),
                 s.ToString().c_str());
    return 1;
  }
  WriteOptions wo;
  wo.sync = args.sync;
  ProcIo io_before = ProcIo::Now();
  auto start = Clock::now();
  Progress progress("writing", args.keys);
  WriteBatch batch;
  std::string value;
  for (uint64_t i = 0; i < args.keys && s.ok(); i++) {
    std::string key = BenchKey(args.seed, i);
    MakeValue(args.seed, i, key, args.value_size, &value);
    if (args.txn) {
      std::unique_ptr<Txn> txn = db->NewTransaction(true);
      s = txn->Set(key, value);
      if (s.ok()) s = txn->Commit(wo);
      progress.Update(i + 1);
      continue;
    }
    batch.Put(key, value);
    if (batch.Count() >= args.batch || i + 1 == args.keys) {
      s = db->Write(wo, batch);
      batch.Clear();
      progress.Update(i + 1);
    }
  }
  progress.Finish();
  double write_seconds = Seconds(start);
  if (!s.ok()) {
    std::fprintf(stderr, "sett bench write: %s\n", s.ToString().c_str());
    return 1;
  }
  // Settle: write out the memtable and pay the compaction debt the load left, so that the
  // tree is in the shape the DB wants and the cost of getting there is on record.
  auto settle_start = Clock::now();
  if (!args.no_settle) {
    s = db->Flush();
    if (s.ok()) s = db->Compact();
  }
  double settle_seconds = Seconds(settle_start);
  if (s.ok()) s = db->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "sett bench write: settle/close: %s\n", s.ToString().c_str());
    return 1;
  }
  ProcIo io_after = ProcIo::Now();
  double user_bytes = static_cast<double>(args.keys) * (16 + args.value_size);
  double disk_bytes = static_cast<double>(io_after.write_bytes - io_before.write_bytes);
  std::string mode = args.txn ? "a transaction per key" : "batch " + std::to_string(args.batch);
  std::printf("wrote %llu keys (16 B keys, %llu B values, %s, sync %s, %s) in %.2f s\n",
              static_cast<unsigned long long>(args.keys),
              static_cast<unsigned long long>(args.value_size), mode.c_str(),
              args.sync ? "on" : "off", args.compression.c_str(), write_seconds);
  std::printf("  %.0f ops/s, %.1f MB/s of keys and values\n", args.keys / write_seconds,
              user_bytes / write_seconds / 1e6);
  if (!args.no_settle) {
    std::printf(
        "  settle (flush + the compactions the tree wants) took %.2f s: %.0f ops/s overall\n",
        settle_seconds, args.keys / (write_seconds + settle_seconds));
  }
  std::printf("  disk writes %s (/proc/self/io write_bytes), %.2fx the data written\n",
              HumanBytes(static_cast<uint64_t>(disk_bytes)).c_str(), disk_bytes / user_bytes);
  return 0;
}

int RunRead(const BenchArgs& args) {
  Options options = BenchOptions(args);
  options.read_only = true;
  options.create_if_missing = false;
  if (!ApplyKeyFile("bench read", &options)) return 2;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "sett bench read: cannot open %s: %s\n", args.dir.c_str(),
                 s.ToString().c_str());
    return 1;
  }
  const bool timed = args.duration > 0;
  std::atomic<uint64_t> reads{0}, found{0}, missing{0}, bad{0}, errors{0}, bytes{0};
  std::atomic<bool> stop{false};
  std::string first_error;
  std::mutex error_mu;
  ProcIo io_before = ProcIo::Now();
  auto start = Clock::now();

  auto reader = [&](int t) {
    ToolRandom rnd(Scramble(args.seed ^ 0x1234, static_cast<uint64_t>(t)));
    std::string value;
    for (uint64_t n = t;; n += args.threads) {
      uint64_t i;
      if (timed) {
        if (stop.load(std::memory_order_relaxed)) break;
        i = rnd.Uniform(args.keys);
      } else {
        if (n >= args.keys) break;
        i = n;  // Every key once; key order is random already.
      }
      std::string key = BenchKey(args.seed, i);
      Status rs = db->Get(ReadOptions(), key, &value);
      reads.fetch_add(1, std::memory_order_relaxed);
      if (rs.ok()) {
        found.fetch_add(1, std::memory_order_relaxed);
        bytes.fetch_add(key.size() + value.size(), std::memory_order_relaxed);
        if (!ValueLooksRight(key, value)) bad.fetch_add(1, std::memory_order_relaxed);
      } else if (rs.IsNotFound()) {
        missing.fetch_add(1, std::memory_order_relaxed);
      } else {
        errors.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(error_mu);
        if (first_error.empty()) first_error = rs.ToString();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < args.threads; t++) threads.emplace_back(reader, t);
  {
    Progress progress("reading", timed ? 0 : args.keys);
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      progress.Update(reads.load());
      if (timed && Seconds(start) >= args.duration) stop = true;
      if (stop || (!timed && reads.load() >= args.keys)) break;
    }
  }
  for (auto& t : threads) t.join();
  double seconds = Seconds(start);
  ProcIo io_after = ProcIo::Now();
  std::string anon = AnonymousMemory();  // Before Close lets go of the tables.
  Status closed = db->Close();
  if (!closed.ok()) std::fprintf(stderr, "sett bench: closing: %s\n", closed.ToString().c_str());

  std::printf("read %llu keys (%d threads%s) in %.2f s\n",
              static_cast<unsigned long long>(reads.load()), args.threads,
              timed ? ", random keys" : ", every key once", seconds);
  std::printf("  %.0f ops/s, %.1f MB/s\n", reads.load() / seconds, bytes.load() / seconds / 1e6);
  std::printf("  found %llu, missing %llu, wrong value %llu, errors %llu\n",
              static_cast<unsigned long long>(found.load()),
              static_cast<unsigned long long>(missing.load()),
              static_cast<unsigned long long>(bad.load()),
              static_cast<unsigned long long>(errors.load()));
  std::printf("  disk reads %s (/proc/self/io read_bytes)\n",
              HumanBytes(io_after.read_bytes - io_before.read_bytes).c_str());
  std::printf("  anonymous memory %s (RssAnon: indexes, caches, not the mapped files)\n",
              anon.c_str());
  if (!first_error.empty()) std::printf("  first error: %s\n", first_error.c_str());
  return missing.load() == 0 && bad.load() == 0 && errors.load() == 0 ? 0 : 1;
}

}  // namespace

void AddBenchCommand(CLI::App* app, int* exit_code) {
  CLI::App* bench = app->add_subcommand("bench", "Synthetic load: write or read random keys");
  bench->require_subcommand(1);

  auto w = std::make_shared<BenchArgs>();
  CLI::App* write = bench->add_subcommand("write",
                                          "Write random keys (a second run with the "
                                          "same seed overwrites every key)");
  write->add_option("dir", w->dir, "Database directory (created when missing)")->required();
  write->add_option("--keys", w->keys, "Number of keys")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  write->add_option("--value-size", w->value_size, "Bytes per value")->capture_default_str();
  write->add_option("--seed", w->seed, "Seed of the key sequence")->capture_default_str();
  write->add_option("--batch", w->batch, "Keys per write batch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  write->add_flag("--sync", w->sync, "fsync every batch");
  write->add_option("--compression", w->compression, "none, snappy or zstd")->capture_default_str();
  write->add_option("--memtable-size", w->memtable_size,
                    "Memtable size in bytes (default: the DB's)");
  write->add_option("--value-threshold", w->value_threshold,
                    "Values of at least this many bytes go to the value log, pinned (default: "
                    "the DB's, tuned)");
  write->add_flag("--no-settle", w->no_settle,
                  "Skip the final flush and compaction (they then happen at the next open)");
  write->add_flag("--txn", w->txn, "Write each key in its own transaction (instead of batches)");
  write->callback([w, exit_code] { *exit_code = RunWrite(*w); });

  auto r = std::make_shared<BenchArgs>();
  CLI::App* read = bench->add_subcommand("read",
                                         "Read the keys `bench write` wrote and check "
                                         "their values");
  read->add_option("dir", r->dir, "Database directory")->required();
  read->add_option("--keys", r->keys, "Number of keys that were written")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  read->add_option("--seed", r->seed, "Seed the keys were written with")->capture_default_str();
  read->add_option("--duration", r->duration,
                   "Read random keys for this many seconds (default: read every key once)");
  read->add_option("--threads", r->threads, "Reader threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  read->add_option("--index-cache-size", r->index_cache_size,
                   "Budget for table indexes and filters in bytes (0: all in memory)")
      ->capture_default_str();
  read->add_option("--block-cache-size", r->block_cache_size,
                   "Block cache in bytes (default: the DB's)");
  read->callback([r, exit_code] { *exit_code = RunRead(*r); });
}

}  // namespace sett::tools
