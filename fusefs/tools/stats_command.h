// `settfs stats TARGET [--once] [--json] [--interval SEC] [--count N]`: what a mounted
// settfs is doing, every interval, as iostat shows a disk: FUSE requests per second by kind
// with their average latency, bytes read and written, the block cache's hit rate, commits
// that lost a conflict (and were run again), and the engine's flushes, compactions, value-log
// GC and write stalls. The daemon answers "stats" on its control channel (control_channel.h).

#ifndef SETTFS_TOOLS_STATS_COMMAND_H_
#define SETTFS_TOOLS_STATS_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "fuse/op_stats.h"
#include "sett/db.h"

namespace settfs {

void AddStatsCommand(CLI::App* app, int* exit_code);

// The daemon's answer to "stats": "ok", its requests (OpStats::Lines) and "engine NAME VALUE"
// lines of the engine's metrics.
std::string AnswerStatsRequest(const OpStats& ops, sett::DB* db);

}  // namespace settfs

#endif  // SETTFS_TOOLS_STATS_COMMAND_H_
