#include "crashtest_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "open_db.h"
#include "sett/db.h"
#include "sett/logger.h"
#include "sett/txn.h"
#include "tools/common/progress.h"
#include "tools/common/tool_random.h"

namespace sett::tools {
namespace {

using Clock = std::chrono::steady_clock;

struct CrashArgs {
  std::string dir;
  uint64_t iterations = 100;
  double duration = 0;
  uint64_t seed = 0;
  uint32_t keys = 2000;
  uint32_t min_delay_ms = 20;
  uint32_t max_delay_ms = 600;
};

// One operation of a transaction: a put of a value of `len` bytes, or a delete.
struct Op {
  bool put;
  uint32_t key;
  uint32_t len;
};

struct Transaction {
  uint64_t t = 0;
  std::vector<Op> ops;
};

// What a key holds: nothing, or the value that transaction t wrote to it.
struct KeyState {
  bool present = false;
  uint64_t t = 0;
  uint32_t len = 0;
  bool operator==(const KeyState& o) const {
    return present == o.present && (!present || (t == o.t && len == o.len));
  }
};

std::string KeyName(uint32_t k) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "crash/%07u", k);
  return buf;
}

// The value transaction t puts in key k: a header naming both, then bytes derived from them,
// so that a value from the wrong transaction, key or length never passes for the right one.
std::string ValueFor(uint64_t t, uint32_t k, uint32_t len) {
  std::string v = "t=" + std::to_string(t) + ";k=" + std::to_string(k) + ";";
  uint64_t x = t * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(k) << 20) ^ len;
  while (v.size() < len) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    v.push_back(static_cast<char>('a' + x % 26));
  }
  v.resize(len);
  return v;
}

// The final state each key of txn gets from it.
std::map<uint32_t, KeyState> FinalStates(const Transaction& txn) {
  std::map<uint32_t, KeyState> states;
  for (const Op& op : txn.ops) states[op.key] = op.put ? KeyState{true, txn.t, op.len} : KeyState{};
  return states;
}

Options CrashOptions(const std::string& dir) {
  Options options;
  options.dir = dir;
  options.logger = StderrLogger(LogLevel::kError);
  options.sync_writes = true;
  options.memtable_size = 256 << 10;
  options.base_table_size = 64 << 10;
  options.base_level_size = 256 << 10;
  options.num_level_zero_tables = 2;
  options.num_level_zero_tables_stall = 8;
  options.value_threshold = 512;
  options.value_log_file_size = 1 << 20;
  ApplyKeyFile("crashtest", &options);  // Checked before the run starts.
  return options;
}

// The expected state: the acknowledged transactions, applied in order, and at most one in
// flight. It is rebuilt from DIR/expected.log, whose lines are
//   B t n      a transaction begins, followed by its n operations:
//   P key len  a put, or
//   D key      a delete
//   A t        the writer's commit of t returned OK
//   C t / X t  after a kill, the checker found the transaction in flight applied / not applied
class ExpectedState {
 public:
  explicit ExpectedState(uint32_t keys) : keys_(keys) {}

  const std::vector<KeyState>& keys() const { return keys_; }
  const std::optional<Transaction>& in_flight() const { return in_flight_; }
  uint64_t next_t() const { return last_t_ + 1; }
  uint64_t acknowledged() const { return acknowledged_; }

  // Reads the complete lines from *offset on (a line torn by the kill is left for later) and
  // advances *offset past them. False when the log is malformed (*error says where).
  bool ReadLog(const std::string& path, uint64_t* offset, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return true;  // no log yet
    in.seekg(static_cast<std::streamoff>(*offset));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0;
    while (true) {
      size_t consumed;
      if (!ReadRecord(text, pos, &consumed, error)) {
        *error = path + " at offset " + std::to_string(*offset + pos) + ": " + *error;
        return false;
      }
      if (consumed == 0) return true;
      pos += consumed;
      *offset += consumed;
    }
  }

  void Apply(const Transaction& txn) {
    for (const auto& [key, state] : FinalStates(txn)) keys_[key] = state;
    last_t_ = std::max(last_t_, txn.t);
  }

 private:
  // Reads one record at text[pos...]; *consumed = 0 when no complete record is there.
  bool ReadRecord(const std::string& text, size_t pos, size_t* consumed, std::string* error) {
    *consumed = 0;
    std::vector<std::string> lines;
    size_t end = pos;
    auto next_line = [&](std::string* line) {
      size_t nl = text.find('\n', end);
      if (nl == std::string::npos) return false;
      *line = text.substr(end, nl - end);
      end = nl + 1;
      return true;
    };
    std::string line;
    if (!next_line(&line)) return true;
    std::istringstream head(line);
    char kind = 0;
    uint64_t t = 0;
    head >> kind >> t;
    if (!head) {
      *error = "malformed line '" + line + "'";
      return false;
    }
    if (kind == 'B') {
      uint64_t n = 0;
      if (!(head >> n) || n == 0 || n > 1000) {
        *error = "malformed line '" + line + "'";
        return false;
      }
      Transaction txn;
      txn.t = t;
      for (uint64_t i = 0; i < n; i++) {
        if (!next_line(&line)) return true;  // torn: the commit never started
        std::istringstream op_line(line);
        char op_kind = 0;
        Op op{false, 0, 0};
        op_line >> op_kind >> op.key;
        op.put = op_kind == 'P';
        if (op.put) op_line >> op.len;
        if (!op_line || (op_kind != 'P' && op_kind != 'D') || op.key >= keys_.size()) {
          *error = "malformed operation '" + line + "'";
          return false;
        }
        txn.ops.push_back(op);
      }
      in_flight_ = std::move(txn);
      last_t_ = std::max(last_t_, t);
    } else if (kind == 'A' || kind == 'C' || kind == 'X') {
      if (!in_flight_ || in_flight_->t != t) {
        *error = "'" + line + "' for a transaction not in flight";
        return false;
      }
      if (kind != 'X') Apply(*in_flight_);
      if (kind == 'A') acknowledged_++;
      in_flight_.reset();
    } else {
      *error = "unknown record '" + line + "'";
      return false;
    }
    *consumed = end - pos;
    return true;
  }

  std::vector<KeyState> keys_;
  std::optional<Transaction> in_flight_;
  uint64_t last_t_ = 0;
  uint64_t acknowledged_ = 0;
};

bool AppendLine(int fd, const std::string& text) {
  return ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

// The child: transactions forever, each logged before its commit and acknowledged after it,
// while a second thread collects value-log garbage and flattens the tree. Never returns.
[[noreturn]] void Writer(const CrashArgs& args, ExpectedState state, uint64_t seed) {
  std::unique_ptr<DB> db;
  Status s = DB::Open(CrashOptions(args.dir + "/db"), &db);
  if (!s.ok()) {
    std::fprintf(stderr, "sett crashtest: writer cannot open: %s\n", s.ToString().c_str());
    ::_exit(3);
  }
  int log = ::open((args.dir + "/expected.log").c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (log < 0) ::_exit(5);
  std::thread maintenance([&db] {
    for (int round = 1;; round++) {
      // Upkeep under load, killed at any moment: its failures (nothing to collect, a kill
      // midway) are what the test is about, and the writes check the outcome.
      db->RunValueLogGC(0.3).IgnoreError();
      if (round % 8 == 0) db->Flatten().IgnoreError();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  maintenance.detach();  // It dies with the process.

  ToolRandom rnd(seed);
  for (uint64_t t = state.next_t();; t++) {
    // Reads see the acknowledged state.
    uint32_t probe = rnd.Uniform(args.keys);
    std::string value;
    s = db->Get(ReadOptions(), KeyName(probe), &value);
    const KeyState& want = state.keys()[probe];
    bool right =
        want.present ? s.ok() && value == ValueFor(want.t, probe, want.len) : s.IsNotFound();
    if (!right) {
      std::fprintf(stderr, "sett crashtest: writer read a wrong value for %s: %s\n",
                   KeyName(probe).c_str(),
                   s.ok() ? value.substr(0, 24).c_str() : s.ToString().c_str());
      ::_exit(6);
    }

    Transaction txn;
    txn.t = t;
    uint32_t n = 1 + rnd.Uniform(6);
    std::string record = "B " + std::to_string(t) + " " + std::to_string(n) + "\n";
    for (uint32_t i = 0; i < n; i++) {
      Op op{rnd.Uniform(5) != 0, static_cast<uint32_t>(rnd.Uniform(args.keys)), 0};
      if (op.put) op.len = rnd.Uniform(4) == 0 ? 600 + rnd.Uniform(6000) : 24 + rnd.Uniform(200);
      txn.ops.push_back(op);
      record += op.put ? "P " + std::to_string(op.key) + " " + std::to_string(op.len) + "\n"
                       : "D " + std::to_string(op.key) + "\n";
    }
    if (!AppendLine(log, record)) ::_exit(5);
    std::unique_ptr<Txn> writer = db->NewTransaction(true);
    for (const Op& op : txn.ops) {
      s = op.put ? writer->Set(KeyName(op.key), ValueFor(t, op.key, op.len))
                 : writer->Delete(KeyName(op.key));
      if (!s.ok()) break;
    }
    if (s.ok()) s = writer->Commit();
    if (!s.ok()) {
      std::fprintf(stderr, "sett crashtest: writer's commit of %" PRIu64 " failed: %s\n", t,
                   s.ToString().c_str());
      ::_exit(4);
    }
    state.Apply(txn);
    if (!AppendLine(log, "A " + std::to_string(t) + "\n")) ::_exit(5);
  }
}

const char* WriterExitMeaning(int code) {
  switch (code) {
    case 3:
      return "it could not open the database";
    case 4:
      return "a commit failed";
    case 5:
      return "it could not write the expected-state log";
    case 6:
      return "it read a wrong value";
    default:
      return "unexpected";
  }
}

class CrashTest {
 public:
  explicit CrashTest(const CrashArgs& args)
      : args_(args), state_(args.keys), log_path_(args.dir + "/expected.log") {}

  int Run() {
    if (!PrepareDir()) return 1;
    std::string error;
    if (!state_.ReadLog(log_path_, &log_offset_, &error)) return Fail(error);
    bool resuming = log_offset_ > 0;
    if (resuming && !Verify("the state left by the last run")) return 1;

    ToolRandom rnd(args_.seed);
    auto start = Clock::now();
    Progress progress("crashtest", args_.iterations);
    uint64_t kills = 0;
    uint64_t acknowledged_before = state_.acknowledged();
    for (; kills < args_.iterations; kills++) {
      if (args_.duration > 0 &&
          std::chrono::duration<double>(Clock::now() - start).count() >= args_.duration) {
        break;
      }
      uint32_t delay =
          args_.min_delay_ms + rnd.Uniform(args_.max_delay_ms - args_.min_delay_ms + 1);
      if (!KillWriterAfter(delay, rnd.Next())) return 1;
      if (!state_.ReadLog(log_path_, &log_offset_, &error)) return Fail(error);
      if (!Verify("kill " + std::to_string(kills + 1))) return 1;
      progress.Update(kills + 1);
    }
    progress.Finish();
    std::printf(
        "crashtest: %" PRIu64 " kills in %.0f s, %" PRIu64 " transactions acknowledged, %" PRIu64
        " in flight at a kill (%" PRIu64 " applied whole, %" PRIu64 " not at all), %" PRIu64
        " key checks; 0 lost, 0 partial, 0 wrong\n",
        kills, std::chrono::duration<double>(Clock::now() - start).count(),
        state_.acknowledged() - acknowledged_before, in_flight_applied_ + in_flight_dropped_,
        in_flight_applied_, in_flight_dropped_, key_checks_);
    return 0;
  }

 private:
  int Fail(const std::string& message) {
    std::fprintf(stderr, "sett crashtest: %s\n", message.c_str());
    return 1;
  }
  bool Complain(const std::string& message) {
    Fail(message);
    return false;
  }

  bool PrepareDir() {
    ::mkdir(args_.dir.c_str(), 0755);
    struct stat st;
    if (::stat(args_.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Complain("cannot use " + args_.dir + " as its directory: " + std::strerror(errno));
    }
    bool has_log = ::access(log_path_.c_str(), F_OK) == 0;
    bool has_db = ::access((args_.dir + "/db").c_str(), F_OK) == 0;
    if (has_db && !has_log) {
      return Complain(args_.dir + "/db exists without " + log_path_ +
                      ": not a crashtest directory");
    }
    return true;
  }

  // Forks the writer (this process has no other thread then), kills it after delay_ms.
  bool KillWriterAfter(uint32_t delay_ms, uint64_t seed) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return Complain(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) Writer(args_, state_, seed);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) {
      return Complain("the writer exited by itself with status " +
                      std::to_string(WEXITSTATUS(status)) + ": " +
                      WriterExitMeaning(WEXITSTATUS(status)));
    }
    return true;
  }

  // Opens the database and checks every key; settles the transaction in flight.
  bool Verify(const std::string& when) {
    std::unique_ptr<DB> db;
    Status s = DB::Open(CrashOptions(args_.dir + "/db"), &db);
    if (!s.ok()) return Complain("after " + when + ": cannot open: " + s.ToString());
    std::map<uint32_t, KeyState> pending;
    if (state_.in_flight()) pending = FinalStates(*state_.in_flight());
    bool seen_applied = false, seen_not_applied = false;
    std::string problem;
    uint64_t present = 0;
    for (uint32_t k = 0; k < args_.keys && problem.empty(); k++) {
      KeyState got;
      if (!ReadKey(db.get(), k, &got, &problem)) break;
      present += got.present;
      key_checks_++;
      const KeyState& acked = state_.keys()[k];
      auto alt = pending.find(k);
      bool is_acked = got == acked;
      bool is_pending = alt != pending.end() && got == alt->second;
      if (is_acked && !is_pending && alt != pending.end()) seen_not_applied = true;
      if (is_pending && !is_acked) seen_applied = true;
      if (!is_acked && !is_pending) problem = Describe(k, got, acked, alt != pending.end());
    }
    if (problem.empty() && seen_applied && seen_not_applied) {
      problem = "transaction " + std::to_string(state_.in_flight()->t) +
                " (in flight) is there in part: some of its keys hold its values, others not";
    }
    if (problem.empty()) problem = CheckNoOtherKeys(db.get(), present);
    if (problem.empty()) {
      s = db->VerifyChecksums();
      if (!s.ok()) problem = "checksums: " + s.ToString();
    }
    s = db->Close();
    if (problem.empty() && !s.ok()) problem = "close: " + s.ToString();
    if (!problem.empty()) return Complain("after " + when + ": " + problem);
    return SettleInFlight(seen_applied);
  }

  bool ReadKey(DB* db, uint32_t k, KeyState* got, std::string* problem) {
    std::string value;
    Status s = db->Get(ReadOptions(), KeyName(k), &value);
    if (s.IsNotFound()) return true;
    if (!s.ok()) {
      *problem = KeyName(k) + ": " + s.ToString();
      return false;
    }
    uint64_t t = 0;
    uint32_t key = 0;
    if (std::sscanf(value.c_str(), "t=%" SCNu64 ";k=%u;", &t, &key) != 2 || key != k ||
        value != ValueFor(t, k, static_cast<uint32_t>(value.size()))) {
      *problem =
          KeyName(k) + " holds a value no transaction wrote to it: '" + value.substr(0, 32) + "'";
      return false;
    }
    *got = KeyState{true, t, static_cast<uint32_t>(value.size())};
    return true;
  }

  static std::string StateText(const KeyState& s) {
    return s.present ? "the value of transaction " + std::to_string(s.t) : "nothing";
  }

  std::string Describe(uint32_t k, const KeyState& got, const KeyState& acked, bool pending) {
    std::string text = KeyName(k) + " holds " + StateText(got) +
                       ", but the acknowledged state is " + StateText(acked);
    if (pending) text += " (or the in-flight transaction's)";
    return text + (got.present && got.t < acked.t ? ": an acknowledged write was LOST" : "");
  }

  std::string CheckNoOtherKeys(DB* db, uint64_t present) {
    uint64_t seen = 0;
    auto it = db->NewIterator(ReadOptions());
    for (it->Rewind(); it->Valid(); it->Next()) {
      std::string key(it->key());
      uint32_t k = 0;
      if (std::sscanf(key.c_str(), "crash/%u", &k) != 1 || k >= args_.keys || KeyName(k) != key) {
        return "a key no transaction wrote: '" + key + "'";
      }
      seen++;
    }
    if (!it->status().ok()) return "scanning: " + it->status().ToString();
    if (seen != present) {
      return "a scan finds " + std::to_string(seen) + " keys where reads found " +
             std::to_string(present);
    }
    return "";
  }

  // Records in the log how the transaction in flight ended, so that a resumed run knows.
  bool SettleInFlight(bool applied) {
    if (!state_.in_flight()) return true;
    (applied ? in_flight_applied_ : in_flight_dropped_)++;
    std::string line =
        std::string(applied ? "C " : "X ") + std::to_string(state_.in_flight()->t) + "\n";
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_APPEND);
    bool ok = fd >= 0 && AppendLine(fd, line) && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) return Complain("cannot append to " + log_path_ + ": " + std::strerror(errno));
    std::string error;
    return state_.ReadLog(log_path_, &log_offset_, &error) || Complain(error);
  }

  const CrashArgs args_;
  ExpectedState state_;
  const std::string log_path_;
  uint64_t log_offset_ = 0;
  uint64_t key_checks_ = 0;
  uint64_t in_flight_applied_ = 0;
  uint64_t in_flight_dropped_ = 0;
};

}  // namespace

void AddCrashtestCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<CrashArgs>();
  args->seed = static_cast<uint64_t>(std::time(nullptr));
  CLI::App* cmd = app->add_subcommand(
      "crashtest",
      "Kill a writer of random synced transactions again and again; check nothing acknowledged "
      "is lost");
  cmd->add_option("dir", args->dir, "Working directory: the database (DIR/db) and the log")
      ->required();
  cmd->add_option("--iterations,-n", args->iterations, "Kills (0: only verify)")
      ->capture_default_str();
  cmd->add_option("--duration", args->duration, "Stop after this many seconds (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed for kill delays and transactions (default: time)");
  cmd->add_option("--keys", args->keys, "Keys the transactions touch")
      ->capture_default_str()
      ->check(CLI::Range(1u, 10000000u));
  cmd->add_option("--min-delay-ms", args->min_delay_ms, "Shortest run of a writer")
      ->capture_default_str();
  cmd->add_option("--max-delay-ms", args->max_delay_ms, "Longest run of a writer")
      ->capture_default_str();
  cmd->callback([args, exit_code] {
    if (args->max_delay_ms < args->min_delay_ms) {
      std::fprintf(stderr, "sett crashtest: --max-delay-ms is below --min-delay-ms\n");
      *exit_code = 2;
      return;
    }
    Options probe;
    if (!ApplyKeyFile("crashtest", &probe)) {
      *exit_code = 2;
      return;
    }
    std::printf("crashtest: seed %" PRIu64 "%s\n", args->seed,
                probe.encryption_key.empty() ? "" : ", encrypted");
    *exit_code = CrashTest(*args).Run();
  });
}

}  // namespace sett::tools
