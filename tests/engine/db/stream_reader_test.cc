// StreamInOrder on its own: whatever the boundaries and workers, the batches are exactly an
// ordered scan of the prefix, and a callback's error stops the stream.

#include "db/stream_reader.h"

#include <gtest/gtest.h>

#include "sett/db.h"
#include "support/test_util.h"

namespace sett {
namespace {

class StreamReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.in_memory = true;
    ASSERT_OK(DB::Open(options, &db_));
    WriteBatch batch;
    for (int i = 0; i < 3000; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "%c%05d", i % 3 == 0 ? 'a' : 'b', i);
      batch.Put(key, std::string(i % 50, 'v'));
    }
    ASSERT_OK(db_->Write(WriteOptions(), batch));
  }
  std::vector<std::string> Stream(const StreamOptions& options,
                                  std::vector<std::string> boundaries) {
    std::vector<std::string> keys;
    ReadOptions ro;
    ro.prefix = options.prefix;
    EXPECT_OK(StreamInOrder(
        options, std::move(boundaries), [&] { return db_->NewIterator(ro); },
        [&](const std::vector<KV>& batch) {
          for (const KV& kv : batch) keys.push_back(kv.key);
          return Status::OK();
        }));
    return keys;
  }
  std::vector<std::string> Scan(const std::string& prefix) {
    std::vector<std::string> keys;
    ReadOptions ro;
    ro.prefix = prefix;
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    for (it->Rewind(); it->Valid(); it->Next()) keys.emplace_back(it->key());
    return keys;
  }
  std::unique_ptr<DB> db_;
};

TEST_F(StreamReaderTest, AnyBoundariesGiveAnOrderedScan) {
  const std::vector<std::string> boundaries = {"b01000", "a00300", "a00300", "zzz", "",
                                               "b02500", "a",      "b00001", "b"};
  for (int workers : {1, 3}) {
    for (const std::string prefix : {"", "a", "b0", "c"}) {
      StreamOptions options;
      options.prefix = prefix;
      options.num_workers = workers;
      options.batch_bytes = 512;  // Many batches per range.
      EXPECT_EQ(Stream(options, boundaries), Scan(prefix)) << prefix << " " << workers;
    }
  }
  EXPECT_EQ(Scan("a").size(), 1000u);
}

TEST_F(StreamReaderTest, ACallbackErrorStopsTheStream) {
  StreamOptions options;
  options.batch_bytes = 256;
  int calls = 0;
  Status s = StreamInOrder(
      options, {"a00500", "b01000"}, [&] { return db_->NewIterator(ReadOptions()); },
      [&](const std::vector<KV>&) {
        return ++calls == 3 ? Status::Aborted("enough") : Status::OK();
      });
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  EXPECT_EQ(calls, 3);
  options.num_workers = 0;
  EXPECT_TRUE(StreamInOrder(options, {}, nullptr, nullptr).IsInvalidArgument());
}

}  // namespace
}  // namespace sett
