// The YCSB core workloads (Cooper et al., "Benchmarking cloud serving systems with YCSB",
// SoCC 2010) for peer_bench: their operation mixes and key choosers.
//
//   A  50% read, 50% update             zipfian      (session store)
//   B  95% read,  5% update             zipfian      (photo tagging)
//   C  100% read                        zipfian      (profile cache)
//   D  95% read,  5% insert             latest       (status updates)
//   E  95% scan (1-100 records), 5% insert  zipfian  (threaded conversations)
//   F  50% read, 50% read-modify-write  zipfian      (user database)
//
// Zipfian picks follow Gray et al.'s generator ("Quickly generating billion-record synthetic
// databases", SIGMOD 1994) with the constant 0.99, scrambled over the key space by a hash so
// that the popular keys are not neighbours; latest picks the newest inserts most often.

#ifndef SETT_BENCH_ENGINE_YCSB_H_
#define SETT_BENCH_ENGINE_YCSB_H_

#include <cstdint>
#include <random>
#include <string>

namespace sett::bench {

// Integers in [0, items) with P(i) proportional to 1 / (i + 1)^theta. The item count may grow
// (inserts); the normalising sum grows with it, one term per new item.
class ZipfianGenerator {
 public:
  explicit ZipfianGenerator(uint64_t items, double theta = 0.99);
  uint64_t Next(std::mt19937_64* rng);
  void Grow(uint64_t items);
  uint64_t items() const { return items_; }

 private:
  void Recompute();

  double theta_;
  uint64_t items_ = 0;
  double zeta_n_ = 0;  // Sum of 1 / i^theta for i in [1, items].
  double zeta_2_;
  double alpha_, eta_, half_pow_theta_;
};

enum class YcsbOp { kRead, kUpdate, kInsert, kScan, kReadModifyWrite };

struct YcsbWorkload {
  char name;
  double read, update, insert, scan, read_modify_write;  // Fractions, summing to 1.
  bool latest;                                           // Pick the newest keys, not zipfian.
};

// The workload of a letter A-F; false for any other letter.
bool FindYcsbWorkload(char letter, YcsbWorkload* workload);

// Chooses each operation and its record as a workload says, over records [0, count) that
// inserts extend.
class YcsbChooser {
 public:
  YcsbChooser(const YcsbWorkload& workload, uint64_t records, uint64_t seed);
  YcsbOp NextOp();
  // The record an operation other than an insert works on.
  uint64_t NextRecord();
  // The number of a new record (the next one), counted from then on.
  uint64_t NextInsert();
  uint32_t NextScanLength() { return 1 + static_cast<uint32_t>(rng_() % 100); }

 private:
  const YcsbWorkload workload_;
  std::mt19937_64 rng_;
  uint64_t records_;
  ZipfianGenerator zipf_;
};

// The key of record i: a hash of i, so that records inserted in order land all over the key
// space (YCSB's hashed insert order), as 16 hex digits.
std::string YcsbKey(uint64_t record);

}  // namespace sett::bench

#endif  // SETT_BENCH_ENGINE_YCSB_H_
