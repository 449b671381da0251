#include "memtable/skiplist.h"

#include <cstring>
#include <new>

#include "format/key_format.h"
#include "util/coding.h"

namespace sett {

// A node is laid out in the arena as: this struct, `height` links, then the key bytes.
struct SkipList::Node {
  std::atomic<const char*> value;  // varint32 length + bytes, in the arena.
  uint32_t key_size;
  uint16_t height;

  std::atomic<Node*>* links() { return reinterpret_cast<std::atomic<Node*>*>(this + 1); }
  const std::atomic<Node*>* links() const {
    return reinterpret_cast<const std::atomic<Node*>*>(this + 1);
  }
  Node* Next(int level) const { return links()[level].load(std::memory_order_acquire); }
  void SetNext(int level, Node* node) { links()[level].store(node, std::memory_order_release); }
  Node* NextRelaxed(int level) const { return links()[level].load(std::memory_order_relaxed); }
  void SetNextRelaxed(int level, Node* node) {
    links()[level].store(node, std::memory_order_relaxed);
  }

  std::string_view key() const {
    return std::string_view(reinterpret_cast<const char*>(links() + height), key_size);
  }
  std::string_view Value() const {
    const char* p = value.load(std::memory_order_acquire);
    uint32_t len;
    p = GetVarint32Ptr(p, p + 5, &len);
    return std::string_view(p, len);
  }
};

SkipList::SkipList(Arena* arena)
    : arena_(arena),
      head_(NewNode(std::string_view(), std::string_view(), kMaxHeight)),
      rnd_(0x5e77'5eed) {}

const char* SkipList::CopyValue(std::string_view value) {
  char* p = arena_->Allocate(VarintLength(value.size()) + value.size());
  char* body = EncodeVarint64(p, value.size());
  if (!value.empty()) std::memcpy(body, value.data(), value.size());  // data() may be null
  return p;
}

SkipList::Node* SkipList::NewNode(std::string_view key, std::string_view value, int height) {
  size_t bytes = sizeof(Node) + sizeof(std::atomic<Node*>) * height + key.size();
  char* mem = arena_->AllocateAligned(bytes);
  Node* node = new (mem) Node;
  node->key_size = static_cast<uint32_t>(key.size());
  node->height = static_cast<uint16_t>(height);
  for (int i = 0; i < height; i++) new (&node->links()[i]) std::atomic<Node*>(nullptr);
  if (!key.empty()) std::memcpy(const_cast<char*>(node->key().data()), key.data(), key.size());
  node->value.store(CopyValue(value), std::memory_order_relaxed);
  return node;
}

int SkipList::RandomHeight() {
  // Each level holds about a quarter of the nodes of the level below.
  int height = 1;
  while (height < kMaxHeight && rnd_.OneIn(4)) height++;
  return height;
}

SkipList::Node* SkipList::LastBefore(std::string_view key, Node** prev, Node** after) const {
  Node* x = head_;
  for (int level = max_height_.load(std::memory_order_relaxed) - 1;; level--) {
    Node* next = x->Next(level);
    while (next != nullptr && CompareInternalKeys(next->key(), key) < 0) {
      x = next;
      next = x->Next(level);
    }
    if (prev != nullptr) prev[level] = x;
    if (level == 0) {
      // The successor as compared: reading x's link again could meet a node inserted since,
      // which may sort before key.
      if (after != nullptr) *after = next;
      return x;
    }
  }
}

SkipList::Node* SkipList::FindGreaterOrEqual(std::string_view key, Node** prev) const {
  Node* next = nullptr;
  LastBefore(key, prev, &next);
  return next;
}

SkipList::Node* SkipList::FindLessThan(std::string_view key) const {
  Node* x = LastBefore(key, nullptr, nullptr);
  return x == head_ ? nullptr : x;
}

const SkipList::Node* SkipList::FindGreaterOrEqualFrom(const Node* x, std::string_view key) const {
  auto before = [&](const Node* n) {
    return n != nullptr && CompareInternalKeys(n->key(), key) < 0;
  };
  int level = 0;
  while (true) {
    // Up as high as x reaches while the link there still falls before key, then along.
    while (level + 1 < x->height && before(x->Next(level + 1))) level++;
    const Node* next = x->Next(level);
    if (before(next)) {
      x = next;
      continue;
    }
    if (level == 0) return next;
    level--;
  }
}

SkipList::Node* SkipList::FindLast() const {
  Node* x = head_;
  int level = max_height_.load(std::memory_order_relaxed) - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr) {
      x = next;
      continue;
    }
    if (level == 0) return x == head_ ? nullptr : x;
    level--;
  }
}

SkipList::Iterator SkipList::Insert(std::string_view key, std::string_view value) {
  Node* prev[kMaxHeight];
  Node* x = FindGreaterOrEqual(key, prev);
  if (x != nullptr && CompareInternalKeys(x->key(), key) == 0) {
    x->value.store(CopyValue(value), std::memory_order_release);
    return Iterator(this, x->Next(0));
  }
  int height = RandomHeight();
  int max_height = max_height_.load(std::memory_order_relaxed);
  if (height > max_height) {
    for (int i = max_height; i < height; i++) prev[i] = head_;
    // A reader that sees the new height before the new links finds null links at those
    // levels from the head, which simply sends it down a level.
    max_height_.store(height, std::memory_order_relaxed);
  }
  Node* node = NewNode(key, value, height);
  for (int i = 0; i < height; i++) {
    node->SetNextRelaxed(i, prev[i]->NextRelaxed(i));
    prev[i]->SetNext(i, node);
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  return Iterator(this, node->Next(0));
}

std::string_view SkipList::Iterator::key() const { return node_->key(); }
std::string_view SkipList::Iterator::value() const { return node_->Value(); }
void SkipList::Iterator::Next() { node_ = node_->Next(0); }
void SkipList::Iterator::Prev() { node_ = list_->FindLessThan(node_->key()); }
void SkipList::Iterator::Seek(std::string_view target) {
  node_ = list_->FindGreaterOrEqual(target, nullptr);
}
void SkipList::Iterator::SeekForPrev(std::string_view target) {
  Seek(target);
  if (node_ == nullptr || CompareInternalKeys(node_->key(), target) > 0) {
    node_ = list_->FindLessThan(target);
  }
}
void SkipList::Iterator::SeekForward(std::string_view target) {
  if (CompareInternalKeys(node_->key(), target) >= 0) return;
  node_ = list_->FindGreaterOrEqualFrom(node_, target);
}
void SkipList::Iterator::SeekToFirst() { node_ = list_->head_->Next(0); }
void SkipList::Iterator::SeekToLast() { node_ = list_->FindLast(); }

}  // namespace sett
