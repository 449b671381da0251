// Damage to every kind of file the DB keeps (table, log, value log, MANIFEST, DISCARD): bytes
// flipped, the file cut short, a range zeroed. Whatever the damage, opening and reading never
// crash and never return a value that was not written; an error names the damaged file; and
// damage to tables and the value log is found by opening, reading or VerifyChecksums (what
// `sett info --verify` runs).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/random.h"

namespace sett {
namespace {

namespace fs = std::filesystem;

Options DamageOptions(const std::string& dir) {
  Options options;
  options.dir = dir;
  options.logger = NullLogger();
  options.memtable_size = 64 << 10;
  options.base_table_size = 32 << 10;
  options.base_level_size = 128 << 10;
  options.value_threshold = 256;
  options.value_threshold_tuned = false;  // Damage to the log under test.
  options.value_log_file_size = 256 << 10;
  options.num_compactors = 0;
  return options;
}

std::string Key(int i) { return "key" + std::to_string(100000 + i); }
std::string Value(int i, int generation) {
  size_t size = i % 3 == 0 ? 300 + (i * 37) % 1200 : 20 + i % 60;
  std::string v = std::to_string(generation) + "/" + std::to_string(i) + "/";
  v.resize(size, static_cast<char>('a' + (i + generation) % 26));
  return v;
}

constexpr int kKeys = 1500;
constexpr int kLogKeys = 100;  // written last, synced, and left in the log by a crash

class DBDamageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pristine_ = new test::TempDir();
    model_ = new std::map<std::string, std::string>();
    std::string dir = pristine_->path();
    {
      std::unique_ptr<DB> db;
      ASSERT_OK(DB::Open(DamageOptions(dir), &db));
      for (int i = 0; i < kKeys; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 1)));
      for (int i = 0; i < 600; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 2)));
      for (int i = 1400; i < kKeys; i++) ASSERT_OK(db->Delete(WriteOptions(), Key(i)));
      ASSERT_OK(db->Flatten());  // drops overwritten values: DISCARD gets written
      ASSERT_OK(db->Close());
    }
    for (int i = 0; i < kKeys; i++) {
      if (i < 1400) (*model_)[Key(i)] = Value(i, i < 600 ? 2 : 1);
    }
    // The last writes stay in the log: the writer dies without closing.
    pid_t pid = fork();
    if (pid == 0) {
      std::unique_ptr<DB> db;
      if (!DB::Open(DamageOptions(dir), &db).ok()) _exit(1);
      WriteOptions synced;
      synced.sync = true;
      for (int i = kKeys; i < kKeys + kLogKeys; i++) {
        if (!db->Put(synced, Key(i), Value(i, 3)).ok()) _exit(1);
      }
      _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = kKeys; i < kKeys + kLogKeys; i++) (*model_)[Key(i)] = Value(i, 3);
  }
  static void TearDownTestSuite() {
    delete pristine_;
    delete model_;
  }

  static std::vector<std::string> FilesOfKind(const std::string& dir, const std::string& kind) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename();
      if (name.size() >= kind.size() &&
          name.compare(name.size() - kind.size(), kind.size(), kind) == 0 &&
          fs::file_size(e.path()) > 0) {
        names.push_back(name);
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  enum class Damage { kFlip, kTruncate, kZero };

  // Copies the pristine DB, damages one file of `kind`, and checks what the DB makes of it.
  void Trial(const std::string& kind, Damage damage, Random* rnd) {
    test::TempDir copy;
    fs::copy(pristine_->path(), copy.path(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    std::vector<std::string> files = FilesOfKind(copy.path(), kind);
    ASSERT_FALSE(files.empty()) << "the pristine DB has no " << kind << " file";
    std::string name = files[rnd->Uniform(files.size())];
    std::string path = copy.Join(name);
    std::string contents = test::ReadFile(path);
    uint64_t offset = rnd->Uniform(contents.size());
    std::string what;
    switch (damage) {
      case Damage::kFlip:
        contents[offset] = static_cast<char>(contents[offset] ^ (1 + rnd->Uniform(255)));
        what = "byte flipped at " + std::to_string(offset);
        break;
      case Damage::kTruncate:
        contents.resize(offset);
        what = "cut to " + std::to_string(offset) + " bytes";
        break;
      case Damage::kZero: {
        uint64_t n = std::min<uint64_t>(1 + rnd->Uniform(4096), contents.size() - offset);
        std::string zeros(n, '\0');
        if (contents.compare(offset, n, zeros) == 0) return;  // nothing would change
        contents.replace(offset, n, zeros);
        what = std::to_string(n) + " bytes zeroed at " + std::to_string(offset);
        break;
      }
    }
    test::WriteFile(path, contents);
    SCOPED_TRACE(name + ": " + what);

    std::unique_ptr<DB> db;
    Status s = DB::Open(DamageOptions(copy.path()), &db);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption() || s.IsIOError()) << s.ToString();
      EXPECT_NE(s.ToString().find(name), std::string::npos) << "names the file: " << s.ToString();
      refused_++;
      return;
    }
    bool reported = false;
    for (const auto& [key, value] : *model_) {
      std::string got;
      Status r = db->Get(ReadOptions(), key, &got);
      if (r.ok()) {
        ASSERT_EQ(got, value) << key << ": a wrong value, never acceptable";
      } else if (r.IsNotFound()) {
        ASSERT_TRUE(MayLose(kind, damage, key)) << key << " is silently missing";
        lost_++;
      } else {
        EXPECT_TRUE(r.IsCorruption() || r.IsIOError()) << key << ": " << r.ToString();
        EXPECT_TRUE(r.ToString().find(".sst") != std::string::npos ||
                    r.ToString().find(".vlog") != std::string::npos)
            << "names the file: " << r.ToString();
        reported = true;
      }
    }
    Status verify = db->VerifyChecksums();
    if (!verify.ok()) {
      EXPECT_TRUE(verify.IsCorruption() || verify.IsIOError()) << verify.ToString();
      reported = true;
    }
    bool must_find = kind == ".sst" || (kind == ".vlog" && damage != Damage::kTruncate);
    if (must_find) {
      EXPECT_TRUE(reported) << "the damage went unnoticed";
    }
    (reported ? found_ : unnoticed_)++;
  }

  // Only the last writes, still in the log, may vanish, and only when the log or the value log
  // lost its tail: that is what a torn write looks like. A MANIFEST cut short at a record
  // boundary looks like an older, whole MANIFEST: the edits after the cut are lost, and with
  // them the tables they added. That is a known gap (the MANIFEST's length is recorded nowhere
  // else), allowed here so that the test still checks such a DB never returns a wrong value.
  static bool MayLose(const std::string& kind, Damage damage, const std::string& key) {
    if (kind == "MANIFEST" && damage == Damage::kTruncate) return true;
    bool in_log = key >= Key(kKeys);
    return in_log && (kind == ".mem" || kind == ".vlog");
  }

  void RunKind(const std::string& kind) {
    Random rnd(test::TestSeed(static_cast<uint64_t>(std::hash<std::string>()(kind))));
    for (int i = 0; i < 6; i++) ASSERT_NO_FATAL_FAILURE(Trial(kind, Damage::kFlip, &rnd));
    for (int i = 0; i < 3; i++) ASSERT_NO_FATAL_FAILURE(Trial(kind, Damage::kTruncate, &rnd));
    for (int i = 0; i < 3; i++) ASSERT_NO_FATAL_FAILURE(Trial(kind, Damage::kZero, &rnd));
    std::printf("%s: %d refused at open, %d found by reads or verify, %d unnoticed, %d keys lost\n",
                kind.c_str(), refused_, found_, unnoticed_, lost_);
  }

  static test::TempDir* pristine_;
  static std::map<std::string, std::string>* model_;
  int refused_ = 0, found_ = 0, unnoticed_ = 0, lost_ = 0;
};

test::TempDir* DBDamageTest::pristine_ = nullptr;
std::map<std::string, std::string>* DBDamageTest::model_ = nullptr;

TEST_F(DBDamageTest, Tables) { RunKind(".sst"); }
TEST_F(DBDamageTest, WriteAheadLog) { RunKind(".mem"); }
TEST_F(DBDamageTest, ValueLog) { RunKind(".vlog"); }
TEST_F(DBDamageTest, Manifest) { RunKind("MANIFEST"); }
TEST_F(DBDamageTest, DiscardStats) { RunKind("DISCARD"); }

}  // namespace
}  // namespace sett
