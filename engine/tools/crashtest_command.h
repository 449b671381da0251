// `sett crashtest DIR`: kills a writer again and again and checks that nothing acknowledged is
// lost. A child process runs random transactions (puts of small and value-log-sized values,
// deletes) with sync on, while a second thread in it runs value-log GC and flattens the tree;
// small memtables and levels keep flushes and compactions going. Before each commit the child
// appends the transaction to DIR/expected.log, and once the commit returns it appends an
// acknowledgement. The parent SIGKILLs the child after a random delay, reopens the database
// (DIR/db), and checks every key against the acknowledged state: each acknowledged transaction
// whole, the one in flight either whole or not at all, no other key. It records how the one in
// flight ended, so a later run resumes, and `--iterations 0` only verifies.

#ifndef SETT_TOOLS_CRASHTEST_COMMAND_H_
#define SETT_TOOLS_CRASHTEST_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddCrashtestCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_CRASHTEST_COMMAND_H_
