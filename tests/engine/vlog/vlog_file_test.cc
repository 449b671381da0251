// VlogFile reads: from the mapping for what the value log says was written, with pread for the
// rest, and never a touch of the mapping past what is in the file.

#include "vlog/vlog_file.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>

#include "format/key_format.h"
#include "sett/logger.h"
#include "support/read_counting_env.h"
#include "support/test_util.h"
#include "vlog/value_log.h"

namespace sett {
namespace {

class VlogFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<ValueLog> Open(Env* env, uint64_t limit = 1 << 20, bool map = true) {
    auto vlog =
        std::make_unique<ValueLog>(env, dir_.path(), limit, StderrLogger(LogLevel::kError), map);
    EXPECT_OK(vlog->Open(/*read_only=*/false, VlogCheckpoint{}));
    return vlog;
  }

  static ValuePointer Append(ValueLog* vlog, const std::string& key, const std::string& value) {
    VlogEntry e;
    e.key = key;
    e.value = value;
    e.flags = kVlogBatchEnd;
    ValuePointer p;
    EXPECT_OK(vlog->Append(e, &p));
    return p;
  }

  static std::shared_ptr<VlogFile> File(const ValueLog& vlog, uint32_t id) {
    return vlog.files()->at(id);
  }

  test::TempDir dir_;
  test::ReadCountingEnv env_;
};

TEST_F(VlogFileTest, CommittedValuesComeFromTheMappingWithoutReads) {
  auto vlog = Open(&env_);
  ASSERT_TRUE(File(*vlog, 1)->mapped());
  std::string key = InternalKey("k", 7), value(3000, 'v');
  ValuePointer p = Append(vlog.get(), key, value);
  ASSERT_OK(vlog->Commit());
  int before = env_.reads.load();
  std::string got;
  for (int i = 0; i < 10; i++) {
    ASSERT_OK(File(*vlog, 1)->Read(p, key, &got));
    EXPECT_EQ(got, value);
  }
  EXPECT_EQ(env_.reads.load(), before);
  // The mapping checks entries like a read does.
  EXPECT_TRUE(File(*vlog, 1)->Read(p, InternalKey("other", 7), &got).IsCorruption());
}

TEST_F(VlogFileTest, AnEntryNotYetCommittedIsReadFromTheFileNotTheMapping) {
  auto vlog = Open(&env_);
  std::string key = InternalKey("k", 1);
  // Appended but still in the writer's buffer: past the end of the file. Touching the mapping
  // there would kill the process; a read finds the file too short.
  ValuePointer p = Append(vlog.get(), key, std::string(2000, 'x'));
  int before = env_.reads.load();
  std::string got;
  Status s = File(*vlog, 1)->Read(p, key, &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("file ends inside the entry"), std::string::npos) << s.ToString();
  EXPECT_EQ(env_.reads.load(), before + 1);
  ASSERT_OK(vlog->Commit());
  ASSERT_OK(File(*vlog, 1)->Read(p, key, &got));
  EXPECT_EQ(got, std::string(2000, 'x'));
}

TEST_F(VlogFileTest, PointersPastTheFileAreCorruptionNotACrash) {
  auto vlog = Open(&env_);
  std::string key = InternalKey("k", 1);
  ValuePointer p = Append(vlog.get(), key, std::string(1500, 'y'));
  ASSERT_OK(vlog->Commit());
  std::string got;
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  for (ValuePointer bad :
       {ValuePointer{1, p.offset + p.length, 64}, ValuePointer{1, uint64_t{1} << 40, 100},
        ValuePointer{1, max - 10, 100}, ValuePointer{1, p.offset, p.length + 4096}}) {
    Status s = File(*vlog, 1)->Read(bad, key, &got);
    EXPECT_TRUE(s.IsCorruption()) << bad.offset << "+" << bad.length << ": " << s.ToString();
  }
}

TEST_F(VlogFileTest, TheReopenedHeadGrowsIntoItsMapping) {
  std::string k1 = InternalKey("a", 1), k2 = InternalKey("b", 2);
  ValuePointer p1, p2;
  {
    auto vlog = Open(&env_);
    p1 = Append(vlog.get(), k1, std::string(1200, '1'));
    ASSERT_OK(vlog->Commit());
    VlogCheckpoint cp;
    ASSERT_OK(vlog->Close(&cp));
  }
  auto vlog = Open(&env_);
  ASSERT_EQ(vlog->head_id(), 1u);
  p2 = Append(vlog.get(), k2, std::string(1300, '2'));
  ASSERT_OK(vlog->Commit());
  int before = env_.reads.load();
  std::string got;
  ASSERT_OK(File(*vlog, 1)->Read(p1, k1, &got));
  EXPECT_EQ(got, std::string(1200, '1'));
  ASSERT_OK(File(*vlog, 1)->Read(p2, k2, &got));
  EXPECT_EQ(got, std::string(1300, '2'));
  EXPECT_EQ(env_.reads.load(), before);
}

TEST_F(VlogFileTest, WithMappingsOffEveryValueIsRead) {
  auto vlog = Open(&env_, 1 << 20, /*map=*/false);
  EXPECT_FALSE(File(*vlog, 1)->mapped());
  std::string key = InternalKey("k", 3);
  ValuePointer p = Append(vlog.get(), key, std::string(1100, 'z'));
  ASSERT_OK(vlog->Commit());
  int before = env_.reads.load();
  std::string got;
  ASSERT_OK(File(*vlog, 1)->Read(p, key, &got));
  EXPECT_EQ(got, std::string(1100, 'z'));
  EXPECT_EQ(env_.reads.load(), before + 1);
}

TEST_F(VlogFileTest, AnEnvWithoutMappingsReadsEveryValue) {
  std::unique_ptr<Env> mem = NewMemEnv();
  ASSERT_OK(mem->CreateDirIfMissing(dir_.path()));
  auto vlog = Open(mem.get(), 4096);
  std::vector<ValuePointer> ptrs;
  for (int i = 0; i < 8; i++) {
    if (vlog->NeedsRotation()) ASSERT_OK(vlog->Rotate());
    ptrs.push_back(Append(vlog.get(), InternalKey("k" + std::to_string(i), 1),
                          std::string(1000, static_cast<char>('a' + i))));
    ASSERT_OK(vlog->Commit());
  }
  for (int i = 0; i < 8; i++) {
    auto file = File(*vlog, ptrs[i].file_id);
    EXPECT_FALSE(file->mapped());
    std::string got;
    ASSERT_OK(file->Read(ptrs[i], InternalKey("k" + std::to_string(i), 1), &got));
    EXPECT_EQ(got, std::string(1000, static_cast<char>('a' + i)));
  }
}

}  // namespace
}  // namespace sett
