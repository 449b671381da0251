// Item is one version of a key as a read found it: Txn::Get fills one. Its value stays valid
// as long as the Item, without a copy when the value was already in memory.

#ifndef SETT_ITEM_H_
#define SETT_ITEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sett {

class Item {
 public:
  Item() = default;
  Item(Item&&) = default;
  Item& operator=(Item&&) = default;
  Item(const Item&) = delete;
  Item& operator=(const Item&) = delete;

  std::string_view key() const { return key_; }
  uint64_t version() const { return version_; }
  uint8_t user_meta() const { return user_meta_; }
  uint64_t expires_at() const { return expires_at_; }
  std::string_view value() const { return owned_ ? std::string_view(storage_) : view_; }
  uint64_t value_size() const { return value().size(); }
  std::string ValueCopy() const { return std::string(value()); }

 private:
  friend class ItemBuilder;

  std::string key_;
  uint64_t version_ = 0;
  uint8_t user_meta_ = 0;
  uint64_t expires_at_ = 0;
  bool owned_ = true;
  std::string storage_;    // The value, when the Item owns it.
  std::string_view view_;  // Else a view into memory that pin_ keeps alive.
  std::shared_ptr<const void> pin_;
};

}  // namespace sett

#endif  // SETT_ITEM_H_
