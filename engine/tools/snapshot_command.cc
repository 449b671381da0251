#include "snapshot_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "open_db.h"
#include "sett/db.h"
#include "tools/common/format.h"

namespace sett::tools {
namespace {

struct SnapshotArgs {
  std::string dir;
  std::string name;
};

int Report(const char* action, const SnapshotArgs& args, const Status& s) {
  if (s.ok()) return 0;
  std::fprintf(stderr, "sett snapshot %s: %s: %s\n", action, args.dir.c_str(),
               s.ToString().c_str());
  return s.IsNotFound() || s.IsAlreadyExists() || s.IsInvalidArgument() ? 3 : 1;
}

int RunCreate(const SnapshotArgs& args) {
  auto db = OpenForCommand("snapshot create", args.dir, OpenMode::kReadWrite);
  if (db == nullptr) return 1;
  SnapshotInfo info;
  Status s = db->CreateSnapshot(args.name, &info);
  if (s.ok()) {
    std::printf("created snapshot %s at version %llu\n", info.name.c_str(),
                static_cast<unsigned long long>(info.read_ts));
  }
  return CloseForCommand("snapshot create", std::move(db), Report("create", args, s));
}

int RunDelete(const SnapshotArgs& args) {
  auto db = OpenForCommand("snapshot delete", args.dir, OpenMode::kReadWrite);
  if (db == nullptr) return 1;
  Status s = db->DeleteSnapshot(args.name);
  if (s.ok()) std::printf("deleted snapshot %s\n", args.name.c_str());
  return CloseForCommand("snapshot delete", std::move(db), Report("delete", args, s));
}

int RunList(const SnapshotArgs& args) {
  auto db = OpenForCommand("snapshot list", args.dir, OpenMode::kReadOnly);
  if (db == nullptr) return 1;
  std::vector<SnapshotInfo> list = db->ListSnapshots();
  if (!list.empty()) std::printf("%-20s %12s  %s\n", "NAME", "VERSION", "CREATED");
  for (const SnapshotInfo& info : list) {
    std::printf("%-20s %12llu  %s\n", info.name.c_str(),
                static_cast<unsigned long long>(info.read_ts), LocalTime(info.created).c_str());
  }
  return CloseForCommand("snapshot list", std::move(db), 0);
}

}  // namespace

void AddSnapshotCommand(CLI::App* app, int* exit_code) {
  CLI::App* cmd = app->add_subcommand(
      "snapshot", "Named snapshots: read timestamps kept (with what they read) until deleted");
  cmd->require_subcommand(1);
  auto args = std::make_shared<SnapshotArgs>();
  CLI::App* create = cmd->add_subcommand(
      "create", "Record the current state under NAME (copies nothing; exit 3 if NAME is taken)");
  create->add_option("dir", args->dir, "Database directory")->required();
  create->add_option("name", args->name, "Snapshot name (no '/', at most 255 bytes)")->required();
  create->callback([args, exit_code] { *exit_code = RunCreate(*args); });
  CLI::App* list = cmd->add_subcommand("list", "List snapshots, oldest first");
  list->add_option("dir", args->dir, "Database directory")->required();
  list->callback([args, exit_code] { *exit_code = RunList(*args); });
  CLI::App* del = cmd->add_subcommand(
      "delete", "Delete snapshot NAME; compaction and GC then reclaim what only it held");
  del->add_option("dir", args->dir, "Database directory")->required();
  del->add_option("name", args->name, "Snapshot name")->required();
  del->callback([args, exit_code] { *exit_code = RunDelete(*args); });
}

}  // namespace sett::tools
