#include "ycsb.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace sett::bench {
namespace {

// FNV-1a over the eight bytes of v: spreads neighbouring numbers over the whole range.
uint64_t Fnv64(uint64_t v) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int i = 0; i < 8; i++) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 0x100000001b3ULL;
  }
  return h;
}

double Uniform01(std::mt19937_64* rng) { return ((*rng)() >> 11) * (1.0 / 9007199254740992.0); }

}  // namespace

ZipfianGenerator::ZipfianGenerator(uint64_t items, double theta)
    : theta_(theta), zeta_2_(1.0 + std::pow(0.5, theta)) {
  alpha_ = 1.0 / (1.0 - theta_);
  half_pow_theta_ = std::pow(0.5, theta_);
  Grow(items);
}

void ZipfianGenerator::Grow(uint64_t items) {
  for (uint64_t i = items_ + 1; i <= items; i++) zeta_n_ += 1.0 / std::pow(double(i), theta_);
  items_ = std::max(items_, items);
  Recompute();
}

void ZipfianGenerator::Recompute() {
  double n = static_cast<double>(items_);
  eta_ = (1.0 - std::pow(2.0 / n, 1.0 - theta_)) / (1.0 - zeta_2_ / zeta_n_);
}

uint64_t ZipfianGenerator::Next(std::mt19937_64* rng) {
  double u = Uniform01(rng);
  double uz = u * zeta_n_;
  if (uz < 1.0) return 0;
  if (uz < 1.0 + half_pow_theta_) return 1;
  auto i =
      static_cast<uint64_t>(static_cast<double>(items_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
  return std::min(i, items_ - 1);
}

bool FindYcsbWorkload(char letter, YcsbWorkload* workload) {
  static const YcsbWorkload kWorkloads[] = {
      {'A', 0.50, 0.50, 0, 0, 0, false}, {'B', 0.95, 0.05, 0, 0, 0, false},
      {'C', 1.00, 0, 0, 0, 0, false},    {'D', 0.95, 0, 0.05, 0, 0, true},
      {'E', 0, 0, 0.05, 0.95, 0, false}, {'F', 0.50, 0, 0, 0, 0.50, false},
  };
  for (const YcsbWorkload& w : kWorkloads) {
    if (w.name == letter) {
      *workload = w;
      return true;
    }
  }
  return false;
}

YcsbChooser::YcsbChooser(const YcsbWorkload& workload, uint64_t records, uint64_t seed)
    : workload_(workload), rng_(seed), records_(records), zipf_(records) {}

YcsbOp YcsbChooser::NextOp() {
  double x = Uniform01(&rng_);
  if ((x -= workload_.read) < 0) return YcsbOp::kRead;
  if ((x -= workload_.update) < 0) return YcsbOp::kUpdate;
  if ((x -= workload_.insert) < 0) return YcsbOp::kInsert;
  if ((x -= workload_.scan) < 0) return YcsbOp::kScan;
  return YcsbOp::kReadModifyWrite;
}

uint64_t YcsbChooser::NextRecord() {
  if (zipf_.items() < records_) zipf_.Grow(records_);
  uint64_t z = zipf_.Next(&rng_);
  // Latest: the newest record is the most popular. Zipfian: popular records spread by a hash.
  return workload_.latest ? records_ - 1 - z : Fnv64(z) % records_;
}

uint64_t YcsbChooser::NextInsert() { return records_++; }

std::string YcsbKey(uint64_t record) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, Fnv64(record));
  return std::string(buf, 16);
}

}  // namespace sett::bench
