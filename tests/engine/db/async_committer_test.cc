// AsyncCommitter: commits queued while one group commits go together as the next, every
// callback gets its own result, and Stop commits what is queued before refusing more.

#include "db/async_committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace sett {
namespace {

TEST(AsyncCommitterTest, CommitsQueuedMeanwhileGoTogetherAndEachGetsItsResult) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<size_t> group_sizes;  // Written by the committer thread, read after Stop.
  std::atomic<bool> committing{false};
  AsyncCommitter committer(
      [&](const std::vector<AsyncCommitter::Commit>& commits) {
        group_sizes.push_back(commits.size());
        committing = true;
        released.wait();  // The first group holds the thread while more queue up.
        std::vector<Status> results;
        for (const auto& c : commits) {
          results.push_back(c.read_ts % 2 == 0 ? Status::OK() : Status::Conflict("odd"));
        }
        return results;
      },
      Status::Aborted("closing"));
  std::vector<std::promise<Status>> done(6);
  auto submit = [&](uint64_t i) {
    AsyncCommitter::Commit c;
    c.read_ts = i;
    c.callback = [&done, i](const Status& s) { done[i].set_value(s); };
    committer.Submit(std::move(c));
  };
  submit(0);
  while (!committing) std::this_thread::yield();  // The first group is committing.
  for (uint64_t i = 1; i < 6; i++) submit(i);
  release.set_value();
  for (uint64_t i = 0; i < 6; i++) {
    Status s = done[i].get_future().get();
    EXPECT_EQ(s.ok(), i % 2 == 0) << i << " " << s.ToString();
  }
  committer.Stop();
  EXPECT_EQ(group_sizes, (std::vector<size_t>{1, 5}));
}

TEST(AsyncCommitterTest, AfterStopCommitsFailWithTheClosingStatus) {
  std::atomic<int> committed{0};
  AsyncCommitter committer(
      [&](const std::vector<AsyncCommitter::Commit>& commits) {
        committed += static_cast<int>(commits.size());
        return std::vector<Status>(commits.size());
      },
      Status::Aborted("closing"));
  committer.Stop();
  Status got;
  AsyncCommitter::Commit c;
  c.callback = [&](const Status& s) { got = s; };
  committer.Submit(std::move(c));  // Called back at once, on this thread.
  EXPECT_TRUE(got.IsAborted()) << got.ToString();
  EXPECT_EQ(committed.load(), 0);
}

}  // namespace
}  // namespace sett
