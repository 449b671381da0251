#include "format/key_format.h"

namespace sett {

std::string PrefixSuccessor(std::string_view prefix) {
  std::string next(prefix);
  while (!next.empty() && static_cast<uint8_t>(next.back()) == 0xff) next.pop_back();
  if (!next.empty()) next.back() = static_cast<char>(static_cast<uint8_t>(next.back()) + 1);
  return next;
}

size_t ValueStructSize(const ValueStruct& vs) {
  return 2 + VarintLength(vs.expires_at) + vs.value.size();
}

void AppendValueStruct(std::string* dst, const ValueStruct& vs) {
  dst->push_back(static_cast<char>(vs.meta));
  dst->push_back(static_cast<char>(vs.user_meta));
  PutVarint64(dst, vs.expires_at);
  dst->append(vs.value.data(), vs.value.size());
}

bool DecodeValueStruct(std::string_view data, ValueStruct* vs) {
  uint8_t meta, user_meta;
  if (!GetByte(&data, &meta) || !GetByte(&data, &user_meta) ||
      !GetVarint64(&data, &vs->expires_at)) {
    return false;
  }
  vs->meta = meta;
  vs->user_meta = user_meta;
  vs->value = data;
  return true;
}

}  // namespace sett
