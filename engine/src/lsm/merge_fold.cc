#include "lsm/merge_fold.h"

namespace sett {

std::string MergeFold::Onto(const MergeFunction& fn, std::string_view key,
                            std::optional<std::string_view> base) const {
  std::string value;
  bool have = base.has_value();
  if (have) value.assign(base->data(), base->size());
  for (auto op = operands_.rbegin(); op != operands_.rend(); ++op) {
    value = fn(key, have ? std::optional<std::string_view>(value) : std::nullopt, *op);
    have = true;
  }
  return value;
}

std::string MergeFold::Combined(const MergeFunction& fn, std::string_view key) const {
  std::string value = operands_.back();  // The oldest stands in for the value.
  for (auto op = operands_.rbegin() + 1; op != operands_.rend(); ++op) {
    value = fn(key, std::optional<std::string_view>(value), *op);
  }
  return value;
}

}  // namespace sett
