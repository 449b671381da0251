// fsx: random operations on one file, checked against an in-memory model after every one.
//
// Reads, writes, truncates, fallocate (allocate, keep size, punch hole, zero range) and reads
// and writes through a shared mapping of the file, at random offsets within a size limit (256 KiB
// by default), from a seed. After every operation the whole file is read back and compared
// with the model, and its size with fstat's. The first difference stops the run with the
// operations that led to it. It prints the time of each block of operations (10,000 by default),
// so that a cost that grows with the number of operations shows, and the total.
//
//   fsx FILE [-N OPS] [-S SEED] [--max-size BYTES] [--report-every N] [--json]

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

enum class Op { kRead, kWrite, kMapRead, kMapWrite, kTruncate, kAllocate, kPunchHole, kZeroRange };

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead:
      return "read";
    case Op::kWrite:
      return "write";
    case Op::kMapRead:
      return "mapread";
    case Op::kMapWrite:
      return "mapwrite";
    case Op::kTruncate:
      return "truncate";
    case Op::kAllocate:
      return "fallocate";
    case Op::kPunchHole:
      return "punch_hole";
    case Op::kZeroRange:
      return "zero_range";
  }
  return "?";
}

struct Config {
  std::string path;
  uint64_t ops = 10000;
  uint64_t seed = 42;
  uint64_t max_size = 256 << 10;
  uint64_t report_every = 10000;
  bool json = false;
};

class Exerciser {
 public:
  explicit Exerciser(const Config& config) : config_(config), rng_(config.seed) {}

  int Run();

 private:
  bool Step(uint64_t n);
  bool Apply(Op op, uint64_t offset, uint64_t length, bool keep_size);
  bool DoWrite(uint64_t offset, uint64_t length);
  bool DoMapRead(uint64_t offset, uint64_t length);
  bool DoMapWrite(uint64_t offset, uint64_t length);
  bool DoFallocate(int mode, uint64_t offset, uint64_t length);
  bool Verify();
  bool Fail(const std::string& what);
  void Report(uint64_t done, double interval_seconds, double total_seconds);
  uint64_t Random(uint64_t below) { return below == 0 ? 0 : rng_() % below; }
  void FillRandom(std::string* data);

  const Config config_;
  std::mt19937_64 rng_;
  int fd_ = -1;
  std::string model_;  // What the file must hold.
  std::string buffer_;
  std::deque<std::string> history_;  // The last operations, for a failure report.
  std::set<int> refused_modes_;      // fallocate modes the filesystem does not support.
};

void Exerciser::FillRandom(std::string* data) {
  // Eight bytes per draw, none of them zero (zeros would hide a hole read as data).
  for (size_t i = 0; i < data->size(); i += 8) {
    uint64_t bits = rng_() | 0x0101010101010101ULL;
    std::memcpy(data->data() + i, &bits, std::min<size_t>(8, data->size() - i));
  }
}

bool Exerciser::Fail(const std::string& what) {
  std::fprintf(stderr, "fsx: %s\nfsx: the last operations (seed %llu):\n", what.c_str(),
               static_cast<unsigned long long>(config_.seed));
  for (const std::string& line : history_) std::fprintf(stderr, "  %s\n", line.c_str());
  return false;
}

bool Exerciser::DoWrite(uint64_t offset, uint64_t length) {
  std::string data(length, '\0');
  FillRandom(&data);
  ssize_t n = ::pwrite(fd_, data.data(), length, static_cast<off_t>(offset));
  if (n != static_cast<ssize_t>(length)) return Fail("pwrite: " + std::string(strerror(errno)));
  if (model_.size() < offset + length) model_.resize(offset + length, '\0');
  model_.replace(offset, length, data);
  return true;
}

bool Exerciser::DoMapRead(uint64_t offset, uint64_t length) {
  if (model_.empty()) return true;
  offset %= model_.size();
  length = std::min<uint64_t>(length, model_.size() - offset);
  void* map = ::mmap(nullptr, model_.size(), PROT_READ, MAP_SHARED, fd_, 0);
  if (map == MAP_FAILED) return Fail("mmap for reading: " + std::string(strerror(errno)));
  bool same = std::memcmp(static_cast<char*>(map) + offset, model_.data() + offset, length) == 0;
  ::munmap(map, model_.size());
  return same ? true : Fail("mapped read differs from the model");
}

bool Exerciser::DoMapWrite(uint64_t offset, uint64_t length) {
  // A mapping cannot grow the file: extend it first, as fsx does.
  if (model_.size() < offset + length) {
    if (::ftruncate(fd_, static_cast<off_t>(offset + length)) != 0) {
      return Fail("ftruncate before mapwrite: " + std::string(strerror(errno)));
    }
    model_.resize(offset + length, '\0');
  }
  std::string data(length, '\0');
  FillRandom(&data);
  void* map = ::mmap(nullptr, model_.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (map == MAP_FAILED) return Fail("mmap for writing: " + std::string(strerror(errno)));
  std::memcpy(static_cast<char*>(map) + offset, data.data(), length);
  int synced = ::msync(map, model_.size(), MS_SYNC);
  ::munmap(map, model_.size());
  if (synced != 0) return Fail("msync: " + std::string(strerror(errno)));
  model_.replace(offset, length, data);
  return true;
}

bool Exerciser::DoFallocate(int mode, uint64_t offset, uint64_t length) {
  // A mode the filesystem refuses is left out from then on: a write takes its place.
  if (refused_modes_.count(mode)) return DoWrite(offset, length);
  if (::fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
    if (errno == EOPNOTSUPP) {
      refused_modes_.insert(mode);
      return DoWrite(offset, length);
    }
    return Fail("fallocate: " + std::string(strerror(errno)));
  }
  uint64_t end = offset + length;
  bool keep_size = mode & FALLOC_FL_KEEP_SIZE;
  if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
    uint64_t zero_end = std::min<uint64_t>(end, model_.size());
    if (offset < zero_end) std::fill(model_.begin() + offset, model_.begin() + zero_end, '\0');
  }
  if (!keep_size && model_.size() < end) model_.resize(end, '\0');
  return true;
}

bool Exerciser::Apply(Op op, uint64_t offset, uint64_t length, bool keep_size) {
  switch (op) {
    case Op::kRead: {
      buffer_.resize(length);
      ssize_t n = ::pread(fd_, buffer_.data(), length, static_cast<off_t>(offset));
      uint64_t expect = offset < model_.size() ? std::min(length, model_.size() - offset) : 0;
      if (n != static_cast<ssize_t>(expect)) return Fail("pread returned " + std::to_string(n));
      if (std::memcmp(buffer_.data(), model_.data() + std::min(offset, model_.size()), expect)) {
        return Fail("read differs from the model");
      }
      return true;
    }
    case Op::kWrite:
      return DoWrite(offset, length);
    case Op::kMapRead:
      return DoMapRead(offset, length);
    case Op::kMapWrite:
      return DoMapWrite(offset, length);
    case Op::kTruncate:
      if (::ftruncate(fd_, static_cast<off_t>(offset)) != 0) {
        return Fail("ftruncate: " + std::string(strerror(errno)));
      }
      model_.resize(offset, '\0');
      return true;
    case Op::kAllocate:
      return DoFallocate(keep_size ? FALLOC_FL_KEEP_SIZE : 0, offset, length);
    case Op::kPunchHole:
      return DoFallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
    case Op::kZeroRange:
      return DoFallocate(FALLOC_FL_ZERO_RANGE | (keep_size ? FALLOC_FL_KEEP_SIZE : 0), offset,
                         length);
  }
  return false;
}

bool Exerciser::Verify() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Fail("fstat: " + std::string(strerror(errno)));
  if (static_cast<uint64_t>(st.st_size) != model_.size()) {
    return Fail("size " + std::to_string(st.st_size) + ", expected " +
                std::to_string(model_.size()));
  }
  buffer_.resize(model_.size());
  ssize_t n = ::pread(fd_, buffer_.data(), buffer_.size(), 0);
  if (n != static_cast<ssize_t>(model_.size())) {
    return Fail("reading the whole file returned " + std::to_string(n));
  }
  if (buffer_ != model_) {
    size_t at = 0;
    while (buffer_[at] == model_[at]) at++;
    return Fail("contents differ from the model at offset " + std::to_string(at));
  }
  return true;
}

bool Exerciser::Step(uint64_t n) {
  static constexpr Op kOps[] = {Op::kRead,     Op::kWrite,     Op::kWrite,
                                Op::kMapRead,  Op::kMapWrite,  Op::kTruncate,
                                Op::kAllocate, Op::kPunchHole, Op::kZeroRange};
  Op op = kOps[Random(std::size(kOps))];
  uint64_t offset = Random(config_.max_size);
  uint64_t length = 1 + Random(std::min<uint64_t>(config_.max_size / 4, 65536));
  length = std::min(length, config_.max_size - offset);
  if (length == 0) length = 1, offset = config_.max_size - 1;
  bool keep_size = Random(2) == 0;
  history_.push_back(std::to_string(n) + " " + OpName(op) + " offset " + std::to_string(offset) +
                     " length " + std::to_string(length) + (keep_size ? " keep_size" : "") +
                     " (size before " + std::to_string(model_.size()) + ")");
  if (history_.size() > 20) history_.pop_front();
  return Apply(op, offset, length, keep_size) && Verify();
}

void Exerciser::Report(uint64_t done, double interval_seconds, double total_seconds) {
  if (config_.json) {
    std::printf("{\"ops\": %llu, \"interval_seconds\": %.3f, \"total_seconds\": %.3f}\n",
                static_cast<unsigned long long>(done), interval_seconds, total_seconds);
  } else {
    std::printf("%10llu ops  %8.3f s for the last block  %9.3f s in all\n",
                static_cast<unsigned long long>(done), interval_seconds, total_seconds);
  }
  std::fflush(stdout);
}

int Exerciser::Run() {
  fd_ = ::open(config_.path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd_ < 0) {
    std::fprintf(stderr, "fsx: %s: %s\n", config_.path.c_str(), strerror(errno));
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now(), block_start = start;
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  for (uint64_t n = 1; n <= config_.ops; n++) {
    if (!Step(n)) {
      ::close(fd_);
      return 1;
    }
    if (n % config_.report_every == 0 || n == config_.ops) {
      auto now = Clock::now();
      Report(n, seconds(now - block_start), seconds(now - start));
      block_start = now;
    }
  }
  if (::close(fd_) != 0) {
    std::fprintf(stderr, "fsx: close: %s\n", strerror(errno));
    return 1;
  }
  if (!config_.json) {
    std::printf("fsx: %llu operations on %s, every one checked, %.3f s\n",
                static_cast<unsigned long long>(config_.ops), config_.path.c_str(),
                seconds(Clock::now() - start));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{
      "fsx: random reads, writes, truncates, fallocates and mapped reads and writes on one file, "
      "the whole file checked against a model after every operation; prints the time of each "
      "block of operations"};
  app.add_option("file", config.path, "The file to exercise (created or truncated)")->required();
  app.add_option("-N,--ops", config.ops, "Operations to run")->check(CLI::PositiveNumber);
  app.add_option("-S,--seed", config.seed, "Seed of the random operations");
  app.add_option("--max-size", config.max_size, "The most the file may grow to, in bytes")
      ->check(CLI::Range(uint64_t{4096}, uint64_t{1} << 30));
  app.add_option("--report-every", config.report_every, "Operations per timed block")
      ->check(CLI::PositiveNumber);
  app.add_flag("--json", config.json, "One JSON line per block instead of text");
  CLI11_PARSE(app, argc, argv);
  return Exerciser(config).Run();
}
