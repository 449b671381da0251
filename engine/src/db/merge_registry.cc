#include "db/merge_registry.h"

namespace sett {

bool MergeRegistry::For(std::string_view key, MergeFunction* fn) const {
  if (num_held_.load(std::memory_order_acquire) != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(key);
    if (it != held_.end()) {
      *fn = it->second;
      return true;
    }
  }
  if (!default_) return false;
  *fn = default_;
  return true;
}

Status MergeRegistry::Hold(std::string_view key, MergeFunction fn) {
  if (!fn)
    return Status::InvalidArgument("merge operator on key '" + std::string(key) + "': no function");
  std::lock_guard<std::mutex> lock(mu_);
  if (!held_.emplace(std::string(key), std::move(fn)).second) {
    return Status::AlreadyExists("key '" + std::string(key) + "' already has a merge operator");
  }
  num_held_.store(held_.size(), std::memory_order_release);
  return Status::OK();
}

void MergeRegistry::Release(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(key);
  if (it != held_.end()) held_.erase(it);
  num_held_.store(held_.size(), std::memory_order_release);
}

}  // namespace sett
