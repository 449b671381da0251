// DBImpl::Stream: reads a key range out in parallel, hands it over in order.
//
// The range is cut at table boundaries into more pieces than workers; workers read pieces in
// order into per-piece queues of a few batches each (and wait when a queue is full), while the
// calling thread takes the pieces' batches in key order and hands them to the callback. Memory
// stays bounded by the workers' queues, and the output is exactly an ordered scan.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <thread>

#include "db/db_impl.h"

namespace sett {
namespace {

constexpr size_t kQueuedBatchesPerRange = 4;

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

struct RangeQueue {
  std::string start, end;  // [start, end); end "" = unbounded.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<KV>> batches;
  bool done = false;
  Status status;
};

}  // namespace

Status DBImpl::Stream(const StreamOptions& options, const StreamCallback& callback) {
  if (options.num_workers < 1) return Status::InvalidArgument("num_workers must be at least 1");
  uint64_t read_ts;
  SnapshotList::Position position;
  if (options.read_ts != 0) {
    read_ts = options.read_ts;
    position = snapshots_->Add(read_ts);
  } else {
    position = snapshots_->AddLatest(visible_version_, &read_ts);
  }
  std::shared_ptr<const View> view = CurrentView();
  if (view == nullptr) {
    snapshots_->Remove(position);
    return Status::Aborted(dir_ + " is closed");
  }

  // Cut points: table boundaries inside the prefix range.
  const std::string end = PrefixEnd(options.prefix);
  std::vector<std::string> cuts;
  for (int level = 0; level < view->levels->num_levels(); level++) {
    for (const auto& t : view->levels->tables(level)) {
      std::string k(t->smallest_user_key());
      if (k > options.prefix && (end.empty() || k < end)) cuts.push_back(std::move(k));
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  size_t wanted = static_cast<size_t>(options.num_workers) * 4;
  std::vector<std::unique_ptr<RangeQueue>> ranges;
  std::string start = options.prefix;
  for (size_t i = 1; i <= wanted && !cuts.empty(); i++) {
    size_t index = i * cuts.size() / (wanted + 1);
    if (index >= cuts.size() || cuts[index] <= start) continue;
    auto r = std::make_unique<RangeQueue>();
    r->start = start;
    r->end = cuts[index];
    start = cuts[index];
    ranges.push_back(std::move(r));
  }
  auto last = std::make_unique<RangeQueue>();
  last->start = start;
  last->end = end;
  ranges.push_back(std::move(last));

  std::atomic<size_t> next_range{0};
  std::atomic<bool> stop{false};
  auto work = [&] {
    while (!stop) {
      size_t i = next_range.fetch_add(1);
      if (i >= ranges.size()) return;
      RangeQueue& r = *ranges[i];
      ReadOptions ro;
      ro.prefix = options.prefix;
      ro.fill_cache = false;
      std::unique_ptr<Iterator> it = NewIteratorAt(ro, read_ts, nullptr);
      std::vector<KV> batch;
      size_t bytes = 0;
      auto hand_over = [&] {
        std::unique_lock<std::mutex> lock(r.mu);
        r.cv.wait(lock, [&] { return r.batches.size() < kQueuedBatchesPerRange || stop; });
        r.batches.push_back(std::move(batch));
        r.cv.notify_all();
        batch.clear();
        bytes = 0;
      };
      for (it->Seek(r.start); it->Valid() && !stop; it->Next()) {
        if (!r.end.empty() && it->key() >= r.end) break;
        KV kv;
        kv.key.assign(it->key().data(), it->key().size());
        kv.value.assign(it->value().data(), it->value().size());
        kv.version = it->version();
        kv.user_meta = it->user_meta();
        kv.expires_at = it->expires_at();
        bytes += kv.key.size() + kv.value.size();
        batch.push_back(std::move(kv));
        if (bytes >= options.batch_bytes) hand_over();
      }
      if (!batch.empty()) hand_over();
      std::lock_guard<std::mutex> lock(r.mu);
      r.status = it->status();
      r.done = true;
      r.cv.notify_all();
    }
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < options.num_workers; w++) workers.emplace_back(work);

  Status s;
  for (size_t i = 0; i < ranges.size() && s.ok(); i++) {
    RangeQueue& r = *ranges[i];
    while (s.ok()) {
      std::unique_lock<std::mutex> lock(r.mu);
      r.cv.wait(lock, [&] { return !r.batches.empty() || r.done; });
      if (r.batches.empty()) {
        s = r.status;
        break;
      }
      std::vector<KV> batch = std::move(r.batches.front());
      r.batches.pop_front();
      r.cv.notify_all();
      lock.unlock();
      s = callback(batch);
    }
  }
  stop = true;
  for (auto& r : ranges) {
    std::lock_guard<std::mutex> lock(r->mu);
    r->cv.notify_all();
  }
  for (auto& t : workers) t.join();
  snapshots_->Remove(position);
  return s;
}

}  // namespace sett
