// AsyncCommitter runs the asynchronous commits of transactions (Txn::CommitAsync) on a thread
// of its own, started by the first one. Each time it wakes it takes every commit queued so far
// and hands them to the commit function at once, which queues them together so that they
// commit as one group; then it calls each one's callback with its result.
//
// Thread safety: Submit and Stop may be called from any thread.

#ifndef SETT_DB_ASYNC_COMMITTER_H_
#define SETT_DB_ASYNC_COMMITTER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sett/status.h"
#include "sett/write_batch.h"

namespace sett {

class AsyncCommitter {
 public:
  struct Commit {
    std::unique_ptr<WriteBatch> batch;
    uint64_t read_ts = 0;
    std::vector<uint64_t> reads;  // Hashes of the keys the transaction read.
    bool sync = false;
    std::function<void(const Status&)> callback;
  };
  // Commits all of `commits`, returning one status each, in order.
  using CommitAll = std::function<std::vector<Status>(const std::vector<Commit>& commits)>;

  // closing: the status a commit submitted after Stop gets.
  AsyncCommitter(CommitAll commit_all, Status closing);
  ~AsyncCommitter();  // Stops.
  AsyncCommitter(const AsyncCommitter&) = delete;
  AsyncCommitter& operator=(const AsyncCommitter&) = delete;

  void Submit(Commit commit);
  // Commits what is queued, then ends the thread; later commits fail at once with `closing`.
  void Stop();

 private:
  void Loop();

  const CommitAll commit_all_;
  const Status closing_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Commit> queue_;
  std::thread thread_;
  bool stopping_ = false;
};

}  // namespace sett

#endif  // SETT_DB_ASYNC_COMMITTER_H_
