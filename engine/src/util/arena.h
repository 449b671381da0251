// Arena hands out memory from large blocks and frees it all at once when destroyed. The
// memtable keeps its skiplist nodes, keys and values in one, so a full memtable is one
// allocation count, not millions.
//
// Thread safety: Allocate* by one thread at a time; MemoryUsage from any thread.

#ifndef SETT_UTIL_ARENA_H_
#define SETT_UTIL_ARENA_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace sett {

class Arena {
 public:
  explicit Arena(size_t block_size = kDefaultBlockSize);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns bytes of uninitialized memory; never null.
  char* Allocate(size_t bytes);
  // Like Allocate, aligned for any object with fundamental alignment.
  char* AllocateAligned(size_t bytes);

  // Bytes reserved from the system so far.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }
  // Bytes handed out so far (what the arena's user has filled).
  size_t AllocatedBytes() const { return allocated_.load(std::memory_order_relaxed); }

  static constexpr size_t kDefaultBlockSize = 1 << 20;

 private:
  char* AllocateFallback(size_t bytes);
  char* NewBlock(size_t bytes);

  const size_t block_size_;
  char* alloc_ptr_ = nullptr;
  size_t alloc_remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
  std::atomic<size_t> allocated_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  allocated_.store(allocated_.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
  if (bytes <= alloc_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace sett

#endif  // SETT_UTIL_ARENA_H_
