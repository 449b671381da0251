// `sett backup|restore|flatten DIR ...`.

#ifndef SETT_TOOLS_ADMIN_COMMANDS_H_
#define SETT_TOOLS_ADMIN_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddAdminCommands(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_ADMIN_COMMANDS_H_
