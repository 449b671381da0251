#include "iter/merging_iterator.h"

#include <algorithm>
#include <string>

#include "format/key_format.h"

namespace sett {
namespace {

class MergingIterator : public InternalIterator {
 public:
  MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children, bool reverse)
      : children_(std::move(children)), reverse_(reverse) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return status_.ok() && !heap_.empty(); }

  void Rewind() override {
    status_ = Status::OK();
    for (auto& child : children_) child->Rewind();
    BuildHeap();
  }

  void Seek(std::string_view target) override {
    status_ = Status::OK();
    for (auto& child : children_) child->Seek(target);
    BuildHeap();
  }

  // Only the children still before the target move: a run of versions that one source holds
  // costs that source one seek, and the others nothing.
  void SkipTo(std::string_view target) override {
    bool moved = false;
    for (size_t i : heap_) {
      InternalIterator* child = children_[i].get();
      int c = CompareInternalKeys(child->key(), target);
      if (reverse_ ? c > 0 : c < 0) {
        // Most sources hold one version of a key: their next entry is already past the run.
        child->Next();
        if (child->Valid()) {
          c = CompareInternalKeys(child->key(), target);
          if (reverse_ ? c > 0 : c < 0) child->SkipTo(target);
        }
        moved = true;
      }
    }
    if (!moved) return;
    size_t kept = 0;
    for (size_t i : heap_) {
      if (children_[i]->Valid()) {
        heap_[kept++] = i;
      } else if (!children_[i]->status().ok()) {
        status_ = children_[i]->status();
      }
    }
    heap_.resize(kept);
    std::make_heap(heap_.begin(), heap_.end(), Cmp{this});
  }

  void Next() override {
    // Older sources may hold copies of the key just produced: drop them too. A copy anywhere in
    // the heap means one right below its top (keys only grow down the heap).
    if (!TopHasCopy()) return Advance();
    last_key_.assign(key().data(), key().size());
    Advance();
    while (Valid() && CompareInternalKeys(key(), last_key_) == 0) Advance();
  }

  std::string_view key() const override { return children_[heap_.front()]->key(); }
  std::string_view value() const override { return children_[heap_.front()]->value(); }
  Status status() const override { return status_; }

 private:
  // True when child a should come after child b (the heap keeps the first one on top).
  bool After(size_t a, size_t b) const {
    int c = CompareInternalKeys(children_[a]->key(), children_[b]->key());
    if (reverse_) c = -c;
    if (c != 0) return c > 0;
    return a > b;
  }

  void BuildHeap() {
    heap_.clear();
    for (size_t i = 0; i < children_.size(); i++) {
      if (children_[i]->Valid()) {
        heap_.push_back(i);
      } else if (!children_[i]->status().ok()) {
        status_ = children_[i]->status();
      }
    }
    std::make_heap(heap_.begin(), heap_.end(), Cmp{this});
  }

  bool TopHasCopy() const {
    for (size_t c = 1; c <= 2 && c < heap_.size(); c++) {
      if (CompareInternalKeys(children_[heap_[c]]->key(), key()) == 0) return true;
    }
    return false;
  }

  // Moves the top child one step and restores the heap. A source often stays on top (a run of
  // versions in one source): sifting the top down costs then two comparisons.
  void Advance() {
    size_t i = heap_.front();
    children_[i]->Next();
    if (!children_[i]->Valid()) {
      if (!children_[i]->status().ok()) status_ = children_[i]->status();
      heap_.front() = heap_.back();
      heap_.pop_back();
    }
    SiftDownTop();
  }

  // Restores the heap when only its top may be out of place (the same order as std::make_heap
  // with Cmp keeps).
  void SiftDownTop() {
    size_t n = heap_.size();
    if (n < 2) return;
    size_t item = heap_[0], pos = 0;
    while (true) {
      size_t child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && After(heap_[child], heap_[child + 1])) child++;
      if (!After(item, heap_[child])) break;
      heap_[pos] = heap_[child];
      pos = child;
    }
    heap_[pos] = item;
  }

  struct Cmp {
    const MergingIterator* self;
    bool operator()(size_t a, size_t b) const { return self->After(a, b); }
  };

  std::vector<std::unique_ptr<InternalIterator>> children_;
  const bool reverse_;
  std::vector<size_t> heap_;
  std::string last_key_;
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children, bool reverse) {
  return std::make_unique<MergingIterator>(std::move(children), reverse);
}

}  // namespace sett
