// Sequences: increasing, never repeated - across threads, releases, reopens and crashes.

#include "sett/sequence.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
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
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      std::unique_ptr<DB> db;
      if (!DB::Open(SeqOptions(dir.path()), &db).ok()) _exit(3);
      std::unique_ptr<Sequence> seq;
      if (!db->GetSequence("ids", 50, &seq).ok()) _exit(4);
      while (true) {
        uint64_t v;
        if (!seq->Next(&v).ok()) _exit(5);
        if (write(fds[1], &v, sizeof(v)) != sizeof(v)) _exit(6);
      }
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + 40 * round));
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    uint64_t v;
    int n = 0;
    while (read(fds[0], &v, sizeof(v)) == sizeof(v)) {
      ASSERT_TRUE(seen.insert(v).second) << v << " handed out twice, round " << round;
      n++;
    }
    close(fds[0]);
    EXPECT_GT(n, 0);
  }
}

}  // namespace
}  // namespace sett
