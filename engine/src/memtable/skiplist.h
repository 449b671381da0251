// SkipList is the memtable's ordered map from internal key to encoded value struct, with its
// nodes, keys and values in an Arena.
//
// Thread safety: Insert is called by one thread at a time (the DB's write leader). Readers -
// Find and Iterator - run concurrently with that writer and with each other, without locks: a
// node is completely built before a release store links it in, and readers follow links with
// acquire loads. A value replaced by a second Insert of the same key is swapped the same way.
//
// Invariants: nodes are never removed or moved, so a pointer to a node stays valid for the
// list's lifetime; level-0 links form the complete sorted list.

#ifndef SETT_MEMTABLE_SKIPLIST_H_
#define SETT_MEMTABLE_SKIPLIST_H_

#include <atomic>
#include <cstdint>
#include <string_view>

#include "util/arena.h"
#include "util/random.h"

namespace sett {

class SkipList {
 private:
  struct Node;

 public:
  explicit SkipList(Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // Inserts key -> value, or replaces the value when key is already present. Both are copied.
  // Returns the entry that now follows it (invalid at the end).
  class Iterator;
  Iterator Insert(std::string_view key, std::string_view value);

  size_t Count() const { return count_.load(std::memory_order_relaxed); }

  // A position in the list; valid while the list lives.
  class Iterator {
   public:
    explicit Iterator(const SkipList* list, const Node* node = nullptr)
        : list_(list), node_(node) {}
    bool Valid() const { return node_ != nullptr; }
    std::string_view key() const;
    std::string_view value() const;
    void Next();
    void Prev();
    // First entry with key >= target.
    void Seek(std::string_view target);
    // The same, searching on from here rather than from the head: the cost grows with the
    // distance to the target, not with the size of the list. REQUIRES: Valid().
    void SeekForward(std::string_view target);
    // Last entry with key <= target.
    void SeekForPrev(std::string_view target);
    void SeekToFirst();
    void SeekToLast();

   private:
    const SkipList* list_;
    const Node* node_ = nullptr;
  };

 private:
  static constexpr int kMaxHeight = 12;

  Node* NewNode(std::string_view key, std::string_view value, int height);
  const char* CopyValue(std::string_view value);
  int RandomHeight();
  // The last node before key (head_ when there is none), descending from the top level;
  // with prev, the last node before key at each level goes to prev[level]; with after, the
  // level-0 successor it compared against key (the first node at or after key then).
  Node* LastBefore(std::string_view key, Node** prev, Node** after) const;
  // First node with key >= key; fills prev[level] with the last node before it at each level.
  Node* FindGreaterOrEqual(std::string_view key, Node** prev) const;
  Node* FindLessThan(std::string_view key) const;
  // First node with key >= key, searching from x on. REQUIRES: x before key.
  const Node* FindGreaterOrEqualFrom(const Node* x, std::string_view key) const;
  Node* FindLast() const;

  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_{1};
  std::atomic<size_t> count_{0};
  Random rnd_;
};

}  // namespace sett

#endif  // SETT_MEMTABLE_SKIPLIST_H_
