#include "txn/oracle.h"

#include <gtest/gtest.h>

namespace sett {
namespace {

Status Commit(Oracle* oracle, uint64_t read_ts, std::vector<uint64_t> reads,
              std::vector<uint64_t> writes, uint64_t* ts, uint64_t managed = 0) {
  return oracle->Commit(
      read_ts, reads, std::move(writes), managed, [](uint64_t) { return Status::OK(); }, ts);
}

TEST(OracleTest, ConflictsOnlyWithWritesCommittedAfterTheReadTimestamp) {
  SnapshotList readers;
  auto reader = readers.Add(0);  // Keeps every write set remembered.
  Oracle oracle(true, &readers);
  oracle.Init(10);
  uint64_t ts;
  ASSERT_TRUE(Commit(&oracle, 10, {}, {1, 2}, &ts).ok());
  EXPECT_EQ(ts, 11u);
  EXPECT_TRUE(Commit(&oracle, 10, {2}, {3}, &ts).IsConflict());  // Read 2 at 10; 11 wrote it.
  EXPECT_TRUE(Commit(&oracle, 11, {2}, {3}, &ts).ok());          // Read after it: fine.
  EXPECT_EQ(ts, 12u);
  EXPECT_TRUE(Commit(&oracle, 10, {4, 5}, {6}, &ts).ok());  // Disjoint.
  EXPECT_TRUE(Commit(&oracle, 0, {}, {2}, &ts).ok());       // Blind write.
  EXPECT_EQ(oracle.remembered(), 4u);
  readers.Remove(reader);
  EXPECT_TRUE(Commit(&oracle, 14, {}, {9}, &ts).ok());
  EXPECT_EQ(oracle.remembered(), 0u) << "no reader left that could conflict";
}

TEST(OracleTest, RefusedEnqueueRecordsNothing) {
  SnapshotList readers;
  auto reader = readers.Add(0);
  Oracle oracle(true, &readers);
  uint64_t ts;
  Status s = oracle.Commit(
      0, {}, {7}, 0, [](uint64_t) { return Status::Aborted("closed"); }, &ts);
  EXPECT_TRUE(s.IsAborted());
  EXPECT_EQ(oracle.remembered(), 0u);
  EXPECT_TRUE(Commit(&oracle, 0, {7}, {}, &ts).ok());
  readers.Remove(reader);
}

TEST(OracleTest, ManagedTimestampsAndNoDetection) {
  SnapshotList readers;
  Oracle oracle(false, &readers);
  uint64_t ts;
  ASSERT_TRUE(Commit(&oracle, 0, {}, {1}, &ts, /*managed=*/100).ok());
  EXPECT_EQ(ts, 100u);
  EXPECT_TRUE(Commit(&oracle, 0, {1}, {1}, &ts, 50).ok());  // Detection off.
  EXPECT_EQ(oracle.last_ts(), 100u);
}

}  // namespace
}  // namespace sett
