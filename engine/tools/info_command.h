// `sett info DIR [--verify]`: levels, tables, memtables and logs of a database, read-only.

#ifndef SETT_TOOLS_INFO_COMMAND_H_
#define SETT_TOOLS_INFO_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddInfoCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_INFO_COMMAND_H_
