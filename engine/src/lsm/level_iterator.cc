#include "lsm/level_iterator.h"

#include <algorithm>

namespace sett {
namespace {

class LevelIterator : public InternalIterator {
 public:
  LevelIterator(TableList tables, bool reverse, bool fill_cache)
      : tables_(std::move(tables)), reverse_(reverse), fill_cache_(fill_cache) {}

  bool Valid() const override { return current_ != nullptr && current_->Valid(); }

  void Rewind() override {
    Open(reverse_ ? static_cast<int64_t>(tables_.size()) - 1 : 0);
    if (current_ != nullptr) current_->Rewind();
    SkipExhausted();
  }

  void Seek(std::string_view target) override {
    int64_t i;
    if (!reverse_) {
      // First table whose largest key is >= target.
      auto it = std::lower_bound(tables_.begin(), tables_.end(), target,
                                 [](const std::shared_ptr<Table>& t, std::string_view k) {
                                   return CompareInternalKeys(t->properties().largest, k) < 0;
                                 });
      i = it - tables_.begin();
    } else {
      // Last table whose smallest key is <= target.
      auto it = std::upper_bound(tables_.begin(), tables_.end(), target,
                                 [](std::string_view k, const std::shared_ptr<Table>& t) {
                                   return CompareInternalKeys(k, t->properties().smallest) < 0;
                                 });
      i = (it - tables_.begin()) - 1;
    }
    Open(i);
    if (current_ != nullptr) current_->Seek(target);
    SkipExhausted();
  }

  // Within the current table no table iterator is opened again.
  void SkipTo(std::string_view target) override {
    const TableProperties& props = tables_[index_]->properties();
    bool inside = reverse_ ? CompareInternalKeys(props.smallest, target) <= 0
                           : CompareInternalKeys(props.largest, target) >= 0;
    if (!inside) return Seek(target);
    current_->SkipTo(target);
    SkipExhausted();
  }

  void Next() override {
    current_->Next();
    SkipExhausted();
  }

  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }
  Status status() const override { return current_ != nullptr ? current_->status() : Status::OK(); }

 private:
  void Open(int64_t i) {
    index_ = i;
    current_.reset();
    if (i < 0 || i >= static_cast<int64_t>(tables_.size())) return;
    current_ = tables_[i]->NewIterator(reverse_, fill_cache_);
  }

  void SkipExhausted() {
    while (current_ != nullptr && !current_->Valid() && current_->status().ok()) {
      Open(reverse_ ? index_ - 1 : index_ + 1);
      if (current_ != nullptr) current_->Rewind();
    }
  }

  const TableList tables_;
  const bool reverse_;
  const bool fill_cache_;
  int64_t index_ = -1;
  std::unique_ptr<InternalIterator> current_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewLevelIterator(TableList tables, bool reverse,
                                                   bool fill_cache) {
  return std::make_unique<LevelIterator>(std::move(tables), reverse, fill_cache);
}

}  // namespace sett
