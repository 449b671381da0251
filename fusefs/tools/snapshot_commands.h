// `settfs snapshot create|list|delete TARGET [NAME]`: named snapshots of a settfs filesystem.
// TARGET is a mount point or a database directory. While the filesystem is mounted its daemon
// holds the database, so the command asks the daemon (control_channel.h), which writes the
// kernel's cached writes back first (syncfs) so that a snapshot holds everything written
// before the command; otherwise the command opens the database itself.
//
// A snapshot is read through `settfs mount -o snapshot=NAME DBDIR MOUNTPOINT` (read-only).
// `settfs rollback DBDIR NAME` makes the live tree of an unmounted filesystem the snapshot's
// (tree_changes.h).

#ifndef SETTFS_TOOLS_SNAPSHOT_COMMANDS_H_
#define SETTFS_TOOLS_SNAPSHOT_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "sett/db.h"

namespace settfs {

void AddSnapshotCommand(CLI::App* app, int* exit_code);
// `settfs rollback DBDIR NAME`.
void AddRollbackCommand(CLI::App* app, int* exit_code);

// The daemon's answer to a control request about snapshots of db, mounted on mountpoint.
std::string AnswerSnapshotRequest(sett::DB* db, const std::string& mountpoint,
                                  const std::string& request);
// Whether a control request is one that AnswerSnapshotRequest answers.
bool IsSnapshotRequest(const std::string& request);
// The name of the snapshot a create or delete request is about, or "".
std::string SnapshotNameChanged(const std::string& request);

}  // namespace settfs

#endif  // SETTFS_TOOLS_SNAPSHOT_COMMANDS_H_
