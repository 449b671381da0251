// `sett snapshot create|list|delete DIR [NAME]`: the database's named snapshots
// (DB::CreateSnapshot).

#ifndef SETT_TOOLS_SNAPSHOT_COMMAND_H_
#define SETT_TOOLS_SNAPSHOT_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddSnapshotCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_SNAPSHOT_COMMAND_H_
