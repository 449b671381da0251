// `settfs send TARGET NAME [--from OLDER] > FILE` and `settfs receive DBDIR < FILE`: a
// snapshot copied to another database, whole or as the changes since an older snapshot
// (send_stream.h), so that a chain of incremental streams keeps two filesystems in step.
//
// send reads from a mounted filesystem through its daemon (control_channel.h) or from an
// unmounted DBDIR. receive takes an unmounted (or new) DBDIR: it keeps the stream in a file
// until all of it has arrived and its checksum matches, checks that the target holds the
// stream's base snapshot (by id) unchanged since, then applies it as one step (tree_changes.h)
// and creates the snapshot under the sender's name and id. A damaged, cut or out-of-order
// stream is refused and leaves the target as it was.

#ifndef SETTFS_TOOLS_SEND_RECEIVE_H_
#define SETTFS_TOOLS_SEND_RECEIVE_H_

#include <CLI/CLI.hpp>
#include <string>

#include "control_channel.h"
#include "sett/db.h"

namespace settfs {

void AddSendReceiveCommands(CLI::App* app, int* exit_code);

// Whether a control request is a send, and the daemon's answer to one.
bool IsSendRequest(const std::string& request);
void AnswerSendRequest(sett::DB* db, const std::string& request, const ControlWriter& write);

}  // namespace settfs

#endif  // SETTFS_TOOLS_SEND_RECEIVE_H_
