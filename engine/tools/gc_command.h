// `sett gc DIR [--discard-ratio R]`: runs value-log GC until nothing is left to collect.

#ifndef SETT_TOOLS_GC_COMMAND_H_
#define SETT_TOOLS_GC_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddGcCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_GC_COMMAND_H_
