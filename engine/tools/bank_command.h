// `sett bank DIR`: the bank test. Accounts start with 100 each; transfer threads move random
// amounts between random accounts in SSI transactions (retried when they conflict), while
// reader threads sum all balances in read-only transactions. Any sum that differs from the
// total, at any read timestamp, is a violation, printed with that timestamp. The database can
// be closed and reopened at intervals while the workers pause.

#ifndef SETT_TOOLS_BANK_COMMAND_H_
#define SETT_TOOLS_BANK_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddBankCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_BANK_COMMAND_H_
