// `sett stream DIR --out NEWDIR [--compression C] [--zstd-level N] [--block-size B]
// [--out-encryption-key-file F]`: copies
// the newest version of every key of DIR into a new database with other table options, through
// DB::Stream and a StreamWriter (as `badger stream`).

#ifndef SETT_TOOLS_STREAM_COMMAND_H_
#define SETT_TOOLS_STREAM_COMMAND_H_

#include <CLI/CLI.hpp>

namespace sett::tools {

void AddStreamCommand(CLI::App* app, int* exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_STREAM_COMMAND_H_
