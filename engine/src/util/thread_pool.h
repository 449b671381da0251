// ThreadPool runs submitted tasks on a fixed set of threads. The DB uses one to read values
// from the value log ahead of iterators.
//
// Thread safety: Submit may be called from any thread. The destructor waits for queued and
// running tasks to finish.

#ifndef SETT_UTIL_THREAD_POOL_H_
#define SETT_UTIL_THREAD_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sett {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  template <typename Fn>
  auto Submit(Fn&& fn) -> std::future<decltype(fn())> {
    auto task = std::make_shared<std::packaged_task<decltype(fn())()>>(std::forward<Fn>(fn));
    std::future<decltype(fn())> result = task->get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return result;
  }

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sett

#endif  // SETT_UTIL_THREAD_POOL_H_
