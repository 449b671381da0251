// `settfs mount`: serves a settfs filesystem at a mount point until it is unmounted or the
// process gets SIGTERM, SIGINT or SIGHUP, then closes the database with nothing lost.
//
// In the background (the default) the command returns once the filesystem is mounted, or
// prints why it could not be; the daemon then logs to syslog (or -o log=FILE).
//
// Shutting down on a signal: the kernel's cached writes are flushed through the filesystem
// (syncfs), then the mount point is unmounted; if files are still open there, it is detached
// instead and the daemon serves them until the last one is closed.

#ifndef SETTFS_TOOLS_MOUNT_COMMAND_H_
#define SETTFS_TOOLS_MOUNT_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace settfs {

struct MountArgs {
  std::string dbdir;
  std::string mountpoint;
  bool foreground = false;
  bool mkfs = false;
  bool debug = false;
  std::vector<std::string> options;  // The -o arguments, each a comma-separated list.
};

// Returns the process exit code.
int RunMount(const MountArgs& args);

void AddMountCommand(CLI::App* app, MountArgs* args, int* exit_code);

// The -o options settfs itself understands, for the help text.
extern const char kMountOptionsHelp[];

}  // namespace settfs

#endif  // SETTFS_TOOLS_MOUNT_COMMAND_H_
