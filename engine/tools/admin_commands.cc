#include "admin_commands.h"

#include <cstdio>
#include <fstream>
#include <streambuf>

#include "open_db.h"
#include "tools/common/format.h"
#include "tools/common/progress.h"

namespace sett::tools {
namespace {

struct AdminArgs {
  std::string dir, file;
  uint64_t since = 0;
  int workers = 2;
};

// Counts the bytes through a stream buffer, for progress.
class CountingBuf : public std::streambuf {
 public:
  CountingBuf(std::streambuf* target, Progress* progress) : target_(target), progress_(progress) {}
  uint64_t bytes() const { return bytes_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    Count(n);
    return target_->sputn(s, n);
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    Count(1);
    return target_->sputc(traits_type::to_char_type(c));
  }
  std::streamsize xsgetn(char* s, std::streamsize n) override {
    std::streamsize got = target_->sgetn(s, n);
    Count(got);
    return got;
  }
  int_type underflow() override { return target_->sgetc(); }
  int_type uflow() override {
    int_type c = target_->sbumpc();
    if (!traits_type::eq_int_type(c, traits_type::eof())) Count(1);
    return c;
  }
  int sync() override { return target_->pubsync(); }

 private:
  void Count(std::streamsize n) {
    bytes_ += static_cast<uint64_t>(n);
    progress_->Update(bytes_);
  }
  std::streambuf* target_;
  Progress* progress_;
  uint64_t bytes_ = 0;
};

int RunBackup(const AdminArgs& args) {
  auto db = OpenForCommand("backup", args.dir, OpenMode::kReadOnly);
  if (db == nullptr) return 1;
  std::ofstream file(args.file, std::ios::binary | std::ios::trunc);
  if (!file) {
    std::fprintf(stderr, "sett backup: cannot create %s\n", args.file.c_str());
    return CloseForCommand("backup", std::move(db), 1);
  }
  Progress progress("backing up (bytes)", 0);
  CountingBuf counter(file.rdbuf(), &progress);
  std::ostream out(&counter);
  uint64_t backup_ts = 0;
  Status s = db->Backup(out, args.since, &backup_ts);
  file.close();
  progress.Finish();
  if (s.ok() && !file) s = Status::IOError("writing " + args.file);
  if (!s.ok()) {
    std::fprintf(stderr, "sett backup: %s\n", s.ToString().c_str());
    std::remove(args.file.c_str());
    return CloseForCommand("backup", std::move(db), 1);
  }
  std::printf(
      "backed up %s at version %llu to %s (%s)\n",
      args.since == 0 ? "everything" : ("changes since " + std::to_string(args.since)).c_str(),
      static_cast<unsigned long long>(backup_ts), args.file.c_str(),
      HumanBytes(counter.bytes()).c_str());
  std::printf("next incremental backup: sett backup %s --out FILE --since %llu\n", args.dir.c_str(),
              static_cast<unsigned long long>(backup_ts + 1));
  return CloseForCommand("backup", std::move(db), 0);
}

int RunRestore(const AdminArgs& args) {
  std::ifstream file(args.file, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "sett restore: cannot read %s\n", args.file.c_str());
    return 1;
  }
  auto db = OpenForCommand("restore", args.dir, OpenMode::kCreate);
  if (db == nullptr) return 1;
  Progress progress("restoring (bytes)", 0);
  CountingBuf counter(file.rdbuf(), &progress);
  std::istream in(&counter);
  Status s = db->Load(in);
  progress.Finish();
  if (!s.ok()) {
    std::fprintf(stderr, "sett restore: %s\n", s.ToString().c_str());
    return CloseForCommand("restore", std::move(db), 1);
  }
  std::printf("restored %s from %s; the database is now at version %llu\n", args.dir.c_str(),
              args.file.c_str(), static_cast<unsigned long long>(db->LatestVersion()));
  return CloseForCommand("restore", std::move(db), 0);
}

int RunFlatten(const AdminArgs& args) {
  auto db = OpenForCommand("flatten", args.dir, OpenMode::kReadWrite);
  if (db == nullptr) return 1;
  Status s = db->Flatten(args.workers);
  if (!s.ok()) {
    std::fprintf(stderr, "sett flatten: %s\n", s.ToString().c_str());
    return CloseForCommand("flatten", std::move(db), 1);
  }
  int levels = 0;
  for (const LevelInfo& l : db->Info().levels) levels += l.num_tables > 0;
  std::printf("flattened %s: tables now in %d level%s\n", args.dir.c_str(), levels,
              levels == 1 ? "" : "s");
  return CloseForCommand("flatten", std::move(db), 0);
}

}  // namespace

void AddAdminCommands(CLI::App* app, int* exit_code) {
  auto backup = std::make_shared<AdminArgs>();
  CLI::App* b = app->add_subcommand(
      "backup", "Write a full or incremental backup (sett's own checksummed format)");
  b->add_option("dir", backup->dir, "Database directory")->required();
  b->add_option("--out", backup->file, "Backup file to write")->required();
  b->add_option("--since", backup->since,
                "Only keys changed at or after this version (0: a full backup)")
      ->capture_default_str();
  b->callback([backup, exit_code] { *exit_code = RunBackup(*backup); });

  auto restore = std::make_shared<AdminArgs>();
  CLI::App* r =
      app->add_subcommand("restore", "Apply a backup (a full one, then each incremental in order)");
  r->add_option("dir", restore->dir, "Database directory (created when missing)")->required();
  r->add_option("--in", restore->file, "Backup file to read")->required();
  r->callback([restore, exit_code] { *exit_code = RunRestore(*restore); });

  auto flatten = std::make_shared<AdminArgs>();
  CLI::App* f = app->add_subcommand("flatten", "Compact every level into the deepest one");
  f->add_option("dir", flatten->dir, "Database directory")->required();
  f->add_option("--workers", flatten->workers, "Compactions to run at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  f->callback([flatten, exit_code] { *exit_code = RunFlatten(*flatten); });
}

}  // namespace sett::tools
