#include "db/subscriptions.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <thread>

#include "format/key_format.h"
#include "format/write_batch_internal.h"

namespace sett {

class SubscriptionImpl : public std::enable_shared_from_this<SubscriptionImpl> {
 public:
  SubscriptionImpl(std::vector<std::string> prefixes, SubscribeCallback callback)
      : prefixes_(std::move(prefixes)), callback_(std::move(callback)) {}

  void Start() {
    auto self = shared_from_this();
    thread_ = std::thread([self] { self->Deliver(); });
  }

  bool Matches(std::string_view key) const {
    if (prefixes_.empty()) return true;
    for (const std::string& p : prefixes_) {
      if (key.substr(0, p.size()) == p) return true;
    }
    return false;
  }

  void Push(std::vector<KV> writes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    queue_.push_back(std::move(writes));
    cv_.notify_one();
  }

  void Cancel() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    if (thread_.joinable()) thread_.detach();  // Cancelled from its own callback.
  }

  Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  void Deliver() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
      if (stopped_) return;
      std::vector<KV> writes = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      Status s = callback_(writes);
      lock.lock();
      if (!s.ok()) {
        status_ = s;
        stopped_ = true;
        queue_.clear();
        return;
      }
    }
  }

  const std::vector<std::string> prefixes_;
  const SubscribeCallback callback_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<KV>> queue_;
  bool stopped_ = false;
  Status status_;
  std::thread thread_;

  friend class Subscriptions;
};

namespace {

// What the user holds: cancels on destruction.
class SubscriptionHandle : public Subscription {
 public:
  SubscriptionHandle(std::weak_ptr<Subscriptions::State> state,
                     std::shared_ptr<SubscriptionImpl> impl)
      : state_(std::move(state)), impl_(std::move(impl)) {}
  ~SubscriptionHandle() override { Cancel(); }
  void Cancel() override {
    if (cancelled_) return;
    cancelled_ = true;
    if (auto state = state_.lock()) state->Remove(impl_.get());
    impl_->Cancel();
  }
  Status status() const override { return impl_->status(); }

 private:
  std::weak_ptr<Subscriptions::State> state_;
  std::shared_ptr<SubscriptionImpl> impl_;
  bool cancelled_ = false;
};

}  // namespace

Subscriptions::~Subscriptions() { CancelAll(); }

std::unique_ptr<Subscription> Subscriptions::Add(std::vector<std::string> prefixes,
                                                 SubscribeCallback callback) {
  auto impl = std::make_shared<SubscriptionImpl>(std::move(prefixes), std::move(callback));
  impl->Start();
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->subs.push_back(impl);
    state_->count.store(static_cast<int>(state_->subs.size()), std::memory_order_release);
  }
  return std::make_unique<SubscriptionHandle>(state_, impl);
}

void Subscriptions::State::Remove(SubscriptionImpl* sub) {
  std::lock_guard<std::mutex> lock(mu);
  subs.erase(
      std::remove_if(subs.begin(), subs.end(), [&](const auto& s) { return s.get() == sub; }),
      subs.end());
  count.store(static_cast<int>(subs.size()), std::memory_order_release);
}

void Subscriptions::Publish(const WriteBatch& batch, uint64_t version,
                            const std::vector<uint64_t>* entry_versions) {
  std::vector<std::shared_ptr<SubscriptionImpl>> subs;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    subs = state_->subs;
  }
  for (const auto& sub : subs) {
    std::vector<KV> writes;
    size_t index = 0;
    WriteBatchInternal::ForEach(batch, [&](const BatchEntry& e) {
      uint64_t v = entry_versions != nullptr ? (*entry_versions)[index] : version;
      index++;
      if (!sub->Matches(e.key)) return;
      KV kv;
      kv.key.assign(e.key.data(), e.key.size());
      kv.value.assign(e.value.data(), e.value.size());
      kv.version = v;
      kv.user_meta = e.user_meta;
      kv.expires_at = e.expires_at;
      kv.deleted = (e.meta & kMetaDelete) != 0;
      kv.merge = (e.meta & kMetaMerge) != 0;
      writes.push_back(std::move(kv));
    });
    if (!writes.empty()) sub->Push(std::move(writes));
  }
}

void Subscriptions::CancelAll() {
  std::vector<std::shared_ptr<SubscriptionImpl>> subs;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    subs.swap(state_->subs);
    state_->count.store(0, std::memory_order_release);
  }
  for (const auto& sub : subs) sub->Cancel();
}

}  // namespace sett
