#include "gc_command.h"

#include <cstdio>
#include <memory>

#include "open_db.h"
#include "sett/db.h"
#include "sett/logger.h"
#include "tools/common/format.h"
#include "tools/common/progress.h"

namespace sett::tools {
namespace {

struct GcArgs {
  std::string dir;
  double discard_ratio = 0.5;
};

int RunGc(const GcArgs& args) {
  Options options;
  options.dir = args.dir;
  options.create_if_missing = false;
  options.logger = StderrLogger(LogLevel::kWarning);
  // This command is the GC: no background rounds racing it for the files it reports on.
  options.value_log_gc_interval_seconds = 0;
  if (!ApplyKeyFile("gc", &options)) return 2;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "sett gc: cannot open %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    return 1;
  }
  // Compaction is what finds garbage: flattening the tree lets it see every old version.
  // With values in the value log, the tree holds only keys and pointers: this is cheap.
  s = db->Flatten();
  uint64_t reclaimed = 0, moved = 0;
  int files = 0;
  Progress progress("collecting", 0);
  while (s.ok()) {
    ValueLogGCStats stats;
    s = db->RunValueLogGC(args.discard_ratio, &stats);
    if (!s.ok()) break;
    files++;
    reclaimed += stats.file_size;
    moved += stats.bytes_rewritten;
    progress.Update(files);
    progress.Finish();
    std::printf("collected %06u.vlog: %s, %llu live values (%s) moved, %llu dropped\n",
                stats.file_id, HumanBytes(stats.file_size).c_str(),
                static_cast<unsigned long long>(stats.entries_rewritten),
                HumanBytes(stats.bytes_rewritten).c_str(),
                static_cast<unsigned long long>(stats.entries_discarded));
  }
  progress.Finish();
  int code = 0;
  if (s.IsNothingToCollect()) {
    std::printf("done: %d files collected, %s reclaimed, %s of live values moved\n", files,
                HumanBytes(reclaimed).c_str(), HumanBytes(moved).c_str());
  } else {
    std::fprintf(stderr, "sett gc: %s\n", s.ToString().c_str());
    code = 1;
  }
  s = db->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "sett gc: closing %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    code = 1;
  }
  return code;
}

}  // namespace

void AddGcCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<GcArgs>();
  CLI::App* cmd = app->add_subcommand(
      "gc", "Collect value-log garbage until no file has enough left to be worth it");
  cmd->add_option("dir", args->dir, "Database directory")->required();
  cmd->add_option("--discard-ratio", args->discard_ratio,
                  "Collect files whose garbage is at least this fraction of their size")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  cmd->callback([args, exit_code] { *exit_code = RunGc(*args); });
}

}  // namespace sett::tools
