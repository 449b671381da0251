// The `sett` tool through its binary: exit codes and what it prints.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "support/test_util.h"

namespace sett {
namespace {

struct Result {
  int exit_code;
  std::string output;  // stdout and stderr.
};

Result RunSett(const std::string& args) {
  std::string command = std::string(SETT_BIN) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  Result r{-1, ""};
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(SettCliTest, BenchWriteInfoVerifyAndRead) {
  test::TempDir dir;
  std::string db = dir.Join("db");
  Result w = RunSett("bench write " + db + " --keys 30000 --value-size 100 --memtable-size 262144");
  ASSERT_EQ(w.exit_code, 0) << w.output;
  EXPECT_TRUE(Contains(w.output, "wrote 30000 keys")) << w.output;
  EXPECT_TRUE(Contains(w.output, "ops/s")) << w.output;

  Result info = RunSett("info " + db + " --verify");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  // Version 1 is the empty DB; each of the 30000 writes took one more.
  EXPECT_TRUE(Contains(info.output, "latest version  30001")) << info.output;
  EXPECT_TRUE(Contains(info.output, "L6")) << info.output;
  EXPECT_TRUE(Contains(info.output, "verify: OK")) << info.output;

  Result r = RunSett("bench read " + db + " --keys 30000 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "found 30000, missing 0, wrong value 0, errors 0")) << r.output;

  // A second write with the same seed overwrites every key: still 30000 found.
  ASSERT_EQ(RunSett("bench write " + db + " --keys 30000 --batch 100 --compression zstd").exit_code,
            0);
  r = RunSett("bench read " + db + " --keys 30000 --duration 0.5");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "missing 0, wrong value 0")) << r.output;

  // One transaction per key writes the same keys.
  Result t = RunSett("bench write " + db + " --keys 30000 --txn --no-settle");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  EXPECT_TRUE(Contains(t.output, "a transaction per key")) << t.output;
  EXPECT_EQ(RunSett("bench read " + db + " --keys 30000").exit_code, 0);

  // More keys than were written: the missing ones are a failure.
  r = RunSett("bench read " + db + " --keys 30000 --seed 2");
  EXPECT_EQ(r.exit_code, 1) << r.output;
}

TEST(SettCliTest, GcReclaimsWhatAnOverwriteLeft) {
  test::TempDir dir;
  std::string db = dir.Join("db");
  std::string write = "bench write " + db + " --keys 3000 --value-size 4000 --batch 10";
  ASSERT_EQ(RunSett(write).exit_code, 0);
  ASSERT_EQ(RunSett(write).exit_code, 0);  // Every value again: the first copies are garbage.
  Result info = RunSett("info " + db);
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_TRUE(Contains(info.output, "value log")) << info.output;
  EXPECT_TRUE(Contains(info.output, "000001.vlog")) << info.output;
  Result gc = RunSett("gc " + db + " --discard-ratio 0.3");
  ASSERT_EQ(gc.exit_code, 0) << gc.output;
  EXPECT_TRUE(Contains(gc.output, "collected 000001.vlog")) << gc.output;
  EXPECT_TRUE(Contains(gc.output, "done: ")) << gc.output;
  EXPECT_FALSE(std::filesystem::exists(db + "/000001.vlog"));
  Result read = RunSett("bench read " + db + " --keys 3000");
  EXPECT_EQ(read.exit_code, 0) << read.output;
  EXPECT_TRUE(Contains(read.output, "found 3000, missing 0, wrong value 0")) << read.output;
  gc = RunSett("gc " + db);
  EXPECT_EQ(gc.exit_code, 0) << gc.output;
  EXPECT_TRUE(Contains(gc.output, "done: 0 files collected")) << gc.output;
  EXPECT_EQ(RunSett("gc " + db + " --discard-ratio 2").exit_code, 2);
}

TEST(SettCliTest, GetSetDelScan) {
  test::TempDir dir;
  std::string db = dir.Join("db");
  ASSERT_EQ(RunSett("set " + db + " fruit/apple red").exit_code, 0);
  ASSERT_EQ(RunSett("set " + db + " fruit/banana yellow --sync").exit_code, 0);
  ASSERT_EQ(RunSett("set " + db + " veg/kale green").exit_code, 0);
  Result get = RunSett("get " + db + " fruit/apple");
  EXPECT_EQ(get.exit_code, 0);
  EXPECT_EQ(get.output, "red\n");
  EXPECT_EQ(RunSett("get " + db + " fruit/apple --hex").output, "726564\n");
  Result scan = RunSett("scan " + db + " --prefix fruit/");
  EXPECT_EQ(scan.exit_code, 0);
  EXPECT_EQ(scan.output, "fruit/apple\tred\nfruit/banana\tyellow\n");
  EXPECT_EQ(RunSett("scan " + db + " --limit 1").output, "fruit/apple\tred\n");
  ASSERT_EQ(RunSett("del " + db + " fruit/apple").exit_code, 0);
  get = RunSett("get " + db + " fruit/apple");
  EXPECT_EQ(get.exit_code, 3);
  EXPECT_TRUE(Contains(get.output, "not found")) << get.output;
  EXPECT_EQ(RunSett("get " + dir.Join("nothing") + " k").exit_code, 1);
}

TEST(SettCliTest, BackupRestoreAndFlatten) {
  test::TempDir dir;
  std::string db = dir.Join("db"), copy = dir.Join("copy");
  ASSERT_EQ(RunSett("bench write " + db + " --keys 2000 --value-size 3000 --batch 50").exit_code,
            0);
  Result full = RunSett("backup " + db + " --out " + dir.Join("full.bak"));
  ASSERT_EQ(full.exit_code, 0) << full.output;
  EXPECT_TRUE(Contains(full.output, "backed up everything")) << full.output;
  size_t at = full.output.find("--since ");
  ASSERT_NE(at, std::string::npos);
  std::string since = full.output.substr(at + 8, full.output.find('\n', at) - at - 8);
  ASSERT_EQ(RunSett("set " + db + " extra value").exit_code, 0);
  ASSERT_EQ(RunSett("del " + db + " " + "0000000000000000").exit_code, 0);
  Result incremental =
      RunSett("backup " + db + " --out " + dir.Join("incr.bak") + " --since " + since);
  ASSERT_EQ(incremental.exit_code, 0) << incremental.output;
  ASSERT_EQ(RunSett("restore " + copy + " --in " + dir.Join("full.bak")).exit_code, 0);
  Result r = RunSett("restore " + copy + " --in " + dir.Join("incr.bak"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(RunSett("scan " + copy).output, RunSett("scan " + db).output);
  EXPECT_EQ(RunSett("get " + copy + " extra").output, "value\n");
  Result flatten = RunSett("flatten " + copy + " --workers 2");
  EXPECT_EQ(flatten.exit_code, 0) << flatten.output;
  EXPECT_TRUE(Contains(flatten.output, "tables now in 1 level")) << flatten.output;
  test::WriteFile(dir.Join("bad.bak"), "not a backup at all, clearly");
  Result bad = RunSett("restore " + copy + " --in " + dir.Join("bad.bak"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Contains(bad.output, "corruption")) << bad.output;
}

TEST(SettCliTest, StreamCopiesIntoANewDatabaseWithOtherOptions) {
  test::TempDir dir;
  std::string db = dir.Join("db"), copy = dir.Join("copy");
  ASSERT_EQ(RunSett("bench write " + db + " --keys 5000 --value-size 2000 --batch 100").exit_code,
            0);
  ASSERT_EQ(RunSett("set " + db + " extra value").exit_code, 0);
  Result r = RunSett("stream " + db + " --out " + copy + " --compression zstd --zstd-level 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "streamed 5001 keys")) << r.output;
  EXPECT_EQ(RunSett("scan " + copy).output, RunSett("scan " + db).output);
  EXPECT_EQ(RunSett("info " + copy + " --verify").exit_code, 0);
  Result again = RunSett("stream " + db + " --out " + copy);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Contains(again.output, "holds data")) << again.output;
  Result bad = RunSett("stream " + db + " --out " + dir.Join("other") + " --compression lz9");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.output, "unknown compression 'lz9'")) << bad.output;
}

TEST(SettCliTest, EncryptedDatabasesTakeAKeyFileAndRotateTheirMasterKey) {
  test::TempDir dir;
  std::string db = dir.Join("db"), copy = dir.Join("copy");
  std::string key = dir.Join("key"), next = dir.Join("next");
  test::WriteFile(key, std::string(32, 'k'));
  test::WriteFile(next, std::string(32, 'a') + "\n");  // Hex, as `openssl rand -hex 16` writes.
  ASSERT_EQ(RunSett("set " + db + " k v").exit_code, 0);
  Result r = RunSett("stream " + db + " --out " + copy + " --out-encryption-key-file " + key);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(Contains(r.output, "accessible by others")) << r.output;
  ::chmod(key.c_str(), 0600);
  ::chmod(next.c_str(), 0600);
  r = RunSett("stream " + db + " --out " + copy + " --out-encryption-key-file " + key);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunSett("get " + copy + " k");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.output, "is encrypted")) << r.output;
  EXPECT_EQ(RunSett("get " + copy + " k --encryption-key-file " + key).output, "v\n");
  EXPECT_EQ(RunSett("info " + copy + " --verify --encryption-key-file " + key).exit_code, 0);
  r = RunSett("rotate " + copy + " --old-key-file " + key + " --new-key-file " + next);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(RunSett("get " + copy + " k --encryption-key-file " + key).exit_code, 1);
  EXPECT_EQ(RunSett("--encryption-key-file " + next + " get " + copy + " k").output, "v\n");
  r = RunSett("crashtest " + dir.Join("crash") + " --iterations 3 --encryption-key-file " + next);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "encrypted")) << r.output;
}

TEST(SettCliTest, ShortBankRunWithReopens) {
  test::TempDir dir;
  Result bank = RunSett("bank " + dir.Join("bank") +
                        " --accounts 1000 --threads 8 --duration 4 --reopen-every 1");
  EXPECT_EQ(bank.exit_code, 0) << bank.output;
  EXPECT_TRUE(Contains(bank.output, "0 violations, 0 errors")) << bank.output;
  EXPECT_FALSE(Contains(bank.output, " 0 transfers")) << bank.output;
  EXPECT_FALSE(Contains(bank.output, " 0 reopens")) << bank.output;
  // A second run continues on the same accounts and checks the total first.
  bank = RunSett("bank " + dir.Join("bank") + " --accounts 1000 --threads 2 --duration 1");
  EXPECT_EQ(bank.exit_code, 0) << bank.output;
}

// The short mode of the crash loop: a few dozen kills of a synced transactional writer (with
// flushes, compactions and value-log GC under way), each followed by a full check.
TEST(SettCliTest, CrashtestKillsLoseNothingAndATamperedKeyIsCaught) {
  test::TempDir dir;
  std::string work = dir.Join("crash");
  Result run = RunSett("crashtest " + work + " --iterations 40 --max-delay-ms 400");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Contains(run.output, "crashtest: 40 kills")) << run.output;
  EXPECT_TRUE(Contains(run.output, "0 lost, 0 partial, 0 wrong")) << run.output;
  EXPECT_FALSE(Contains(run.output, " 0 transactions acknowledged")) << run.output;

  // A later run resumes: with no kills it only verifies, and finds what went missing.
  EXPECT_EQ(RunSett("crashtest " + work + " --iterations 0").exit_code, 0);
  Result scan = RunSett("scan " + work + "/db --limit 1");
  ASSERT_EQ(scan.exit_code, 0) << scan.output;
  std::string key = scan.output.substr(0, scan.output.find('\t'));
  ASSERT_EQ(key.rfind("crash/", 0), 0u) << scan.output;
  ASSERT_EQ(RunSett("del " + work + "/db " + key).exit_code, 0);
  Result check = RunSett("crashtest " + work + " --iterations 0");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_TRUE(Contains(check.output, key + " holds nothing, but the acknowledged state is"))
      << check.output;
}

TEST(SettCliTest, VerifyFindsDamage) {
  test::TempDir dir;
  std::string db = dir.Join("db");
  ASSERT_EQ(RunSett("bench write " + db + " --keys 5000 --compression none").exit_code, 0);
  auto tables = test::ListFiles(db, ".sst");
  ASSERT_FALSE(tables.empty());
  test::FlipByte(db + "/" + tables[0], 1000);
  Result info = RunSett("info " + db + " --verify");
  EXPECT_EQ(info.exit_code, 1) << info.output;
  EXPECT_TRUE(Contains(info.output, "verify: FAILED")) << info.output;
  EXPECT_TRUE(Contains(info.output, tables[0])) << info.output;
}

TEST(SettCliTest, ClearErrorsAndHelp) {
  Result r = RunSett("info /nonexistent/db");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.output, "cannot open /nonexistent/db")) << r.output;
  r = RunSett("bench write /tmp/x --compression lzma");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.output, "unknown compression 'lzma'")) << r.output;
  r = RunSett("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.output, "info")) << r.output;
  EXPECT_TRUE(Contains(r.output, "bench")) << r.output;
  r = RunSett("bench read --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.output, "--duration")) << r.output;
  for (const char* cmd :
       {"get", "set", "del", "scan", "backup", "restore", "flatten", "bank", "gc", "info",
        "snapshot", "snapshot create", "snapshot list", "snapshot delete"}) {
    r = RunSett(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_TRUE(Contains(r.output, "Usage:")) << cmd << ": " << r.output;
  }
  r = RunSett("frobnicate");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(SettCliTest, SnapshotCreateListReadAndDelete) {
  test::TempDir dir;
  std::string db = dir.Join("db");
  ASSERT_EQ(RunSett("set " + db + " k old").exit_code, 0);
  Result r = RunSett("snapshot create " + db + " before-change");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "created snapshot before-change at version 2")) << r.output;
  ASSERT_EQ(RunSett("set " + db + " k new").exit_code, 0);
  ASSERT_EQ(RunSett("set " + db + " other x").exit_code, 0);
  ASSERT_EQ(RunSett("flatten " + db).exit_code, 0);

  r = RunSett("get " + db + " k --snapshot before-change");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "old\n");
  EXPECT_EQ(RunSett("get " + db + " k").output, "new\n");
  r = RunSett("scan " + db + " --snapshot before-change");
  EXPECT_EQ(r.output, "k\told\n");
  r = RunSett("get " + db + " k --snapshot nope");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.output, "no snapshot named \"nope\"")) << r.output;

  r = RunSett("snapshot create " + db + " before-change");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(Contains(r.output, "already exists")) << r.output;
  r = RunSett("snapshot create " + db + " a/b");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = RunSett("snapshot list " + db);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "NAME")) << r.output;
  EXPECT_TRUE(Contains(r.output, "before-change")) << r.output;
  r = RunSett("snapshot delete " + db + " before-change");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(RunSett("snapshot list " + db).output, "");
  r = RunSett("snapshot delete " + db + " before-change");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(Contains(r.output, "no snapshot named")) << r.output;
}

}  // namespace
}  // namespace sett
