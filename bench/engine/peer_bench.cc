// peer_bench: one workload against one engine, in one process, printing one JSON line of
// figures (and the options used) for bench reports. The same seeded key order and the same
// value bytes (half random, half repeated: about 2x compressible) for every engine.
//
//   peer_bench --backend rocksdb --workload fillrandom --num 1000000 --value-size 100 --dir D
//
// Keys are 16 hex digits of an index in [0, num); fills write them in order (fillseq) or in a
// seeded random order; reads pick indexes at random ([num, 2 num) for readmissing).
//
// --workload ycsb loads num records and runs the YCSB core workloads (ycsb.h; --ycsb picks
// which, in order), each for --duration seconds, one JSON line per phase. --workload hotkey
// overwrites --hot-keys keys from one thread, as fast as it can, while --readers threads read
// them, for --duration seconds.

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "kv_backend.h"
#include "tools/common/proc_io.h"
#include "ycsb.h"

namespace sett::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string backend = "sett";
  std::string workload = "fillrandom";
  std::string dir;
  uint64_t num = 1000000;
  uint32_t value_size = 100;
  uint32_t batch = 1;
  uint32_t writers = 1;  // Threads of a fill, each writing its share of the order.
  uint32_t readers = 1;
  double duration = 10;  // for read and mixed workloads
  uint64_t seed = 42;
  BenchOptions options;
  uint64_t cache_mb = 64;
  uint64_t memtable_mb = 32;
  bool no_compression = false;
  std::string ycsb = "ABCFDE";  // YCSB's own order: D and E insert, so they go last.
  uint64_t hot_keys = 1;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    struct stat st;
    std::string path = dir + "/" + e->d_name;
    if (e->d_name[0] != '.' && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      total += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  closedir(d);
  return total;
}

std::string Key(uint64_t index) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, index);
  return std::string(buf, 16);
}

// Values: a slice of a random buffer for the first half, a repeated byte for the rest.
class ValueSource {
 public:
  ValueSource(uint32_t size, uint64_t seed) : size_(size) {
    std::mt19937_64 rng(seed);
    random_.resize((1 << 20) + size);
    for (char& c : random_) c = static_cast<char>(rng());
  }
  void Fill(uint64_t index, std::string* value) const {
    size_t half = size_ / 2;
    size_t offset = (index * 7919) % (random_.size() - half);
    value->assign(random_.data() + offset, half);
    value->append(size_ - half, static_cast<char>('a' + index % 26));
  }

 private:
  uint32_t size_;
  std::string random_;
};

// Per-operation latencies in nanoseconds, merged across threads.
class Latencies {
 public:
  void Add(uint64_t ns) {
    samples_.push_back(static_cast<uint32_t>(std::min<uint64_t>(ns, UINT32_MAX)));
  }
  void Merge(const Latencies& o) {
    samples_.insert(samples_.end(), o.samples_.begin(), o.samples_.end());
  }
  double PercentileMicros(double p) {
    if (samples_.empty()) return 0;
    size_t i = std::min(samples_.size() - 1, static_cast<size_t>(p / 100.0 * samples_.size()));
    std::nth_element(samples_.begin(), samples_.begin() + i, samples_.end());
    return samples_[i] / 1000.0;
  }

 private:
  std::vector<uint32_t> samples_;
};

template <typename Fn>
uint64_t Timed(Latencies* lat, Fn&& fn) {
  auto start = Clock::now();
  fn();
  uint64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  lat->Add(ns);
  return ns;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "peer_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Result {
  uint64_t ops = 0;
  uint64_t reads = 0;  // hotkey: the readers' share of ops.
  uint64_t user_bytes_written = 0;
  uint64_t user_bytes_read = 0;
  double seconds = 0;
  uint64_t found = 0;
  Latencies latencies;
};

class Runner {
 public:
  Runner(const Args& args, KvBackend* db)
      : args_(args), db_(db), values_(args.value_size, args.seed) {}

  // Writes the value of `index` under key, timing the write into *latencies when given; exits
  // on error. Returns the bytes of key and value.
  size_t WriteOne(std::string key, uint64_t index, Latencies* latencies = nullptr) {
    thread_local std::vector<std::pair<std::string, std::string>> one(1);
    one[0].first = std::move(key);
    values_.Fill(index, &one[0].second);
    std::string error;
    if (latencies != nullptr) {
      Timed(latencies, [&] { error = db_->Write(one); });
    } else {
      error = db_->Write(one);
    }
    if (!error.empty()) Die("write: " + error);
    return one[0].first.size() + one[0].second.size();
  }

  Result Fill(bool random_order) {
    std::vector<uint64_t> order(args_.num);
    for (uint64_t i = 0; i < args_.num; i++) order[i] = i;
    if (random_order) {
      // Fisher-Yates on the raw draws (not std::shuffle, whose draws are the library's own),
      // so that the Go twin for Badger (badger/main.go) fills in the same order.
      std::mt19937_64 rng(args_.seed);
      for (uint64_t i = args_.num - 1; i > 0; i--) std::swap(order[i], order[rng() % (i + 1)]);
    }
    // Writer t takes batches t, t + writers, ... of the order.
    std::vector<Result> per_writer(args_.writers);
    auto start = Clock::now();
    std::vector<std::thread> writers;
    for (uint32_t t = 0; t < args_.writers; t++) {
      writers.emplace_back([&, t] { FillShare(order, t, &per_writer[t]); });
    }
    for (std::thread& w : writers) w.join();
    Result r;
    for (Result& w : per_writer) {
      r.ops += w.ops;
      r.user_bytes_written += w.user_bytes_written;
      r.latencies.Merge(w.latencies);
    }
    r.seconds = Seconds(start);
    return r;
  }

  void FillShare(const std::vector<uint64_t>& order, uint32_t writer, Result* r) {
    std::vector<std::pair<std::string, std::string>> batch;
    const uint64_t stride = uint64_t{args_.batch} * args_.writers;
    for (uint64_t i = uint64_t{writer} * args_.batch; i < args_.num; i += stride) {
      batch.resize(std::min<uint64_t>(args_.batch, args_.num - i));
      for (size_t j = 0; j < batch.size(); j++) {
        batch[j].first = Key(order[i + j]);
        values_.Fill(order[i + j], &batch[j].second);
        r->user_bytes_written += batch[j].first.size() + batch[j].second.size();
      }
      std::string error;
      Timed(&r->latencies, [&] { error = db_->Write(batch); });
      if (!error.empty()) Die("write: " + error);
      r->ops += batch.size();
    }
  }

  // Random reads for the duration by `threads` threads among the first `keys` keys (0: num);
  // missing reads look past the keys.
  Result Read(bool missing, uint32_t threads, const std::function<bool()>& stop_early = nullptr,
              uint64_t keys = 0) {
    if (keys == 0) keys = args_.num;
    std::atomic<bool> stop{false};
    std::vector<Result> per_thread(threads);
    auto start = Clock::now();
    std::vector<std::thread> workers;
    for (uint32_t t = 0; t < threads; t++) {
      workers.emplace_back([&, t] {
        std::mt19937_64 rng(args_.seed * 31 + t);
        std::string value, expected;
        Result& r = per_thread[t];
        while (!stop.load(std::memory_order_relaxed)) {
          uint64_t index = rng() % keys + (missing ? keys : 0);
          std::string key = Key(index);
          bool found = false;
          Timed(&r.latencies, [&] { found = db_->Get(key, &value); });
          if (found) {
            values_.Fill(index, &expected);
            if (value != expected) Die("wrong value for key " + key);
            r.found++;
            r.user_bytes_read += key.size() + value.size();
          }
          r.ops++;
        }
      });
    }
    while (Seconds(start) < args_.duration && !(stop_early && stop_early())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop = true;
    for (auto& w : workers) w.join();
    Result total;
    for (auto& r : per_thread) {
      total.ops += r.ops;
      total.found += r.found;
      total.user_bytes_read += r.user_bytes_read;
      total.latencies.Merge(r.latencies);
    }
    total.seconds = Seconds(start);
    return total;
  }

  Result Scan() {
    Result r;
    auto start = Clock::now();
    r.ops = db_->Scan("", UINT64_MAX, &r.user_bytes_read);
    r.found = r.ops;
    r.seconds = Seconds(start);
    return r;
  }

  // One writer overwriting random keys while the readers read; the readers' figures.
  Result ReadWhileWriting() {
    std::atomic<bool> stop{false};
    uint64_t writes = 0;
    std::thread writer([&] {
      std::mt19937_64 rng(args_.seed * 7);
      while (!stop) {
        uint64_t index = rng() % args_.num;
        WriteOne(Key(index), index);
        writes++;
      }
    });
    Result r = Read(false, args_.readers);
    stop = true;
    writer.join();
    writes_during_reads_ = writes;
    return r;
  }

  uint64_t writes_during_reads() const { return writes_during_reads_; }

  // YCSB's load phase: records [0, num) in record order (their keys are hashed).
  Result YcsbLoad() {
    Result r;
    auto start = Clock::now();
    for (uint64_t i = 0; i < args_.num; i++) {
      r.user_bytes_written += WriteOne(YcsbKey(i), i, &r.latencies);
      r.ops++;
    }
    r.seconds = Seconds(start);
    return r;
  }

  // One YCSB workload for the duration, over *records records (inserts add to them).
  Result YcsbRun(const YcsbWorkload& workload, uint64_t* records) {
    YcsbChooser chooser(workload, *records, args_.seed + workload.name);
    Result r;
    std::string value;
    auto write = [&](uint64_t record) {
      r.user_bytes_written += WriteOne(YcsbKey(record), record);
    };
    auto start = Clock::now();
    while (Seconds(start) < args_.duration) {
      YcsbOp op = chooser.NextOp();
      Timed(&r.latencies, [&] {
        if (op == YcsbOp::kInsert) {
          write(chooser.NextInsert());
        } else if (op == YcsbOp::kScan) {
          uint64_t record = chooser.NextRecord();
          r.found += db_->Scan(YcsbKey(record), chooser.NextScanLength(), &r.user_bytes_read);
        } else {
          uint64_t record = chooser.NextRecord();
          if (op != YcsbOp::kUpdate) {
            if (!db_->Get(YcsbKey(record), &value)) Die("missing record " + YcsbKey(record));
            r.found++;
            r.user_bytes_read += 16 + value.size();
          }
          if (op != YcsbOp::kRead) write(record);
        }
      });
      r.ops++;
    }
    r.seconds = Seconds(start);
    *records = chooser.NextInsert();  // One past the last record inserted.
    return r;
  }

  // One thread overwrites the hot keys (round robin at random) while readers read them.
  Result HotKeys() {
    for (uint64_t i = 0; i < args_.hot_keys; i++) {  // Every hot key exists before reads start.
      WriteOne(Key(i), i);
    }
    std::atomic<bool> stop{false};
    Result w;
    std::thread writer([&] {
      std::mt19937_64 rng(args_.seed * 13);
      while (!stop.load(std::memory_order_relaxed)) {
        uint64_t index = rng() % args_.hot_keys;
        w.user_bytes_written += WriteOne(Key(index), index, &w.latencies);
        w.ops++;
      }
    });
    Result r = Read(false, args_.readers, nullptr, args_.hot_keys);
    stop = true;
    writer.join();
    Result total = w;
    total.reads = r.ops;
    total.found = r.found;
    total.user_bytes_read = r.user_bytes_read;
    total.ops = w.ops + r.ops;
    total.seconds = r.seconds;
    return total;
  }

 private:
  static double Seconds(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  const Args& args_;
  KvBackend* db_;
  ValueSource values_;
  uint64_t writes_during_reads_ = 0;
};

std::unique_ptr<KvBackend> MakeBackend(const std::string& name) {
  if (name == "sett") return NewSettBackend();
  if (name == "rocksdb") return NewRocksDbBackend();
  if (name == "leveldb") return NewLevelDbBackend();
  if (name == "lmdb") return NewLmdbBackend();
  Die("unknown backend '" + name + "' (sett, rocksdb, leveldb, lmdb)");
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One phase's figures as a JSON line. The disk figures cover [io_start, io_end]; close_seconds
// and writes_during_reads are 0 where they do not apply.
void Emit(const Args& args, const std::string& workload, Result& r, double open_seconds,
          double close_seconds, const tools::ProcIo& io_start, const tools::ProcIo& io_end,
          uint64_t writes_during_reads, const KvBackend& db) {
  uint64_t live = args.num * (16 + static_cast<uint64_t>(args.value_size));
  uint64_t dir_bytes = DirBytes(args.dir);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  uint64_t user_bytes = r.user_bytes_written + r.user_bytes_read;
  uint64_t written = io_end.write_bytes - io_start.write_bytes;
  uint64_t wchar = io_end.wchar - io_start.wchar;
  double seconds = std::max(r.seconds, 1e-9);
  std::printf(
      "{\"backend\":%s,\"workload\":%s,\"num\":%" PRIu64
      ",\"value_size\":%u,\"batch\":%u,\"writers\":%u,"
      "\"readers\":%u,\"cache_mb\":%" PRIu64 ",\"sync\":%d,\"ops\":%" PRIu64 ",\"found\":%" PRIu64
      ",\"seconds\":%.3f,\"ops_per_sec\":%.0f,\"reads_per_sec\":%.0f,\"writes_per_sec\":%.0f,"
      "\"mb_per_sec\":%.2f,\"p50_us\":%.2f,"
      "\"p99_us\":%.2f,\"p999_us\":%.2f,\"open_seconds\":%.3f,\"close_seconds\":%.3f,"
      "\"disk_read_bytes\":%" PRIu64 ",\"disk_write_bytes\":%" PRIu64 ",\"wchar\":%" PRIu64
      ",\"write_amp\":%.2f,\"wchar_amp\":%.2f,\"dir_bytes\":%" PRIu64
      ",\"space_amp\":%.2f,\"peak_rss_mb\":%.1f,\"writes_during_reads\":%" PRIu64
      ",\"hot_keys\":%" PRIu64 ",\"options\":%s}\n",
      JsonString(args.backend).c_str(), JsonString(workload).c_str(), args.num, args.value_size,
      args.batch, args.writers, args.readers, args.cache_mb, args.options.sync, r.ops, r.found,
      r.seconds, r.ops / seconds, r.reads / seconds, (r.ops - r.reads) / seconds,
      user_bytes / seconds / 1e6, r.latencies.PercentileMicros(50),
      r.latencies.PercentileMicros(99), r.latencies.PercentileMicros(99.9), open_seconds,
      close_seconds, io_end.read_bytes - io_start.read_bytes, written, wchar,
      r.user_bytes_written ? double(written) / r.user_bytes_written : 0.0,
      r.user_bytes_written ? double(wchar) / r.user_bytes_written : 0.0, dir_bytes,
      double(dir_bytes) / live, usage.ru_maxrss / 1024.0, writes_during_reads, args.hot_keys,
      JsonString(db.Describe()).c_str());
  std::fflush(stdout);
}

// The YCSB phases: the load, then each workload on the same data, a line each.
void RunYcsb(const Args& args, Runner* runner, KvBackend* db, double open_seconds) {
  tools::ProcIo io = tools::ProcIo::Now();
  Result load = runner->YcsbLoad();
  std::string error = db->Flush();  // As the fills: every engine's load reaches its tables.
  if (!error.empty()) Die("flush: " + error);
  tools::ProcIo now = tools::ProcIo::Now();
  Emit(args, "ycsb-load", load, open_seconds, 0, io, now, 0, *db);
  uint64_t records = args.num;
  for (char letter : args.ycsb) {
    YcsbWorkload workload;
    if (!FindYcsbWorkload(letter, &workload)) Die(std::string("no YCSB workload ") + letter);
    io = tools::ProcIo::Now();
    Result r = runner->YcsbRun(workload, &records);
    Emit(args, std::string("ycsb-") + letter, r, 0, 0, io, tools::ProcIo::Now(), 0, *db);
  }
}

int Run(Args args) {
  args.options.cache_bytes = args.cache_mb << 20;
  args.options.memtable_bytes = args.memtable_mb << 20;
  args.options.compression = !args.no_compression;
  const std::string& w = args.workload;
  bool fill = w == "fillseq" || w == "fillrandom" || w == "overwrite" || w == "fillsync";
  if (w == "fillsync") args.options.sync = true;
  if (!fill && w != "readrandom" && w != "readmissing" && w != "readseq" &&
      w != "readwhilewriting" && w != "ycsb" && w != "hotkey") {
    Die("unknown workload '" + w + "'");
  }
  ::mkdir(args.dir.c_str(), 0755);
  std::unique_ptr<KvBackend> db = MakeBackend(args.backend);
  tools::ProcIo io_start = tools::ProcIo::Now();
  auto open_start = Clock::now();
  std::string error = db->Open(args.dir, args.options);
  if (!error.empty()) Die("open " + args.dir + ": " + error);
  double open_seconds = std::chrono::duration<double>(Clock::now() - open_start).count();

  Runner runner(args, db.get());
  if (w == "ycsb") {
    RunYcsb(args, &runner, db.get(), open_seconds);
    error = db->Close();
    if (!error.empty()) Die("close: " + error);
    return 0;
  }
  Result r;
  if (fill) {
    r = runner.Fill(w != "fillseq");
  } else if (w == "readrandom" || w == "readmissing") {
    r = runner.Read(w == "readmissing", args.readers);
  } else if (w == "readseq") {
    r = runner.Scan();
  } else if (w == "hotkey") {
    r = runner.HotKeys();
  } else {
    r = runner.ReadWhileWriting();
  }
  tools::ProcIo io_run = tools::ProcIo::Now();
  auto close_start = Clock::now();
  if (fill) error = db->Flush();  // every engine's write buffer reaches its tables
  if (error.empty()) error = db->Close();
  if (!error.empty()) Die("close: " + error);
  double close_seconds = std::chrono::duration<double>(Clock::now() - close_start).count();
  tools::ProcIo io_end = tools::ProcIo::Now();
  // Disk reads are counted over the run only; writes include the close (flushes).
  io_end.read_bytes = io_run.read_bytes;
  Emit(args, w, r, open_seconds, close_seconds, io_start, io_end, runner.writes_during_reads(),
       *db);
  return 0;
}

}  // namespace
}  // namespace sett::bench

int main(int argc, char** argv) {
  sett::bench::Args args;
  CLI::App app{"peer_bench: one workload against one key-value engine; prints a JSON line"};
  app.add_option("--backend", args.backend, "sett, rocksdb, leveldb or lmdb")
      ->capture_default_str();
  app.add_option("--workload", args.workload,
                 "fillseq, fillrandom, overwrite, fillsync, readrandom, readmissing, readseq, "
                 "readwhilewriting, ycsb, hotkey")
      ->capture_default_str();
  app.add_option("--dir", args.dir, "Database directory")->required();
  app.add_option("--num", args.num, "Keys")->capture_default_str();
  app.add_option("--value-size", args.value_size, "Bytes per value")->capture_default_str();
  app.add_option("--batch", args.batch, "Keys per write (fills)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--writers", args.writers, "Writer threads of a fill")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--readers", args.readers, "Reader threads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--duration", args.duration, "Seconds of reading")->capture_default_str();
  app.add_option("--seed", args.seed, "Key order and value bytes")->capture_default_str();
  app.add_option("--cache-mb", args.cache_mb, "Block cache")->capture_default_str();
  app.add_option("--memtable-mb", args.memtable_mb, "Write buffer")->capture_default_str();
  app.add_flag("--sync", args.options.sync, "fsync every write");
  app.add_option("--value-threshold", args.options.value_threshold,
                 "sett: pin the value threshold at this many bytes (default: tuned)");
  app.add_option("--gc-interval", args.options.gc_interval,
                 "sett: value-log GC rounds every this many seconds only (default: paced)");
  app.add_flag("--no-compression", args.no_compression, "Store blocks uncompressed");
  app.add_option("--value-compression", args.options.value_compression,
                 "none, snappy or zstd: sett's value-log compression; RocksDB's integrated "
                 "BlobDB with this blob compression (default: neither)")
      ->check(CLI::IsMember({"none", "snappy", "zstd"}));
  app.add_flag("--encryption", args.options.encryption,
               "sett: encryption at rest (AES-256-GCM, a fixed key)");
  app.add_option("--ycsb", args.ycsb, "YCSB workloads to run after the load, in order (A-F)")
      ->capture_default_str();
  app.add_option("--hot-keys", args.hot_keys, "hotkey: how many keys are overwritten")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  return sett::bench::Run(args);
}
