// Sequences: increasing, never repeated - across threads, releases, reopens and crashes.

#include "sett/sequence.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/kill_child.h"
#include "support/test_util.h"

namespace sett {
namespace {

Options SeqOptions(const std::string& dir) {
  Options options;
  options.dir = dir;
  options.logger = StderrLogger(LogLevel::kError);
  return options;
}

TEST(SequenceTest, IncreasingAcrossReleaseAndReopen) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(SeqOptions(dir.path()), &db));
  std::unique_ptr<Sequence> seq;
  ASSERT_OK(db->GetSequence("ids", 10, &seq));
  std::vector<uint64_t> got;
  for (int i = 0; i < 25; i++) {
    uint64_t v;
    ASSERT_OK(seq->Next(&v));
    got.push_back(v);
  }
  for (int i = 0; i < 25; i++) EXPECT_EQ(got[i], static_cast<uint64_t>(i));
  ASSERT_OK(seq->Release());  // Gives back 25..29.
  seq.reset();
  ASSERT_OK(db->Close());
  ASSERT_OK(DB::Open(SeqOptions(dir.path()), &db));
  ASSERT_OK(db->GetSequence("ids", 10, &seq));
  uint64_t v;
  ASSERT_OK(seq->Next(&v));
  EXPECT_EQ(v, 25u);
  // Another sequence on the same key leases after this one's lease.
  std::unique_ptr<Sequence> other;
  ASSERT_OK(db->GetSequence("ids", 10, &other));
  ASSERT_OK(other->Next(&v));
  EXPECT_EQ(v, 35u);
  EXPECT_TRUE(db->GetSequence("ids", 0, &other).IsInvalidArgument());
  seq.reset();
  other.reset();
  ASSERT_OK(db->Close());
}

TEST(SequenceTest, ConcurrentNextNeverRepeats) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(SeqOptions(dir.path()), &db));
  std::unique_ptr<Sequence> a, b;
  ASSERT_OK(db->GetSequence("ids", 7, &a));
  ASSERT_OK(db->GetSequence("ids", 13, &b));
  std::mutex mu;
  std::set<uint64_t> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      Sequence* s = t % 2 == 0 ? a.get() : b.get();
      for (int i = 0; i < 500; i++) {
        uint64_t v;
        Status st = s->Next(&v);
        ASSERT_TRUE(st.ok()) << st.ToString();
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_TRUE(seen.insert(v).second) << v << " handed out twice";
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 2000u);
  a.reset();
  b.reset();
  ASSERT_OK(db->Close());
}

TEST(SequenceTest, NoNumberRepeatsAfterACrash) {
  test::TempDir dir;
  std::set<uint64_t> seen;
  for (int round = 0; round < 5; round++) {
    auto take_numbers = [&](int fd) {
      std::unique_ptr<DB> db;
      if (!DB::Open(SeqOptions(dir.path()), &db).ok()) _exit(3);
      std::unique_ptr<Sequence> seq;
      if (!db->GetSequence("ids", 50, &seq).ok()) _exit(4);
      while (true) {
        uint64_t v;
        if (!seq->Next(&v).ok()) _exit(5);
        if (write(fd, &v, sizeof(v)) != sizeof(v)) _exit(6);
      }
    };
    test::KilledChild child =
        test::KillChildAfter(take_numbers, std::chrono::milliseconds(50 + 40 * round),
                             /*min_output=*/sizeof(uint64_t));
    ASSERT_TRUE(child.killed) << "exited with " << child.exit_code;
    int n = 0;
    for (size_t at = 0; at + sizeof(uint64_t) <= child.output.size(); at += sizeof(uint64_t)) {
      uint64_t v;
      std::memcpy(&v, child.output.data() + at, sizeof(v));
      ASSERT_TRUE(seen.insert(v).second) << v << " handed out twice, round " << round;
      n++;
    }
    EXPECT_GT(n, 0);
  }
}

}  // namespace
}  // namespace sett
