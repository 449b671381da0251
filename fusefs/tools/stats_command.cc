#include "stats_command.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "control_channel.h"
#include "mount_table.h"
#include "settfs_store.h"
#include "tools/common/format.h"

namespace settfs {
namespace {

using sett::Status;
using Clock = std::chrono::steady_clock;

struct StatsArgs {
  std::string target;
  bool once = false;
  bool json = false;
  double interval = 1;
  uint64_t count = 0;
};

// One reading of the daemon's counters.
struct Sample {
  Clock::time_point at;
  std::map<std::string, std::pair<uint64_t, uint64_t>> ops;  // Count and nanoseconds.
  std::map<std::string, uint64_t> values;                    // read_bytes, engine_*, ...
  uint64_t Value(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? 0 : it->second;
  }
};

Status Read(const std::string& dbdir, Sample* sample) {
  std::string answer;
  Status s = SendControlRequest(dbdir, "stats", &answer);
  if (s.IsNotFound()) {
    return Status::NotFound("no settfs daemon serves " + dbdir + " (is it mounted?)");
  }
  if (!s.ok()) return s;
  if (answer.rfind("ok\n", 0) != 0) return Status::IOError("the daemon said: " + answer);
  sample->at = Clock::now();
  std::istringstream lines(answer.substr(3));
  std::string kind, name;
  uint64_t a = 0, b = 0;
  while (lines >> kind) {
    if (kind == "op" && lines >> name >> a >> b) {
      sample->ops[name] = {a, b};
    } else if (kind == "engine" && lines >> name >> a) {
      sample->values["engine_" + name] = a;
    } else if (lines >> a) {
      sample->values[kind] = a;
    }
  }
  return Status::OK();
}

struct Rates {
  double seconds = 0;
  std::map<std::string, std::pair<double, double>> ops;  // Per second, average microseconds.
  double ops_per_second = 0, read_per_second = 0, written_per_second = 0;
  double cache_hit_rate = -1, conflicts_per_second = 0;
  uint64_t flushes = 0, compactions = 0, gc_files = 0, stalls = 0;
};

Rates Between(const Sample& a, const Sample& b) {
  Rates r;
  r.seconds = std::max(1e-6, std::chrono::duration<double>(b.at - a.at).count());
  for (const auto& [name, now] : b.ops) {
    auto before = a.ops.count(name) ? a.ops.at(name) : std::make_pair(uint64_t{0}, uint64_t{0});
    uint64_t n = now.first - before.first;
    if (n == 0) continue;
    r.ops[name] = {n / r.seconds, (now.second - before.second) / 1000.0 / n};
    r.ops_per_second += n / r.seconds;
  }
  auto delta = [&](const char* name) { return b.Value(name) - a.Value(name); };
  r.read_per_second = delta("read_bytes") / r.seconds;
  r.written_per_second = delta("written_bytes") / r.seconds;
  uint64_t hits = delta("engine_block_cache_hits"), misses = delta("engine_block_cache_misses");
  if (hits + misses > 0) r.cache_hit_rate = double(hits) / double(hits + misses);
  r.conflicts_per_second = delta("engine_txn_conflicts") / r.seconds;
  r.flushes = delta("engine_flushes");
  r.compactions = delta("engine_compactions");
  r.gc_files = delta("engine_gc_files_collected");
  r.stalls = delta("engine_write_stalls");
  return r;
}

std::string Json(const Rates& r, const Sample& totals) {
  std::ostringstream out;
  out.precision(6);
  out << "{\"interval_seconds\": " << r.seconds << ", \"ops_per_second\": " << r.ops_per_second
      << ", \"ops\": {";
  bool first = true;
  for (const auto& [name, rate] : r.ops) {
    out << (first ? "" : ", ") << "\"" << name << "\": {\"per_second\": " << rate.first
        << ", \"average_latency_us\": " << rate.second << "}";
    first = false;
  }
  out << "}, \"read_bytes_per_second\": " << r.read_per_second
      << ", \"written_bytes_per_second\": " << r.written_per_second
      << ", \"block_cache_hit_rate\": ";
  if (r.cache_hit_rate < 0) {
    out << "null";
  } else {
    out << r.cache_hit_rate;
  }
  out << ", \"conflicts_per_second\": " << r.conflicts_per_second << ", \"flushes\": " << r.flushes
      << ", \"compactions\": " << r.compactions << ", \"gc_files_collected\": " << r.gc_files
      << ", \"write_stalls\": " << r.stalls << ", \"totals\": {";
  first = true;
  for (const auto& [name, op] : totals.ops) {
    out << (first ? "" : ", ") << "\"" << name << "\": " << op.first;
    first = false;
  }
  for (const auto& [name, value] : totals.values) {
    out << (first ? "" : ", ") << "\"" << name << "\": " << value;
    first = false;
  }
  out << "}}";
  return out.str();
}

void PrintTable(const Rates& r) {
  using sett::tools::HumanBytes;
  char hit[16] = "-";
  if (r.cache_hit_rate >= 0) std::snprintf(hit, sizeof hit, "%.1f%%", 100 * r.cache_hit_rate);
  std::printf(
      "%8.0f ops/s  read %9s/s  write %9s/s  cache %6s  conflicts %5.1f/s  flushes %llu"
      "  compactions %llu  gc %llu  stalls %llu\n",
      r.ops_per_second, HumanBytes(static_cast<uint64_t>(r.read_per_second)).c_str(),
      HumanBytes(static_cast<uint64_t>(r.written_per_second)).c_str(), hit, r.conflicts_per_second,
      static_cast<unsigned long long>(r.flushes), static_cast<unsigned long long>(r.compactions),
      static_cast<unsigned long long>(r.gc_files), static_cast<unsigned long long>(r.stalls));
  std::string kinds;
  for (const auto& [name, rate] : r.ops) {
    char part[96];
    std::snprintf(part, sizeof part, "  %s %.0f/s %.0fus", name.c_str(), rate.first, rate.second);
    kinds += part;
  }
  if (!kinds.empty()) std::printf("        %s\n", kinds.c_str());
  std::fflush(stdout);
}

int RunStats(const StatsArgs& args) {
  const std::string dbdir = DatabaseDirOf(args.target);
  if (SettfsStore::IsPostgres(dbdir)) {
    std::fprintf(stderr, "settfs stats: not supported on a PostgreSQL store (%s)\n", dbdir.c_str());
    return 1;
  }
  Sample previous, now;
  Status s = Read(dbdir, &previous);
  const uint64_t rounds = args.once ? 1 : args.count;
  for (uint64_t round = 0; s.ok() && (rounds == 0 || round < rounds); round++) {
    std::this_thread::sleep_for(std::chrono::duration<double>(args.interval));
    s = Read(dbdir, &now);
    if (!s.ok()) break;
    Rates rates = Between(previous, now);
    if (args.json) {
      std::printf("%s\n", Json(rates, now).c_str());
      std::fflush(stdout);
    } else {
      PrintTable(rates);
    }
    previous = now;
  }
  if (!s.ok()) {
    std::fprintf(stderr, "settfs stats: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

std::string AnswerStatsRequest(const OpStats& ops, sett::DB* db) {
  std::string out = "ok\n" + ops.Lines();
  std::istringstream engine(db->GetMetrics().ToString());
  std::string line;
  while (std::getline(engine, line)) out += "engine " + line + "\n";
  return out;
}

void AddStatsCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app->add_subcommand(
      "stats",
      "Show what a mounted settfs does, every interval (as iostat): requests per second by "
      "kind and their latency, bytes read and written, cache hits, conflicts, and the "
      "engine's flushes, compactions, GC and stalls");
  cmd->add_option("TARGET", args->target, "The mount point (or its database directory)")
      ->required();
  cmd->add_flag("--once", args->once, "One interval, then exit");
  cmd->add_flag("--json", args->json,
                "One JSON object per interval (rates, and the totals since the mount)");
  cmd->add_option("--interval", args->interval, "Seconds between readings")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 3600.0));
  cmd->add_option("--count", args->count, "Stop after this many intervals (0: never)");
  cmd->callback([args, exit_code] { *exit_code = RunStats(*args); });
}

}  // namespace settfs
