#include "info_command.h"

#include <cstdio>
#include <memory>

#include "open_db.h"
#include "sett/db.h"
#include "sett/logger.h"
#include "tools/common/format.h"
#include "tools/common/info_print.h"
#include "tools/common/progress.h"

namespace sett::tools {
namespace {

struct InfoArgs {
  std::string dir;
  bool verify = false;
  bool tables = false;
};

int RunInfo(const InfoArgs& args) {
  Options options;
  options.dir = args.dir;
  options.read_only = true;
  options.create_if_missing = false;
  options.logger = StderrLogger(LogLevel::kWarning);
  if (!ApplyKeyFile("info", &options)) return 2;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "sett info: cannot open %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    return 1;
  }
  std::printf("sett database %s\n", args.dir.c_str());
  DBInfo info = db->Info();
  PrintInfo(info, args.tables || args.verify);
  int code = 0;
  if (args.verify) {
    std::printf("\nverifying %zu tables...\n", info.tables.size());
    std::fflush(stdout);
    PhasedProgress progress("verifying");
    s = db->VerifyChecksums(progress.Callback());
    progress.Finish();
    if (s.ok()) {
      std::printf(
          "verify: OK, every block and value-log entry checksum, key order and live value "
          "checked\n");
    } else {
      std::printf("verify: FAILED: %s\n", s.ToString().c_str());
      code = 1;
    }
  }
  s = db->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "sett info: closing %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    code = 1;
  }
  return code;
}

}  // namespace

void AddInfoCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app->add_subcommand(
      "info",
      "Show the levels, tables, memtables, logs and value log of a database (opens it read-only)");
  cmd->add_option("dir", args->dir, "Database directory")->required();
  cmd->add_flag("--verify", args->verify,
                "Read every block of every table and check its checksum and key order");
  cmd->add_flag("--tables", args->tables, "List every table with its key range");
  cmd->callback([args, exit_code] { *exit_code = RunInfo(*args); });
}

}  // namespace sett::tools
