#include "db/stream_reader.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "format/key_format.h"

namespace sett {
namespace {

constexpr size_t kQueuedBatchesPerRange = 4;
constexpr size_t kRangesPerWorker = 4;

// One piece of the range and the batches read from it that the caller has not taken yet.
struct RangeQueue {
  std::string start, end;  // [start, end); end "" = unbounded.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<KV>> batches;
  bool done = false;
  Status status;
};

using Ranges = std::vector<std::unique_ptr<RangeQueue>>;

// Cuts [prefix, PrefixSuccessor(prefix)) at up to `wanted` of the boundaries, evenly spread.
Ranges CutRange(const std::string& prefix, std::vector<std::string> boundaries, size_t wanted) {
  const std::string end = PrefixSuccessor(prefix);
  boundaries.erase(std::remove_if(boundaries.begin(), boundaries.end(),
                                  [&](const std::string& k) {
                                    return k <= prefix || (!end.empty() && k >= end);
                                  }),
                   boundaries.end());
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  Ranges ranges;
  std::string start = prefix;
  auto add = [&](const std::string& until) {
    ranges.push_back(std::make_unique<RangeQueue>());
    ranges.back()->start = start;
    ranges.back()->end = until;
    start = until;
  };
  for (size_t i = 1; i <= wanted && !boundaries.empty(); i++) {
    size_t index = i * boundaries.size() / (wanted + 1);
    if (index < boundaries.size() && boundaries[index] > start) add(boundaries[index]);
  }
  add(end);
  return ranges;
}

KV CopyEntry(const Iterator& it) {
  KV kv;
  kv.key.assign(it.key().data(), it.key().size());
  kv.value.assign(it.value().data(), it.value().size());
  kv.version = it.version();
  kv.user_meta = it.user_meta();
  kv.expires_at = it.expires_at();
  return kv;
}

// A worker: reads one range into its queue, in batches of about batch_bytes.
void ReadRange(RangeQueue* r, Iterator* it, size_t batch_bytes, const std::atomic<bool>& stop) {
  std::vector<KV> batch;
  size_t bytes = 0;
  auto hand_over = [&] {
    std::unique_lock<std::mutex> lock(r->mu);
    r->cv.wait(lock, [&] { return r->batches.size() < kQueuedBatchesPerRange || stop; });
    r->batches.push_back(std::move(batch));
    r->cv.notify_all();
    batch.clear();
    bytes = 0;
  };
  for (it->Seek(r->start); it->Valid() && !stop; it->Next()) {
    if (!r->end.empty() && it->key() >= r->end) break;
    batch.push_back(CopyEntry(*it));
    bytes += batch.back().key.size() + batch.back().value.size();
    if (bytes >= batch_bytes) hand_over();
  }
  if (!batch.empty()) hand_over();
  std::lock_guard<std::mutex> lock(r->mu);
  r->status = it->status();
  r->done = true;
  r->cv.notify_all();
}

// The caller's side: takes each range's batches in order and hands them to the callback.
Status Deliver(const Ranges& ranges, const StreamCallback& callback) {
  Status s;
  for (size_t i = 0; i < ranges.size() && s.ok(); i++) {
    RangeQueue& r = *ranges[i];
    while (s.ok()) {
      std::unique_lock<std::mutex> lock(r.mu);
      r.cv.wait(lock, [&] { return !r.batches.empty() || r.done; });
      if (r.batches.empty()) {
        s = r.status;  // This range is done: on to the next.
        break;
      }
      std::vector<KV> batch = std::move(r.batches.front());
      r.batches.pop_front();
      r.cv.notify_all();
      lock.unlock();
      s = callback(batch);
    }
  }
  return s;
}

}  // namespace

Status StreamInOrder(const StreamOptions& options, std::vector<std::string> boundaries,
                     const std::function<std::unique_ptr<Iterator>()>& new_iterator,
                     const StreamCallback& callback) {
  if (options.num_workers < 1) return Status::InvalidArgument("num_workers must be at least 1");
  const size_t workers_wanted = static_cast<size_t>(options.num_workers);
  Ranges ranges =
      CutRange(options.prefix, std::move(boundaries), workers_wanted * kRangesPerWorker);
  std::atomic<size_t> next_range{0};
  std::atomic<bool> stop{false};
  auto work = [&] {
    while (!stop) {
      size_t i = next_range.fetch_add(1);
      if (i >= ranges.size()) return;
      std::unique_ptr<Iterator> it = new_iterator();
      ReadRange(ranges[i].get(), it.get(), options.batch_bytes, stop);
    }
  };
  std::vector<std::thread> workers;
  for (size_t w = 0; w < workers_wanted; w++) workers.emplace_back(work);
  Status s = Deliver(ranges, callback);
  stop = true;
  for (auto& r : ranges) {
    std::lock_guard<std::mutex> lock(r->mu);
    r->cv.notify_all();
  }
  for (auto& t : workers) t.join();
  return s;
}

}  // namespace sett
