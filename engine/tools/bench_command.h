// `sett bench write|read DIR ...`: synthetic load, like BadgerDB's `badger benchmark`.
//
// Keys are 16 hex digits of a bijective mix of (seed, i), so N keys are distinct, arrive in
// random order, and the same seed gives the same keys (a second write overwrites each one).
// Values are half random, half compressible, and start with a checksum of key and value, so
// that `bench read` checks every value it reads without knowing how it was written.

#ifndef SETT_TOOLS_BENCH_COMMAND_H_
#define SETT_TOOLS_BENCH_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddBenchCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_BENCH_COMMAND_H_
