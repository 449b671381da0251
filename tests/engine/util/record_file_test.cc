// Record files: round trip, torn tails, and damage that a crash cannot explain.

#include "util/record_file.h"

#include <gtest/gtest.h>

#include "sett/env.h"
#include "support/test_util.h"

namespace sett {
namespace {

constexpr uint64_t kMagic = 0x1122334455667788ULL;

class RecordFileTest : public ::testing::Test {
 protected:
  test::TempDir dir_;  // First: other members are built from it.
  std::string path_ = dir_.Join("records");

  // Writes n records of varying sizes; syncs after each when `sync`.
  std::vector<uint64_t> WriteRecords(int n, bool sync) {
    std::unique_ptr<RecordWriter> w;
    EXPECT_OK(RecordWriter::Create(Env::Default(), path_, kMagic, 1, &w));
    std::vector<uint64_t> offsets;
    for (int i = 0; i < n; i++) {
      offsets.push_back(w->Size());
      EXPECT_OK(w->AddRecord(Payload(i)));
      EXPECT_OK(sync ? w->Sync() : w->Flush());
    }
    EXPECT_OK(w->Close());
    return offsets;
  }

  static std::string Payload(int i) { return std::string(10 + (i * 37) % 300, 'a' + i % 26); }

  // Reads every record; returns the count, and the reader for inspection.
  int ReadAll(std::unique_ptr<RecordReader>* reader) {
    EXPECT_OK(RecordReader::Open(Env::Default(), path_, kMagic, 1, reader));
    int n = 0;
    std::string_view record;
    while ((*reader)->Next(&record)) {
      EXPECT_EQ(record, Payload(n)) << "record " << n;
      n++;
    }
    return n;
  }
};

TEST_F(RecordFileTest, RoundTrip) {
  WriteRecords(100, false);
  std::unique_ptr<RecordReader> r;
  EXPECT_EQ(ReadAll(&r), 100);
  EXPECT_FALSE(r->damaged());
  EXPECT_OK(r->status());
  EXPECT_EQ(r->intact_end(), test::FileSize(path_));
}

TEST_F(RecordFileTest, AppendAfterReopen) {
  WriteRecords(3, true);
  std::unique_ptr<RecordWriter> w;
  ASSERT_OK(RecordWriter::OpenForAppend(Env::Default(), path_, &w));
  ASSERT_OK(w->AddRecord(Payload(3)));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Close());
  std::unique_ptr<RecordReader> r;
  EXPECT_EQ(ReadAll(&r), 4);
}

TEST_F(RecordFileTest, TornTailAtEveryCutIsNotCorruption) {
  std::vector<uint64_t> offsets = WriteRecords(5, true);
  std::string full = test::ReadFile(path_);
  for (uint64_t cut = kRecordFileHeaderSize; cut < full.size(); cut += 7) {
    test::WriteFile(path_, full.substr(0, cut));
    std::unique_ptr<RecordReader> r;
    int n = ReadAll(&r);
    int expected = 0;
    while (expected + 1 < static_cast<int>(offsets.size()) && offsets[expected + 1] <= cut)
      expected++;
    EXPECT_EQ(n, expected) << "cut at " << cut;
    EXPECT_OK(r->status());
    EXPECT_EQ(r->intact_end(), offsets[n]) << "cut at " << cut;
  }
}

TEST_F(RecordFileTest, GarbageTailIsTorn) {
  WriteRecords(3, false);
  std::string data = test::ReadFile(path_);
  test::WriteFile(path_, data + std::string(100, '\0'));
  std::unique_ptr<RecordReader> r;
  EXPECT_EQ(ReadAll(&r), 3);
  EXPECT_TRUE(r->damaged());
  EXPECT_OK(r->status());
  EXPECT_EQ(r->intact_end(), data.size());
}

TEST_F(RecordFileTest, DamageBeforeSyncedRecordsIsCorruption) {
  std::vector<uint64_t> offsets = WriteRecords(6, /*sync=*/true);
  test::FlipByte(path_, offsets[2] + kRecordHeaderSize + 3);
  std::unique_ptr<RecordReader> r;
  EXPECT_EQ(ReadAll(&r), 2);
  EXPECT_TRUE(r->status().IsCorruption()) << r->status().ToString();
  EXPECT_NE(r->status().message().find("offset " + std::to_string(offsets[2])), std::string::npos)
      << r->status().ToString();
  EXPECT_NE(r->status().message().find(path_), std::string::npos);
}

TEST_F(RecordFileTest, DamagedHeaderBeforeSyncedRecordsIsCorruption) {
  std::vector<uint64_t> offsets = WriteRecords(6, /*sync=*/true);
  test::FlipByte(path_, offsets[1] + 5);  // The length field.
  std::unique_ptr<RecordReader> r;
  EXPECT_EQ(ReadAll(&r), 1);
  EXPECT_TRUE(r->status().IsCorruption()) << r->status().ToString();
}

TEST_F(RecordFileTest, DamageInUnsyncedRegionIsTornTail) {
  // Nothing was fsynced, so a crash could have lost any of it: not corruption.
  std::vector<uint64_t> offsets = WriteRecords(6, /*sync=*/false);
  test::FlipByte(path_, offsets[2] + kRecordHeaderSize + 3);
  std::unique_ptr<RecordReader> r;
  EXPECT_EQ(ReadAll(&r), 2);
  EXPECT_TRUE(r->damaged());
  EXPECT_OK(r->status());
  EXPECT_EQ(r->intact_end(), offsets[2]);
}

TEST_F(RecordFileTest, BadFileHeader) {
  WriteRecords(1, false);
  test::FlipByte(path_, 2);
  std::unique_ptr<RecordReader> r;
  Status s = RecordReader::Open(Env::Default(), path_, kMagic, 1, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  WriteRecords(1, false);
  s = RecordReader::Open(Env::Default(), path_, kMagic + 1, 1, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // Readers read older versions of their format, never newer ones.
  ASSERT_OK(RecordReader::Open(Env::Default(), path_, kMagic, 2, &r));
  std::unique_ptr<RecordWriter> w;
  ASSERT_OK(RecordWriter::Create(Env::Default(), path_, kMagic, 3, &w));
  ASSERT_OK(w->Close());
  s = RecordReader::Open(Env::Default(), path_, kMagic, 2, &r);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
}

TEST_F(RecordFileTest, FileShorterThanHeaderReadsAsEmpty) {
  test::WriteFile(path_, "abc");
  std::unique_ptr<RecordReader> r;
  ASSERT_OK(RecordReader::Open(Env::Default(), path_, kMagic, 1, &r));
  std::string_view record;
  EXPECT_FALSE(r->Next(&record));
  EXPECT_TRUE(r->damaged());
  EXPECT_EQ(r->intact_end(), 0u);
}

}  // namespace
}  // namespace sett
