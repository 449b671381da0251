// `settfs mkfs`, `settfs fsck` and `settfs stat`: making, checking and describing a settfs
// filesystem that is not mounted.

#ifndef SETTFS_TOOLS_FS_COMMANDS_H_
#define SETTFS_TOOLS_FS_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace settfs {

void AddMkfsCommand(CLI::App* app, int* exit_code);
// Exit codes as e2fsck's: 0 clean, 1 problems repaired, 4 problems left, 8 cannot check.
void AddFsckCommand(CLI::App* app, int* exit_code);
void AddStatCommand(CLI::App* app, int* exit_code);

}  // namespace settfs

#endif  // SETTFS_TOOLS_FS_COMMANDS_H_
