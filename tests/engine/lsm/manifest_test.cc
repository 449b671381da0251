#include "lsm/manifest.h"

#include <gtest/gtest.h>

#include "support/test_util.h"
#include "util/coding.h"
#include "util/file_names.h"

namespace sett {
namespace {

class ManifestTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  Logger* logger_ = StderrLogger(LogLevel::kError);
  std::string path_ = ManifestFileName(dir_.path());

  Status Open(std::unique_ptr<Manifest>* m, bool read_only = false, bool create = true) {
    return Manifest::Open(Env::Default(), dir_.path(), read_only, create, 7, logger_, m);
  }
};

TEST_F(ManifestTest, EditsSurviveReopen) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  EXPECT_TRUE(m->created());
  ManifestEdit e1;
  e1.added = {{5, 0}, {6, 0}};
  e1.next_file_id = 7;
  e1.flushed_wal_id = 4;
  ASSERT_OK(m->Append(e1));
  ManifestEdit e2;
  e2.added = {{8, 6}};
  e2.deleted = {5, 6};
  e2.next_file_id = 9;
  ASSERT_OK(m->Append(e2));
  ASSERT_OK(m->Close());

  ASSERT_OK(Open(&m));
  EXPECT_FALSE(m->created());
  EXPECT_EQ(m->state().tables, (std::map<uint64_t, int>{{8, 6}}));
  EXPECT_EQ(m->state().next_file_id, 9u);
  EXPECT_EQ(m->state().flushed_wal_id, 4u);
}

// The last version handed out only grows, through appends and through a rewrite.
TEST_F(ManifestTest, LastVersionIsTheLargestRecorded) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  for (uint64_t v : {50, 70, 60}) {
    ManifestEdit e;
    e.last_version = v;
    ASSERT_OK(m->Append(e));
  }
  EXPECT_EQ(m->state().last_version, 70u);
  ASSERT_OK(m->Close());
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().last_version, 70u);
  ManifestEdit huge;  // Too large to append: the file is rewritten from the state.
  for (uint64_t id = 1; id < 40000; id++) huge.added.emplace_back(id, 1);
  ASSERT_OK(m->Append(huge));
  ASSERT_OK(m->Close());
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().last_version, 70u);
}

TEST_F(ManifestTest, InvalidEditsAreRefused) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  ManifestEdit bad_delete;
  bad_delete.deleted = {42};
  EXPECT_TRUE(m->Append(bad_delete).IsCorruption());
  ManifestEdit bad_level;
  bad_level.added = {{1, 7}};
  EXPECT_TRUE(m->Append(bad_level).IsCorruption());
  ManifestEdit ok;
  ok.added = {{1, 1}};
  ASSERT_OK(m->Append(ok));
  EXPECT_TRUE(m->Append(ok).IsCorruption());  // Twice.
  EXPECT_EQ(m->state().tables.size(), 1u);
}

TEST_F(ManifestTest, StaleFileIsRewrittenAtomically) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  uint64_t id = 1;
  uint64_t biggest = 0;
  for (int i = 0; i < 5000; i++) {
    ManifestEdit e;
    e.added = {{id + 1, 1}};
    if (i > 0) e.deleted = {id};
    e.next_file_id = id + 2;
    ASSERT_OK(m->Append(e));
    id++;
    biggest = std::max(biggest, m->file_size());
  }
  // 5000 edits of ~10 bytes would be 150+ KB; rewrites keep it far smaller.
  EXPECT_LT(biggest, 60000u);
  ASSERT_OK(m->Close());
  EXPECT_FALSE(Env::Default()->FileExists(ManifestRewriteFileName(dir_.path())));
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().tables, (std::map<uint64_t, int>{{id, 1}}));
  EXPECT_EQ(m->state().next_file_id, id + 1);
}

TEST_F(ManifestTest, TornLastEditIsDroppedAndTruncated) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  ManifestEdit e1;
  e1.added = {{1, 0}};
  ASSERT_OK(m->Append(e1));
  uint64_t good_size = m->file_size();
  ManifestEdit e2;
  e2.added = {{2, 0}};
  ASSERT_OK(m->Append(e2));
  ASSERT_OK(m->Close());
  test::WriteFile(path_, test::ReadFile(path_).substr(0, good_size + 10));
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().tables, (std::map<uint64_t, int>{{1, 0}}));
  EXPECT_EQ(test::FileSize(path_), good_size);
  ASSERT_OK(m->Append(e2));  // Appends cleanly after the cut.
  ASSERT_OK(m->Close());
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().tables.size(), 2u);
}

TEST_F(ManifestTest, DamagedMiddleEditIsCorruption) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  std::vector<uint64_t> offsets;
  for (uint64_t i = 1; i <= 5; i++) {
    offsets.push_back(m->file_size());
    ManifestEdit e;
    e.added = {{i, 0}};
    ASSERT_OK(m->Append(e));
  }
  ASSERT_OK(m->Close());
  test::FlipByte(path_, offsets[2] + kRecordHeaderSize);
  Status s = Open(&m);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("MANIFEST"), std::string::npos);
  EXPECT_NE(s.message().find("offset " + std::to_string(offsets[2])), std::string::npos)
      << s.ToString();
}

// Zeros over the last two edits look like a torn tail to the record reader, but a crash tears
// only the last append: the edit before it was synced, so its loss is Corruption, not an older
// state (which would let the DB delete the tables it added as leftovers).
TEST_F(ManifestTest, DamageOverMoreThanTheLastEditIsCorruption) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  std::vector<uint64_t> offsets;
  for (uint64_t i = 1; i <= 3; i++) {
    offsets.push_back(m->file_size());
    ManifestEdit e;
    e.added = {{i, 0}};
    e.last_version = 100 * i;
    ASSERT_OK(m->Append(e));
  }
  ASSERT_OK(m->Close());
  const std::string whole = test::ReadFile(path_);

  // From inside edit 2 to the end: its header says where it ends, and bytes follow.
  std::string zeroed = whole;
  std::fill(zeroed.begin() + offsets[1] + kRecordHeaderSize, zeroed.end(), '\0');
  test::WriteFile(path_, zeroed);
  Status s = Open(&m);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("offset " + std::to_string(offsets[1])), std::string::npos)
      << s.ToString();

  // Only the last edit damaged, header and all: a torn append, dropped.
  zeroed = whole;
  std::fill(zeroed.begin() + offsets[2], zeroed.end(), '\0');
  test::WriteFile(path_, zeroed);
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().tables.size(), 2u);
  EXPECT_EQ(m->state().last_version, 200u);
  ASSERT_OK(m->Close());

  // Zeros over more than the largest edit an append writes: Corruption, header or not.
  test::WriteFile(path_, whole.substr(0, offsets[1]) + std::string(100 << 10, '\0'));
  s = Open(&m);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

// An edit too large to append replaces the file in one rename, so that the tail a crash can
// tear stays small; the state is the same.
TEST_F(ManifestTest, AHugeEditRewritesTheFile) {
  std::unique_ptr<Manifest> m;
  ASSERT_OK(Open(&m));
  ManifestEdit small;
  small.added = {{1, 0}};
  ASSERT_OK(m->Append(small));
  ManifestEdit huge;
  for (uint64_t id = 2; id < 40000; id++) huge.added.emplace_back(id, 1);
  ASSERT_OK(m->Append(huge));
  const std::string file = test::ReadFile(path_);  // The huge edit is the new file's first record.
  EXPECT_GT(DecodeFixed32(file.data() + kRecordFileHeaderSize + 4), 64u << 10);
  ManifestEdit after;
  after.deleted = {1};
  ASSERT_OK(m->Append(after));
  ASSERT_OK(m->Close());
  ASSERT_OK(Open(&m));
  EXPECT_EQ(m->state().tables.size(), 39998u);
  EXPECT_EQ(m->state().tables.count(1), 0u);
}

TEST_F(ManifestTest, LeftoverRewriteFileIsRemovedAndMissingFileRefused) {
  std::unique_ptr<Manifest> m;
  EXPECT_TRUE(Open(&m, false, /*create=*/false).IsInvalidArgument());
  ASSERT_OK(Open(&m));
  ASSERT_OK(m->Close());
  test::WriteFile(ManifestRewriteFileName(dir_.path()), "half a rewrite");
  ASSERT_OK(Open(&m));
  EXPECT_FALSE(Env::Default()->FileExists(ManifestRewriteFileName(dir_.path())));
}

}  // namespace
}  // namespace sett
