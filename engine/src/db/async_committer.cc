#include "db/async_committer.h"

namespace sett {

AsyncCommitter::AsyncCommitter(CommitAll commit_all, Status closing)
    : commit_all_(std::move(commit_all)), closing_(std::move(closing)) {}

AsyncCommitter::~AsyncCommitter() { Stop(); }

void AsyncCommitter::Submit(Commit commit) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    commit.callback(closing_);
    return;
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  queue_.push_back(std::move(commit));
  cv_.notify_one();
}

void AsyncCommitter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::vector<Commit> commits = std::move(queue_);
    queue_.clear();
    lock.unlock();
    std::vector<Status> results = commit_all_(commits);
    for (size_t i = 0; i < commits.size(); i++) commits[i].callback(results[i]);
    lock.lock();
  }
}

void AsyncCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sett
