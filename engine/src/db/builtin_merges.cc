// The merge functions that sett/merge.h offers ready-made.

#include <cstring>

#include "sett/merge.h"

namespace sett {

std::string EncodeUint64Operand(uint64_t n) {
  char buf[8];
  for (int i = 0; i < 8; i++) buf[i] = static_cast<char>(n >> (8 * i));
  return std::string(buf, sizeof(buf));
}

uint64_t DecodeUint64Value(std::string_view value) {
  if (value.size() != 8) return 0;
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = (n << 8) | static_cast<uint8_t>(value[i]);
  return n;
}

MergeFunction AddUint64Merge() {
  return [](std::string_view, std::optional<std::string_view> existing, std::string_view operand) {
    uint64_t sum = existing ? DecodeUint64Value(*existing) : 0;
    return EncodeUint64Operand(sum + DecodeUint64Value(operand));
  };
}

MergeFunction AppendMerge(std::string separator) {
  return [separator = std::move(separator)](
             std::string_view, std::optional<std::string_view> existing, std::string_view operand) {
    if (!existing) return std::string(operand);
    std::string value;
    value.reserve(existing->size() + separator.size() + operand.size());
    value.append(existing->data(), existing->size());
    value += separator;
    value.append(operand.data(), operand.size());
    return value;
  };
}

}  // namespace sett
