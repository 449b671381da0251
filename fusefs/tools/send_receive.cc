#include "send_receive.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/codec.h"
#include "core/keys.h"
#include "mount_table.h"
#include "send_stream.h"
#include "settfs_store.h"
#include "tree_changes.h"

namespace settfs {
namespace {

using sett::SnapshotInfo;
using sett::Status;

constexpr int kExitFailed = 1, kExitRefused = 3;

struct SendArgs {
  std::string target;
  std::string name;
  std::string from;  // Empty: a full stream.
};

// Writes the stream of args' snapshots in db to out.
Status EncodeSend(sett::DB* db, const std::string& name, const std::string& from,
                  const StreamWriter::Sink& out, uint64_t* records) {
  SnapshotInfo to, base;
  Status s = db->FindSnapshot(name, &to);
  if (s.ok() && !from.empty()) s = db->FindSnapshot(from, &base);
  if (!s.ok()) return s;
  if (!from.empty() && base.read_ts >= to.read_ts) {
    return Status::InvalidArgument("snapshot " + from + " is not older than " + name);
  }
  StreamWriter writer(StreamHeader{from.empty() ? "" : base.id, to.name, to.id}, out);
  s = DiffStates(db, from.empty() ? 0 : base.read_ts, to.read_ts,
                 [&](const KeyChange& c) { return writer.Add(c); });
  if (s.ok()) s = writer.Finish();
  *records = writer.records();
  return s;
}

Status WriteToStdout(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
    return Status::IOError("writing the stream to standard output", errno);
  }
  return Status::OK();
}

// Through the daemon: "ok\n" then the stream, or "error CODE MESSAGE\n".
Status SendThroughDaemon(const std::string& dbdir, const SendArgs& args, bool* served) {
  std::string first_line;
  bool in_stream = false;
  std::string tail;  // The stream's last bytes, to see that it ended whole.
  Status written;
  Status s = SendControlRequest(dbdir, "send " + args.name + "\t" + args.from,
                                [&](std::string_view bytes) {
                                  if (!in_stream) {
                                    size_t newline = bytes.find('\n');
                                    first_line.append(bytes.substr(0, newline));
                                    if (newline == std::string_view::npos)
                                      return first_line.size() < 4096;
                                    in_stream = first_line == "ok";
                                    if (!in_stream) return false;
                                    bytes.remove_prefix(newline + 1);
                                  }
                                  tail.append(bytes);
                                  if (tail.size() > 17) tail.erase(0, tail.size() - 17);
                                  written = WriteToStdout(bytes);
                                  return written.ok();
                                });
  *served = !s.IsNotFound();
  if (!s.ok()) return s;
  if (!written.ok()) return written;
  if (!in_stream) {
    return Status::IOError(first_line.rfind("error ", 0) == 0 && first_line.size() > 8
                               ? first_line.substr(8)
                               : "the daemon did not answer");
  }
  if (tail.size() != 17 || tail[0] != 'E') {
    return Status::IOError("the daemon stopped before the end of the stream (see its log)");
  }
  return Status::OK();
}

int RunSend(const SendArgs& args) {
  if (::isatty(STDOUT_FILENO)) {
    std::fprintf(stderr, "settfs send: the stream is binary: send it to a file or a pipe\n");
    return 2;
  }
  const std::string dbdir = DatabaseDirOf(args.target);
  bool served = false;
  uint64_t records = 0;
  Status s = SendThroughDaemon(dbdir, args, &served);
  if (!served) {
    StoreConfig config;
    config.dir = dbdir;
    config.read_only = true;
    config.needs_engine = "settfs send";
    std::unique_ptr<SettfsStore> store;
    s = SettfsStore::Open(config, &store);
    if (s.ok()) s = EncodeSend(store->db(), args.name, args.from, WriteToStdout, &records);
    if (store != nullptr) {
      Status closed = store->Close();
      if (s.ok()) s = closed;
    }
  }
  if (s.ok() && std::fflush(stdout) != 0) s = Status::IOError("standard output", errno);
  if (!s.ok()) {
    std::fprintf(stderr, "settfs send: %s: %s\n", dbdir.c_str(), s.ToString().c_str());
    return s.IsNotFound() || s.IsInvalidArgument() ? kExitRefused : kExitFailed;
  }
  if (!served) {
    std::fprintf(stderr, "sent %s%s: %llu changes\n", args.name.c_str(),
                 args.from.empty() ? "" : (" since " + args.from).c_str(),
                 static_cast<unsigned long long>(records));
  }
  return 0;
}

// Copies standard input into path.
Status Spool(const std::string& path, uint64_t* bytes) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return Status::IOError("creating " + path, errno);
  std::string buf(1 << 20, '\0');
  size_t n;
  *bytes = 0;
  Status s;
  while ((n = std::fread(buf.data(), 1, buf.size(), stdin)) > 0) {
    if (std::fwrite(buf.data(), 1, n, out) != n) {
      s = Status::IOError("writing " + path, errno);
      break;
    }
    *bytes += n;
  }
  if (s.ok() && std::ferror(stdin)) s = Status::IOError("reading standard input", errno);
  if (std::fclose(out) != 0 && s.ok()) s = Status::IOError("writing " + path, errno);
  return s;
}

// The snapshot of db whose id is id.
Status FindById(sett::DB* db, const std::string& id, SnapshotInfo* info) {
  for (const SnapshotInfo& candidate : db->ListSnapshots()) {
    if (candidate.id == id) {
      *info = candidate;
      return Status::OK();
    }
  }
  return Status::NotFound("the stream's base snapshot (id " + id +
                          ") is not here: receive the streams before it first");
}

// Checks that the stream fits the target; *rollback_to is the base's timestamp when the live
// tree must first go back to it (finishing an interrupted receive), else 0.
Status CheckTarget(sett::DB* db, const StreamHeader& header, uint64_t* rollback_to) {
  *rollback_to = 0;
  std::string pending;
  Status s = db->Get(sett::ReadOptions(), kPendingKey, &pending);
  if (!s.ok() && !s.IsNotFound()) return s;
  const bool resuming = s.ok() && pending == "receive " + header.to_name;
  SnapshotInfo taken;
  if (db->FindSnapshot(header.to_name, &taken).ok()) {
    return Status::AlreadyExists("a snapshot named " + header.to_name + " is here already");
  }
  if (header.from_id.empty()) {
    std::string sb;
    s = db->Get(sett::ReadOptions(), kSuperblockKey, &sb);
    if (s.ok() && !resuming) {
      return Status::InvalidArgument(
          "a full stream goes into a new database directory, and this one holds a filesystem");
    }
    return s.IsNotFound() || s.ok() ? Status::OK() : s;
  }
  SnapshotInfo base;
  s = FindById(db, header.from_id, &base);
  if (!s.ok()) return s;
  bool changed = false;
  s = DiffStates(
      db, base.read_ts, db->LatestVersion(),
      [&](const KeyChange&) {
        changed = true;
        return Status::Aborted("changed");
      },
      /*compare_values=*/true);
  if (!s.ok() && !changed) return s;
  if (changed && !resuming) {
    return Status::InvalidArgument("the filesystem changed since snapshot " + base.name +
                                   ", the stream's base: settfs rollback it to " + base.name +
                                   " first");
  }
  if (changed) *rollback_to = base.read_ts;
  return Status::OK();
}

// Moves the inode-number sequence past every inode the tree now holds (the stream brings the
// sender's inodes; sequences are never part of a stream): no number is handed out twice.
Status AdvanceSequence(sett::DB* db, BulkChange* change) {
  sett::ReadOptions options;
  options.prefix = TagPrefix(KeyTag::kInode);
  options.reverse = true;
  options.key_only = true;
  std::unique_ptr<sett::Iterator> it = db->NewIterator(options);
  it->Rewind();
  while (it->Valid() && ClassifyKey(it->key()) != KeyTag::kInode) it->Next();
  if (!it->status().ok() || !it->Valid()) return it->status();
  const uint64_t needed = KeyIno(it->key()) + 1;
  std::string stored;
  Status s = db->Get(sett::ReadOptions(), kSequenceKey, &stored);
  if (!s.ok() && !s.IsNotFound()) return s;
  const uint64_t next = s.ok() && stored.size() == 8 ? Reader(stored).U64() : 0;
  if (next >= needed) return Status::OK();
  std::string value;
  PutU64(&value, needed);
  return change->Add(KeyChange{kSequenceKey, false, value});
}

Status Apply(sett::DB* db, StreamReader* reader, uint64_t rollback_to) {
  const StreamHeader& header = reader->header();
  std::unique_ptr<BulkChange> change;
  Status s = BulkChange::Begin(db, "receive " + header.to_name, &change);
  if (s.ok() && rollback_to != 0) {
    s = DiffStates(db, db->LatestVersion(), rollback_to,
                   [&](const KeyChange& c) { return change->Add(c); });
    if (s.ok()) s = change->Flush();
  }
  if (s.ok()) s = reader->ForEach([&](const KeyChange& c) { return change->Add(c); });
  if (s.ok()) s = change->Flush();
  if (s.ok()) s = AdvanceSequence(db, change.get());
  if (s.ok()) s = change->Finish();
  if (s.ok()) s = db->CreateSnapshot(header.to_name, nullptr, header.to_id);
  return s;
}

int RunReceive(const std::string& dbdir_arg) {
  if (::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "settfs receive: reads a stream from settfs send on standard input\n");
    return 2;
  }
  const std::string dbdir = Absolute(dbdir_arg);
  StoreConfig config;
  config.dir = dbdir;
  config.create = true;
  config.needs_engine = "settfs receive";
  std::unique_ptr<SettfsStore> store;
  Status s = SettfsStore::Open(config, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "settfs receive: cannot open %s: %s%s\n", dbdir.c_str(),
                 s.ToString().c_str(), s.IsBusy() ? " (unmount it first)" : "");
    return kExitFailed;
  }
  const std::string spool = dbdir + "/RECEIVE.tmp";
  uint64_t bytes = 0;
  std::unique_ptr<StreamReader> reader;
  uint64_t rollback_to = 0;
  s = Spool(spool, &bytes);
  if (s.ok()) s = StreamReader::Open(spool, &reader);
  if (s.ok()) s = reader->Verify();
  if (s.ok()) s = CheckTarget(store->db(), reader->header(), &rollback_to);
  const bool checked = s.ok();
  if (s.ok()) s = Apply(store->db(), reader.get(), rollback_to);
  const std::string name = reader != nullptr ? reader->header().to_name : "";
  const uint64_t records = reader != nullptr ? reader->records() : 0;
  reader.reset();
  ::unlink(spool.c_str());
  Status closed = store->Close();
  if (s.ok()) s = closed;
  if (!s.ok()) {
    std::fprintf(stderr, "settfs receive: %s: %s%s\n", dbdir.c_str(), s.ToString().c_str(),
                 checked ? " (run the same receive again to finish it)" : " (nothing was changed)");
    return checked ? kExitFailed : kExitRefused;
  }
  std::printf("received snapshot %s: %llu changes, %llu bytes\n", name.c_str(),
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(bytes));
  return 0;
}

}  // namespace

bool IsSendRequest(const std::string& request) { return request.rfind("send ", 0) == 0; }

void AnswerSendRequest(sett::DB* db, const std::string& request, const ControlWriter& write) {
  std::string rest = request.substr(5);
  size_t tab = rest.find('\t');
  std::string name = rest.substr(0, tab),
              from = tab == std::string::npos ? "" : rest.substr(tab + 1);
  SnapshotInfo to;
  Status s = db->FindSnapshot(name, &to);
  if (s.ok() && !from.empty()) s = db->FindSnapshot(from, &to);
  if (!s.ok()) {
    write("error " + std::to_string(kExitRefused) + " " + s.ToString() + "\n");
    return;
  }
  if (!write("ok\n")) return;
  uint64_t records = 0;
  EncodeSend(
      db, name, from,
      [&](std::string_view bytes) {
        return write(bytes) ? Status::OK() : Status::IOError("the receiver went away");
      },
      &records)
      .IgnoreError();  // Cut short: the stream has no end, which the command reports.
}

void AddSendReceiveCommands(CLI::App* app, int* exit_code) {
  auto send = std::make_shared<SendArgs>();
  CLI::App* cmd = app->add_subcommand(
      "send",
      "Write snapshot NAME as a stream (all of it, or --from an older snapshot only what "
      "changed) to standard output, for settfs receive");
  cmd->add_option("TARGET", send->target, "A settfs mount point, or a database directory")
      ->required();
  cmd->add_option("NAME", send->name, "The snapshot to send")->required();
  cmd->add_option("--from", send->from,
                  "An older snapshot that the receiver holds: send only the changes since it");
  cmd->callback([send, exit_code] { *exit_code = RunSend(*send); });

  auto dbdir = std::make_shared<std::string>();
  CLI::App* recv = app->add_subcommand(
      "receive",
      "Apply a stream from settfs send to an unmounted DBDIR (a new one for a full stream) as "
      "one step, and create its snapshot there");
  recv->add_option("DBDIR", *dbdir, "The database directory")->required();
  recv->footer(
      "A damaged or cut stream, or one whose base snapshot is missing or changed, is refused "
      "and leaves DBDIR as it was (exit 3).");
  recv->callback([dbdir, exit_code] { *exit_code = RunReceive(*dbdir); });
}

}  // namespace settfs
