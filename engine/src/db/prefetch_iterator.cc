#include "db/prefetch_iterator.h"

#include <deque>
#include <future>

namespace sett {
namespace {

class PrefetchIterator : public Iterator {
 public:
  PrefetchIterator(std::unique_ptr<DBIter> inner, ThreadPool* pool, int prefetch_size)
      : inner_(std::move(inner)), pool_(pool), window_(std::max(1, prefetch_size)) {}
  ~PrefetchIterator() override { Clear(); }

  void Rewind() override {
    Clear();
    inner_->Rewind();
    Refill();
  }
  void Seek(std::string_view key) override {
    Clear();
    inner_->Seek(key);
    Refill();
  }
  bool Valid() const override { return status_.ok() && !items_.empty(); }
  void Next() override {
    items_.pop_front();
    Refill();
  }
  std::string_view key() const override { return items_.front()->key; }
  std::string_view value() const override { return items_.front()->value; }
  uint64_t value_size() const override { return items_.front()->value_size; }
  uint64_t version() const override { return items_.front()->version; }
  uint8_t user_meta() const override { return items_.front()->user_meta; }
  uint64_t expires_at() const override { return items_.front()->expires_at; }
  bool deleted() const override { return items_.front()->deleted; }
  Status status() const override {
    if (!status_.ok()) return status_;
    return items_.empty() ? inner_->status() : Status::OK();
  }

 private:
  struct Item {
    std::string key;
    uint64_t version = 0;
    uint64_t value_size = 0;
    uint8_t user_meta = 0;
    uint64_t expires_at = 0;
    bool deleted = false;
    std::string value;
    std::future<Status> pending;  // Valid while a value-log read is under way.
  };

  // Waits for every read under way and empties the queue.
  void Clear() {
    for (auto& item : items_) {
      if (item->pending.valid()) item->pending.wait();
    }
    items_.clear();
    status_ = Status::OK();
  }

  // Tops the queue up from the inner iterator, then waits for the front's value.
  void Refill() {
    while (static_cast<int>(items_.size()) < window_ && inner_->Valid()) {
      auto item = std::make_unique<Item>();
      item->key.assign(inner_->key().data(), inner_->key().size());
      item->version = inner_->version();
      item->value_size = inner_->value_size();
      item->user_meta = inner_->user_meta();
      item->expires_at = inner_->expires_at();
      item->deleted = inner_->deleted();
      const ValueStruct& raw = inner_->raw_value();
      if (raw.IsMerge()) {  // Folded already by the inner iterator.
        item->value.assign(inner_->value().data(), inner_->value().size());
      } else if (!ValueResolver::IsPointer(raw) || raw.IsDelete()) {
        item->value.assign(raw.value.data(), raw.value.size());
      } else {
        std::string ikey = InternalKey(item->key, item->version);
        std::string pointer(raw.value);
        ValueStruct vs = raw;
        Item* target = item.get();
        const ValueResolver* resolver = &inner_->resolver();
        auto read = [resolver, ikey, pointer, vs, target]() mutable {
          vs.value = pointer;
          return resolver->Resolve(ikey, vs, &target->value);
        };
        if (pool_ != nullptr) {
          item->pending = pool_->Submit(std::move(read));
        } else {
          std::promise<Status> done;
          done.set_value(read());
          item->pending = done.get_future();
        }
      }
      items_.push_back(std::move(item));
      inner_->Next();
    }
    if (!items_.empty() && items_.front()->pending.valid()) {
      status_ = items_.front()->pending.get();
    }
  }

  std::unique_ptr<DBIter> inner_;
  ThreadPool* const pool_;
  const int window_;
  std::deque<std::unique_ptr<Item>> items_;
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewPrefetchIterator(std::unique_ptr<DBIter> inner, ThreadPool* pool,
                                              int prefetch_size) {
  return std::make_unique<PrefetchIterator>(std::move(inner), pool, prefetch_size);
}

}  // namespace sett
