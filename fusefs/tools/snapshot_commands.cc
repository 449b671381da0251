#include "snapshot_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

#include "control_channel.h"
#include "mount_table.h"
#include "settfs_store.h"
#include "tools/common/format.h"
#include "tree_changes.h"

namespace settfs {
namespace {

using sett::SnapshotInfo;
using sett::Status;

// Exit codes: 3 for a name that is taken, missing or not allowed.
constexpr int kExitFailed = 1, kExitName = 3;

int ExitCodeOf(const Status& s) {
  if (s.ok()) return 0;
  return s.IsNotFound() || s.IsAlreadyExists() || s.IsInvalidArgument() ? kExitName : kExitFailed;
}

// Answer lines: "ok" then data lines, or "error CODE MESSAGE".
std::string ErrorAnswer(const Status& s) {
  std::string message = s.ToString();
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  return "error " + std::to_string(ExitCodeOf(s)) + " " + message + "\n";
}

// For each snapshot (in ListSnapshots order), the bytes of the versions that it alone reads:
// what deleting it would give back (keys, and values before compression). One pass over every
// version kept: a version is read by the snapshots whose timestamp lies between it and the
// next newer version of its key, and by the live tree when it is the newest.
Status ExclusiveBytes(sett::DB* db, const std::vector<SnapshotInfo>& snapshots,
                      std::vector<uint64_t>* bytes) {
  bytes->assign(snapshots.size(), 0);
  std::vector<std::pair<uint64_t, size_t>> by_ts;  // (read_ts, index), ascending.
  for (size_t i = 0; i < snapshots.size(); i++) by_ts.emplace_back(snapshots[i].read_ts, i);
  std::sort(by_ts.begin(), by_ts.end());
  sett::ReadOptions options;
  options.all_versions = true;
  options.key_only = true;
  std::unique_ptr<sett::Iterator> it = db->NewIterator(options);
  std::string key;
  uint64_t newer = 0;  // The next newer version of `key`; 0: none (the newest, read live).
  for (it->Rewind(); it->Valid(); it->Next()) {
    if (it->key() != key) {
      key = std::string(it->key());
      newer = 0;
    }
    const uint64_t version = it->version();
    if (newer != 0) {
      auto first = std::lower_bound(by_ts.begin(), by_ts.end(), std::make_pair(version, size_t{0}));
      auto end = std::lower_bound(by_ts.begin(), by_ts.end(), std::make_pair(newer, size_t{0}));
      if (end - first == 1) {
        (*bytes)[first->second] += key.size() + (it->deleted() ? 0 : it->value_size());
      }
    }
    newer = version;
  }
  return it->status();
}

std::string ListLines(sett::DB* db, bool space) {
  std::vector<SnapshotInfo> snapshots = db->ListSnapshots();
  std::vector<uint64_t> bytes;
  if (space) {
    Status s = ExclusiveBytes(db, snapshots, &bytes);
    if (!s.ok()) return ErrorAnswer(s);
  }
  std::string out = "ok\n";
  for (size_t i = 0; i < snapshots.size(); i++) {
    const SnapshotInfo& info = snapshots[i];
    out += info.name + "\t" + std::to_string(info.read_ts) + "\t" + std::to_string(info.created) +
           "\t" + (space ? std::to_string(bytes[i]) : "-") + "\n";
  }
  return out;
}

// Asks the kernel to write back what it caches for the mount, so that a snapshot holds every
// write made before it was asked for.
Status WriteBackKernelCache(const std::string& mountpoint) {
  int fd = ::open(mountpoint.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("opening " + mountpoint, errno);
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError("syncfs " + mountpoint, err);
}

// Runs one request against an open database; the answer as the daemon gives it.
std::string Answer(sett::DB* db, const std::string& request) {
  std::string verb = request.substr(0, request.find(' '));
  std::string name = request.size() > verb.size() ? request.substr(verb.size() + 1) : "";
  Status s;
  if (verb == "create") {
    SnapshotInfo info;
    s = db->CreateSnapshot(name, &info);
    if (s.ok()) return "ok\n" + std::to_string(info.read_ts) + "\n";
  } else if (verb == "delete") {
    s = db->DeleteSnapshot(name);
    if (s.ok()) return "ok\n";
  } else if (verb == "list" || verb == "list-space") {
    return ListLines(db, verb == "list-space");
  } else {
    s = Status::InvalidArgument("unknown snapshot request '" + verb + "'");
  }
  return ErrorAnswer(s);
}

struct SnapshotArgs {
  std::string target;
  std::string name;
  bool space = false;  // list: with the bytes each one alone holds.
};

// Sends the request to the daemon serving target, or runs it on the database directly when
// none does. Returns the answer in the daemon's form.
std::string Run(const SnapshotArgs& args, const std::string& request, bool writes) {
  if (request.find('\n') != std::string::npos) {
    return ErrorAnswer(Status::InvalidArgument("a snapshot name holds no newline"));
  }
  const std::string dbdir = DatabaseDirOf(args.target);
  std::string answer;
  Status s = SendControlRequest(dbdir, "snapshot " + request, &answer);
  if (s.ok()) return answer;
  if (!s.IsNotFound()) return ErrorAnswer(s);
  StoreConfig config;
  config.dir = dbdir;
  config.read_only = !writes;
  config.needs_engine = "settfs snapshot";
  std::unique_ptr<SettfsStore> store;
  s = SettfsStore::Open(config, &store);
  if (!s.ok()) {
    return ErrorAnswer(Status::IOError("cannot open " + dbdir + ": " + s.ToString()));
  }
  answer = Answer(store->db(), request);
  s = store->Close();
  if (!s.ok() && answer.rfind("ok\n", 0) == 0) answer = ErrorAnswer(s);
  return answer;
}

// Prints an error answer for the command; returns the exit code, or -1 for "ok".
int CheckAnswer(const char* command, const std::string& answer) {
  if (answer.rfind("ok\n", 0) == 0) return -1;
  int code = kExitFailed;
  std::string message = answer;
  if (answer.rfind("error ", 0) == 0 && answer.size() > 8) {
    code = answer[6] - '0';
    message = answer.substr(8);
  }
  if (code < 1 || code > 9) code = kExitFailed;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::fprintf(stderr, "settfs snapshot %s: %s\n", command, message.c_str());
  return code;
}

int RunCreate(const SnapshotArgs& args) {
  std::string answer = Run(args, "create " + args.name, true);
  int code = CheckAnswer("create", answer);
  if (code >= 0) return code;
  std::printf("created snapshot %s at version %s", args.name.c_str(), answer.substr(3).c_str());
  return 0;
}

int RunDelete(const SnapshotArgs& args) {
  int code = CheckAnswer("delete", Run(args, "delete " + args.name, true));
  if (code >= 0) return code;
  std::printf("deleted snapshot %s\n", args.name.c_str());
  return 0;
}

int RunList(const SnapshotArgs& args) {
  std::string answer = Run(args, args.space ? "list-space" : "list", false);
  int code = CheckAnswer("list", answer);
  if (code >= 0) return code;
  std::istringstream lines(answer.substr(3));
  std::string line;
  bool header = false;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name, version, created, space;
    if (!std::getline(fields, name, '\t') || !std::getline(fields, version, '\t') ||
        !std::getline(fields, created, '\t') || !std::getline(fields, space)) {
      continue;
    }
    if (!header) {
      std::printf("%-24s %12s  %-19s%s\n", "NAME", "VERSION", "CREATED",
                  args.space ? "  FREED BY DELETING" : "");
    }
    header = true;
    std::string freed = args.space ? "  " + sett::tools::HumanBytes(std::stoull(space)) : "";
    std::printf("%-24s %12s  %-19s%s\n", name.c_str(), version.c_str(),
                sett::tools::LocalTime(std::strtoll(created.c_str(), nullptr, 10)).c_str(),
                freed.c_str());
  }
  return 0;
}

struct RollbackArgs {
  std::string dbdir;
  std::string name;
};

int RunRollback(const RollbackArgs& args) {
  const std::string dbdir = Absolute(args.dbdir);
  StoreConfig config;
  config.dir = dbdir;
  config.needs_engine = "settfs rollback";
  std::unique_ptr<SettfsStore> store;
  Status s = SettfsStore::Open(config, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "settfs rollback: cannot open %s: %s%s\n", dbdir.c_str(),
                 s.ToString().c_str(), s.IsBusy() ? " (unmount it first)" : "");
    return kExitFailed;
  }
  sett::DB* db = store->db();
  SnapshotInfo info;
  s = db->FindSnapshot(args.name, &info);
  std::unique_ptr<BulkChange> change;
  if (s.ok()) s = BulkChange::Begin(db, "rollback " + args.name, &change);
  if (s.ok()) {
    s = DiffStates(db, db->LatestVersion(), info.read_ts,
                   [&](const KeyChange& c) { return change->Add(c); });
  }
  if (s.ok()) s = change->Finish();
  Status closed = store->Close();
  if (s.ok()) s = closed;
  if (!s.ok()) {
    std::fprintf(stderr, "settfs rollback: %s: %s%s\n", dbdir.c_str(), s.ToString().c_str(),
                 change != nullptr ? " (run the command again to finish)" : "");
    return ExitCodeOf(s);
  }
  std::printf("rolled back to %s: %llu keys changed\n", args.name.c_str(),
              static_cast<unsigned long long>(change->changes()));
  return 0;
}

}  // namespace

bool IsSnapshotRequest(const std::string& request) { return request.rfind("snapshot ", 0) == 0; }

std::string SnapshotNameChanged(const std::string& request) {
  for (const char* verb : {"snapshot create ", "snapshot delete "}) {
    if (request.rfind(verb, 0) == 0) return request.substr(std::strlen(verb));
  }
  return "";
}

std::string AnswerSnapshotRequest(sett::DB* db, const std::string& mountpoint,
                                  const std::string& request) {
  if (!IsSnapshotRequest(request)) return ErrorAnswer(Status::InvalidArgument("unknown request"));
  std::string rest = request.substr(9);
  if (rest.rfind("create ", 0) == 0) {
    Status s = WriteBackKernelCache(mountpoint);
    if (!s.ok()) return ErrorAnswer(s);
  }
  return Answer(db, rest);
}

void AddRollbackCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<RollbackArgs>();
  CLI::App* cmd = app->add_subcommand(
      "rollback",
      "Make the live tree of an unmounted filesystem what snapshot NAME holds, as one step "
      "(every snapshot is kept, later ones too)");
  cmd->add_option("DBDIR", args->dbdir, "The database directory (not mounted)")->required();
  cmd->add_option("NAME", args->name, "The snapshot to go back to")->required();
  cmd->footer(
      "If it is cut short, the filesystem will not mount until the same command is run again.");
  cmd->callback([args, exit_code] { *exit_code = RunRollback(*args); });
}

void AddSnapshotCommand(CLI::App* app, int* exit_code) {
  CLI::App* cmd = app->add_subcommand(
      "snapshot",
      "Named, read-only snapshots of the whole filesystem (instant; mounted or not). Read one "
      "with settfs mount -o snapshot=NAME DBDIR MOUNTPOINT");
  cmd->require_subcommand(1);
  auto args = std::make_shared<SnapshotArgs>();
  const char* kTarget = "A settfs mount point, or the database directory of one";
  CLI::App* create = cmd->add_subcommand(
      "create", "Snapshot the filesystem as NAME (exit 3 when NAME is taken or not allowed)");
  create->add_option("TARGET", args->target, kTarget)->required();
  create->add_option("NAME", args->name, "1 to 255 bytes, no '/' or control characters")
      ->required();
  create->callback([args, exit_code] { *exit_code = RunCreate(*args); });
  CLI::App* list = cmd->add_subcommand("list", "List the snapshots, oldest first");
  list->add_option("TARGET", args->target, kTarget)->required();
  list->add_flag("--space", args->space,
                 "Also the bytes that deleting each snapshot would free (reads every version "
                 "of every key: takes a while on a large filesystem)");
  list->callback([args, exit_code] { *exit_code = RunList(*args); });
  CLI::App* del = cmd->add_subcommand(
      "delete", "Delete snapshot NAME; its space comes back as GC runs (exit 3 when absent)");
  del->add_option("TARGET", args->target, kTarget)->required();
  del->add_option("NAME", args->name, "The snapshot")->required();
  del->callback([args, exit_code] { *exit_code = RunDelete(*args); });
}

}  // namespace settfs
