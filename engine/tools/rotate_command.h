// `sett rotate DIR --old-key-file F --new-key-file G`: changes the master key of an encrypted
// database (DB::RotateEncryptionKey), rewriting only its KEYREGISTRY.

#ifndef SETT_TOOLS_ROTATE_COMMAND_H_
#define SETT_TOOLS_ROTATE_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddRotateCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_ROTATE_COMMAND_H_
