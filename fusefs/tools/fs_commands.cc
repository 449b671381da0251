#include "fs_commands.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/checker.h"
#include "core/summary.h"
#include "settfs_store.h"
#include "tools/common/format.h"
#include "tools/common/info_print.h"
#include "tools/common/key_file.h"
#include "tools/common/progress.h"

namespace settfs {
namespace {

using sett::Status;
using sett::tools::HumanBytes;

constexpr int kFsckClean = 0, kFsckRepaired = 1, kFsckProblemsLeft = 4, kFsckFailed = 8;

// Opens dir for a command, or prints why not.
std::unique_ptr<SettfsStore> OpenFor(const char* command, const std::string& dir, bool read_only,
                                     bool create) {
  StoreConfig config;
  config.dir = dir;
  config.read_only = read_only;
  config.create = create;
  std::unique_ptr<SettfsStore> store;
  Status s = SettfsStore::Open(config, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "settfs %s: cannot open %s: %s\n", command, dir.c_str(),
                 s.ToString().c_str());
    return nullptr;
  }
  return store;
}

int Close(const char* command, std::unique_ptr<SettfsStore> store, int code) {
  Status s = store->Close();
  if (s.ok()) return code;
  std::fprintf(stderr, "settfs %s: closing: %s\n", command, s.ToString().c_str());
  return code == 0 ? 1 : code;
}

struct MkfsArgs {
  std::string dir;
  uint32_t block_size = 4096;
  std::string compression = "snappy";
  bool compression_given = false;
  bool encrypt = false;
};

int RunMkfs(const MkfsArgs& args) {
  sett::Compression compression;
  if (!sett::ParseCompression(args.compression, &compression)) {
    std::fprintf(stderr, "settfs mkfs: unknown compression '%s' (none, snappy or zstd)\n",
                 args.compression.c_str());
    return 2;
  }
  if (args.encrypt != !sett::tools::KeyFilePath().empty()) {
    std::fprintf(stderr, "settfs mkfs: %s\n",
                 args.encrypt ? "--encrypt needs the key: --key-file FILE"
                              : "--key-file is for an encrypted filesystem: add --encrypt");
    return 2;
  }
  const bool postgres = SettfsStore::IsPostgres(args.dir);
  if (postgres && args.compression_given) {
    std::fprintf(stderr,
                 "settfs mkfs: --compression is not supported on a PostgreSQL store (the "
                 "server compresses large values itself)\n");
    return 2;
  }
  std::unique_ptr<SettfsStore> store = OpenFor("mkfs", args.dir, false, true);
  if (store == nullptr) return 1;
  Status s = store->Format(args.block_size, compression, ::getuid(), ::getgid());
  if (!s.ok()) {
    std::fprintf(stderr, "settfs mkfs: %s\n", s.ToString().c_str());
    return Close("mkfs", std::move(store), 1);
  }
  std::printf("made a%s settfs filesystem in %s: block size %u, %s\n",
              args.encrypt ? "n encrypted" : "", args.dir.c_str(), args.block_size,
              postgres
                  ? "compressed by the server"
                  : (std::string(sett::CompressionName(compression)) + " compression").c_str());
  return Close("mkfs", std::move(store), 0);
}

struct FsckArgs {
  std::string dir;
  bool repair = false;
};

// Checks the tree of every named snapshot of db; their problems, named by snapshot, go to
// *problems.
Status CheckSnapshots(sett::DB* db, std::vector<std::string>* problems) {
  for (const sett::SnapshotInfo& info : db->ListSnapshots()) {
    SettKvStore at_snapshot(db);
    Status s = at_snapshot.set_snapshot(info.name);
    CheckReport report;
    if (s.ok()) s = Check(&at_snapshot, CheckOptions(), &report);
    if (!s.ok()) return Status::Corruption("snapshot " + info.name + ": " + s.ToString());
    for (const std::string& problem : report.problems) {
      problems->push_back("snapshot " + info.name + ": " + problem);
    }
    std::printf("snapshot %s: %llu inodes, %llu entries, %llu data blocks\n", info.name.c_str(),
                static_cast<unsigned long long>(report.inodes),
                static_cast<unsigned long long>(report.entries),
                static_cast<unsigned long long>(report.blocks));
  }
  return Status::OK();
}

// Prints what fsck found and closes the store; the exit status.
int FsckVerdict(const FsckArgs& args, const CheckReport& report,
                const std::vector<std::string>& snapshot_problems, const std::string& damage,
                std::unique_ptr<SettfsStore> store) {
  for (const std::string& problem : report.problems) std::printf("problem: %s\n", problem.c_str());
  for (const std::string& problem : snapshot_problems) {
    std::printf("problem: %s\n", problem.c_str());
  }
  if (!damage.empty()) std::printf("problem: %s\n", damage.c_str());
  std::printf("%s: %llu inodes (%llu directories), %llu entries, %llu data blocks, %llu keys\n",
              args.dir.c_str(), static_cast<unsigned long long>(report.inodes),
              static_cast<unsigned long long>(report.directories),
              static_cast<unsigned long long>(report.entries),
              static_cast<unsigned long long>(report.blocks),
              static_cast<unsigned long long>(report.keys));
  if (report.orphans > 0) {
    std::printf("%llu files unlinked while open await reclaiming%s\n",
                static_cast<unsigned long long>(report.orphans),
                args.repair ? ": reclaimed" : " (by the next mount, or fsck --repair)");
  }
  int code = kFsckClean;
  if (!snapshot_problems.empty()) {
    std::printf(
        "%zu problems in snapshots, which are read-only: fsck --repair leaves them; "
        "delete the snapshot (or mount it and copy out what is intact)\n",
        snapshot_problems.size());
    code = kFsckProblemsLeft;
  } else if (!damage.empty()) {
    std::printf("%zu problems; the damaged data cannot be repaired (restore it from a backup)\n",
                report.problems.size() + 1);
    code = kFsckProblemsLeft;
  } else if (report.problems.empty()) {
    std::printf("clean\n");
  } else if (!args.repair) {
    std::printf("%zu problems; settfs fsck --repair fixes them\n", report.problems.size());
    code = kFsckProblemsLeft;
  } else if (report.remaining.empty()) {
    std::printf("%zu problems, all repaired\n", report.problems.size());
    code = kFsckRepaired;
  } else {
    for (const std::string& left : report.remaining) std::printf("left: %s\n", left.c_str());
    std::printf("%zu problems, %zu left unrepaired\n", report.problems.size(),
                report.remaining.size());
    code = kFsckProblemsLeft;
  }
  return Close("fsck", std::move(store), code);
}

int RunFsck(const FsckArgs& args) {
  std::unique_ptr<SettfsStore> store = OpenFor("fsck", args.dir, !args.repair, false);
  if (store == nullptr) return kFsckFailed;
  sett::tools::Progress progress("checking", 0);
  CheckOptions options;
  options.repair = args.repair;
  options.progress = [&](uint64_t keys) { progress.Update(keys); };
  CheckReport report;
  Status s = Check(store->kv(), options, &report);
  progress.Finish();
  if (!s.ok()) {
    std::fprintf(stderr, "settfs fsck: %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    return Close("fsck", std::move(store), kFsckFailed);
  }
  // Every snapshot's tree too, as it was taken (read-only: repair mends the live tree only).
  std::vector<std::string> snapshot_problems;
  if (store->db() == nullptr) {
    // PostgreSQL: no snapshots, and the server checks its own pages.
    return FsckVerdict(args, report, {}, "", std::move(store));
  }
  s = CheckSnapshots(store->db(), &snapshot_problems);
  if (!s.ok()) {
    std::fprintf(stderr, "settfs fsck: %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    return Close("fsck", std::move(store), kFsckFailed);
  }
  // The structure is sound; now every stored byte: table blocks, value-log entries, and every
  // live value (file data included) read through its pointer. Repair cannot bring damaged
  // bytes back, so damage found here is left (and named).
  std::string damage;
  sett::tools::PhasedProgress verifying("verifying");
  s = store->db()->VerifyChecksums(verifying.Callback());
  verifying.Finish();
  if (!s.ok()) damage = "damaged data: " + s.ToString();
  return FsckVerdict(args, report, snapshot_problems, damage, std::move(store));
}

// What the files take on disk (the store's usage, as df counts it; garbage that GC has not
// reclaimed yet included) against what they hold, so that compression shows.
void PrintStored(uint64_t stored, const sett::DBInfo& info, uint64_t file_bytes) {
  uint64_t garbage = 0;
  for (const auto& file : info.value_log_files) garbage += file.discard_bytes;
  std::printf("stored bytes    %s (%llu)", HumanBytes(stored).c_str(),
              static_cast<unsigned long long>(stored));
  if (file_bytes > 0) {
    std::printf(", %.2fx the file bytes", static_cast<double>(stored) / file_bytes);
  }
  if (garbage > 0) std::printf(", %s of it garbage", HumanBytes(garbage).c_str());
  std::printf("\n");
}

void PrintOrphansAndDamage(const FsSummary& sum) {
  if (sum.orphans > 0) {
    std::printf("orphans         %llu\n", static_cast<unsigned long long>(sum.orphans));
  }
  if (sum.bad_inodes > 0) {
    std::printf("damaged inodes  %llu (run settfs fsck)\n",
                static_cast<unsigned long long>(sum.bad_inodes));
  }
}

int RunStat(const std::string& dir) {
  std::unique_ptr<SettfsStore> store = OpenFor("stat", dir, true, false);
  if (store == nullptr) return 1;
  sett::tools::Progress progress("counting", 0);
  FsSummary sum;
  Status s = Summarize(store->kv(), &sum, [&](uint64_t n) { progress.Update(n); });
  progress.Finish();
  if (!s.ok()) {
    std::fprintf(stderr, "settfs stat: %s: %s\n", dir.c_str(), s.ToString().c_str());
    return Close("stat", std::move(store), 1);
  }
  std::printf("filesystem      %s\n", dir.c_str());
  std::printf("block size      %u\n", sum.sb.block_size);
  std::printf("compression     %s\n",
              store->db() == nullptr
                  ? "by the server"
                  : sett::CompressionName(static_cast<sett::Compression>(sum.sb.compression)));
  std::printf("files           %llu\n", static_cast<unsigned long long>(sum.files));
  std::printf("directories     %llu\n", static_cast<unsigned long long>(sum.directories));
  std::printf("symlinks        %llu\n", static_cast<unsigned long long>(sum.symlinks));
  std::printf("special files   %llu\n", static_cast<unsigned long long>(sum.special));
  std::printf("file bytes      %s (%llu)\n", HumanBytes(sum.bytes).c_str(),
              static_cast<unsigned long long>(sum.bytes));
  std::printf("stored blocks   %llu (at most %s)\n", static_cast<unsigned long long>(sum.blocks),
              HumanBytes(sum.blocks * sum.sb.block_size).c_str());
  KvUsage usage;
  s = store->kv()->Usage(&usage);
  if (!s.ok()) {
    std::fprintf(stderr, "settfs stat: %s: %s\n", dir.c_str(), s.ToString().c_str());
    return Close("stat", std::move(store), 1);
  }
  if (store->db() == nullptr) {  // PostgreSQL: the table's size, and no engine.
    PrintStored(usage.bytes_on_disk, sett::DBInfo(), sum.bytes);
    PrintOrphansAndDamage(sum);
    return Close("stat", std::move(store), 0);
  }
  const sett::DBInfo info = store->db()->Info();
  PrintStored(usage.bytes_on_disk, info, sum.bytes);
  PrintOrphansAndDamage(sum);
  std::printf("\nengine\n");
  sett::tools::PrintInfo(info, false);
  return Close("stat", std::move(store), 0);
}

}  // namespace

void AddMkfsCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<MkfsArgs>();
  CLI::App* cmd = app->add_subcommand(
      "mkfs", "Make a new settfs filesystem in DBDIR (a new or empty directory)");
  cmd->add_option("DBDIR", args->dir,
                  "The database directory, or a PostgreSQL database as postgresql://...")
      ->required();
  cmd->add_option("--block-size", args->block_size,
                  "Bytes per data block: a power of two from 512 to 1048576")
      ->capture_default_str();
  cmd->add_option("--compression", args->compression,
                  "Compression of file data and the engine's tables: none, snappy or zstd")
      ->capture_default_str()
      ->each([args](const std::string&) { args->compression_given = true; });
  cmd->add_flag("--encrypt", args->encrypt,
                "Encrypt everything with the key of --key-file (AES-GCM; see settfs(8))");
  cmd->callback([args, exit_code] { *exit_code = RunMkfs(*args); });
}

void AddFsckCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<FsckArgs>();
  CLI::App* cmd = app->add_subcommand(
      "fsck", "Check an unmounted settfs filesystem (and repair it with --repair)");
  cmd->add_option("DBDIR", args->dir,
                  "The database directory, or a PostgreSQL database as postgresql://...")
      ->required();
  cmd->add_flag("--repair", args->repair,
                "Fix what is found, keeping data: unreachable files go to /lost+found");
  cmd->footer(
      "Exit status: 0 clean, 1 problems found and repaired, 4 problems left, 8 could not "
      "check.");
  cmd->callback([args, exit_code] { *exit_code = RunFsck(*args); });
}

void AddStatCommand(CLI::App* app, int* exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand(
      "stat",
      "Describe an unmounted settfs filesystem: files, bytes, and the engine's levels "
      "and value log");
  cmd->add_option("DBDIR", *dir,
                  "The database directory, or a PostgreSQL database as postgresql://...")
      ->required();
  cmd->callback([dir, exit_code] { *exit_code = RunStat(*dir); });
}

}  // namespace settfs
