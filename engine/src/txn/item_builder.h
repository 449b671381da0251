// ItemBuilder fills sett::Item, whose fields are private to keep them read-only for users.

#ifndef SETT_TXN_ITEM_BUILDER_H_
#define SETT_TXN_ITEM_BUILDER_H_

#include <memory>
#include <string>
#include <string_view>

#include "sett/item.h"

namespace sett {

class ItemBuilder {
 public:
  static void SetKey(Item* item, std::string_view key, uint64_t version, uint8_t user_meta,
                     uint64_t expires_at) {
    item->key_.assign(key.data(), key.size());
    item->version_ = version;
    item->user_meta_ = user_meta;
    item->expires_at_ = expires_at;
  }
  // The item will own its value: fill the returned string.
  static std::string* OwnedValue(Item* item) {
    item->owned_ = true;
    item->pin_.reset();
    item->storage_.clear();
    return &item->storage_;
  }
  // The item's value is memory that pin keeps alive.
  static void PinnedValue(Item* item, std::string_view value, std::shared_ptr<const void> pin) {
    item->owned_ = false;
    item->view_ = value;
    item->pin_ = std::move(pin);
  }
};

}  // namespace sett

#endif  // SETT_TXN_ITEM_BUILDER_H_
