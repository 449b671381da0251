// settfs: mount, make, check and describe settfs filesystems.
//
// `settfs DBDIR MOUNTPOINT [-o OPTIONS]` (no subcommand) means `settfs mount`: the form
// mount.fuse3 uses for `mount -t fuse.settfs DBDIR MOUNTPOINT` and /etc/fstab entries.

#include <CLI/CLI.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "fs_commands.h"
#include "mount_command.h"
#include "send_receive.h"
#include "sett/version.h"
#include "snapshot_commands.h"
#include "stats_command.h"
#include "tools/common/key_file.h"

namespace {

bool IsSubcommand(const char* arg) {
  for (const char* name : {"mount", "mkfs", "fsck", "stat", "snapshot", "rollback", "send",
                           "receive", "stats", "help"}) {
    if (std::strcmp(arg, name) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  static char mount[] = "mount";
  if (argc >= 3 && argv[1][0] != '-' && !IsSubcommand(argv[1])) {
    args.insert(args.begin() + 1, mount);
  }
  CLI::App app{"settfs: a filesystem kept in a sett database"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "settfs " SETT_VERSION_STRING);
  std::string key_file;
  app.add_option("--key-file", key_file,
                 "Key of an encrypted filesystem (16, 24 or 32 bytes, or as hex; mode 600)");
  app.fallthrough();  // Also after the subcommand: settfs fsck DBDIR --key-file F.
  // Stores open while CLI11 parses: the key file must be known first.
  sett::tools::SetKeyFilePathFromArgs(static_cast<int>(args.size()), args.data(), "--key-file");
  int exit_code = 0;
  settfs::MountArgs mount_args;
  settfs::AddMountCommand(&app, &mount_args, &exit_code);
  settfs::AddMkfsCommand(&app, &exit_code);
  settfs::AddFsckCommand(&app, &exit_code);
  settfs::AddStatCommand(&app, &exit_code);
  settfs::AddSnapshotCommand(&app, &exit_code);
  settfs::AddRollbackCommand(&app, &exit_code);
  settfs::AddSendReceiveCommands(&app, &exit_code);
  settfs::AddStatsCommand(&app, &exit_code);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
