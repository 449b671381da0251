#include "util/arena.h"

#include <cstdint>

namespace sett {

Arena::Arena(size_t block_size) : block_size_(block_size) {}

char* Arena::NewBlock(size_t bytes) {
  blocks_.emplace_back(new char[bytes]);
  memory_usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
  return blocks_.back().get();
}

char* Arena::AllocateFallback(size_t bytes) {
  // A large request gets a block of its own, so that the rest of the current block is not
  // wasted.
  if (bytes > block_size_ / 4) return NewBlock(bytes);
  alloc_ptr_ = NewBlock(block_size_);
  alloc_remaining_ = block_size_;
  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateAligned(size_t bytes) {
  constexpr size_t kAlign = alignof(std::max_align_t);
  size_t misalignment = reinterpret_cast<uintptr_t>(alloc_ptr_) & (kAlign - 1);
  size_t padding = misalignment == 0 ? 0 : kAlign - misalignment;
  allocated_.store(allocated_.load(std::memory_order_relaxed) + bytes + padding,
                   std::memory_order_relaxed);
  if (bytes + padding <= alloc_remaining_) {
    char* result = alloc_ptr_ + padding;
    alloc_ptr_ += bytes + padding;
    alloc_remaining_ -= bytes + padding;
    return result;
  }
  // New blocks come from operator new[], which aligns for every fundamental type.
  return AllocateFallback(bytes);
}

}  // namespace sett
