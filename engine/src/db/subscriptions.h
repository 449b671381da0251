// Subscriptions deliver committed writes to DB::Subscribe callbacks. The write leader hands each
// applied group to Publish before the next group can apply, so every subscription sees writes
// in commit order; each subscription has its own queue and thread, so a slow callback delays
// only itself.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_DB_SUBSCRIPTIONS_H_
#define SETT_DB_SUBSCRIPTIONS_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sett/stream.h"
#include "sett/write_batch.h"

namespace sett {

class SubscriptionImpl;

class Subscriptions {
 public:
  Subscriptions() : state_(std::make_shared<State>()) {}
  ~Subscriptions();

  std::unique_ptr<Subscription> Add(std::vector<std::string> prefixes, SubscribeCallback callback);
  // A batch applied under version (or per-entry versions), in commit order.
  void Publish(const WriteBatch& batch, uint64_t version,
               const std::vector<uint64_t>* entry_versions);
  bool empty() const { return state_->count.load(std::memory_order_acquire) == 0; }
  // Ends every subscription (the DB is closing).
  void CancelAll();

  // Shared with the users' handles, which may outlive the DB.
  struct State {
    std::mutex mu;
    std::vector<std::shared_ptr<SubscriptionImpl>> subs;
    std::atomic<int> count{0};
    void Remove(SubscriptionImpl* sub);
  };

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sett

#endif  // SETT_DB_SUBSCRIPTIONS_H_
