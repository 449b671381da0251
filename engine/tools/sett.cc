// sett: the command-line tool of the sett engine.

#include <CLI/CLI.hpp>

#include "admin_commands.h"
#include "bank_command.h"
#include "bench_command.h"
#include "crashtest_command.h"
#include "gc_command.h"
#include "info_command.h"
#include "kv_commands.h"
#include "rotate_command.h"
#include "sett/version.h"
#include "snapshot_command.h"
#include "stream_command.h"
#include "tools/common/key_file.h"

int main(int argc, char** argv) {
  CLI::App app{"sett: inspect, query, back up, check and benchmark sett databases"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sett " SETT_VERSION_STRING);
  std::string key_file;
  app.add_option("--encryption-key-file", key_file,
                 "Key of an encrypted database (16, 24 or 32 bytes, or as hex; mode 600)");
  app.fallthrough();  // Also after the subcommand: sett info DIR --encryption-key-file F.
  // The subcommands open databases while CLI11 parses: the key file must be known first.
  sett::tools::SetKeyFilePathFromArgs(argc, argv, "--encryption-key-file");
  int exit_code = 0;
  sett::tools::AddInfoCommand(&app, &exit_code);
  sett::tools::AddBenchCommand(&app, &exit_code);
  sett::tools::AddGcCommand(&app, &exit_code);
  sett::tools::AddKvCommands(&app, &exit_code);
  sett::tools::AddAdminCommands(&app, &exit_code);
  sett::tools::AddSnapshotCommand(&app, &exit_code);
  sett::tools::AddStreamCommand(&app, &exit_code);
  sett::tools::AddRotateCommand(&app, &exit_code);
  sett::tools::AddBankCommand(&app, &exit_code);
  sett::tools::AddCrashtestCommand(&app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
