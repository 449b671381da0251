// `sett get|set|del|scan DIR ...`: single keys and key ranges from the command line.

#ifndef SETT_TOOLS_KV_COMMANDS_H_
#define SETT_TOOLS_KV_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddKvCommands(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_KV_COMMANDS_H_
