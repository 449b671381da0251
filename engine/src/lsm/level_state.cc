#include "lsm/level_state.h"

#include <algorithm>
#include <iterator>
#include <unordered_set>

namespace sett {

uint64_t LevelState::LevelSize(int level) const {
  uint64_t size = 0;
  for (const auto& t : levels_[level]) size += t->file_size();
  return size;
}

int LevelState::DeepestNonEmptyLevel() const {
  for (int level = num_levels() - 1; level > 0; level--) {
    if (!levels_[level].empty()) return level;
  }
  return 0;
}

std::shared_ptr<const LevelState> LevelState::Apply(
    const std::vector<std::pair<std::shared_ptr<Table>, int>>& added,
    const std::vector<uint64_t>& deleted) const {
  auto next = std::make_shared<LevelState>(num_levels());
  std::unordered_set<uint64_t> gone(deleted.begin(), deleted.end());
  for (int level = 0; level < num_levels(); level++) {
    for (const auto& t : levels_[level]) {
      if (gone.count(t->id()) == 0) next->levels_[level].push_back(t);
    }
  }
  for (const auto& [table, level] : added) next->levels_[level].push_back(table);
  for (const TableList& tables : next->levels_) {
    for (const auto& t : tables) {
      next->max_version_ = std::max(next->max_version_, t->properties().max_version);
    }
  }
  std::sort(next->levels_[0].begin(), next->levels_[0].end(),
            [](const auto& a, const auto& b) { return a->id() > b->id(); });
  for (int level = 1; level < num_levels(); level++) {
    std::sort(next->levels_[level].begin(), next->levels_[level].end(),
              [](const auto& a, const auto& b) {
                return CompareInternalKeys(a->properties().smallest, b->properties().smallest) < 0;
              });
  }
  return next;
}

TableList LevelState::Overlapping(int level, std::string_view smallest,
                                  std::string_view largest) const {
  TableList result;
  const TableList& tables = levels_[level];
  auto overlaps = [&](const std::shared_ptr<Table>& t) {
    return !(t->largest_user_key() < smallest || t->smallest_user_key() > largest);
  };
  if (level == 0) {
    std::copy_if(tables.begin(), tables.end(), std::back_inserter(result), overlaps);
    return result;
  }
  // Sorted and disjoint: start at the first table that ends at or after `smallest`.
  auto it = std::lower_bound(tables.begin(), tables.end(), smallest,
                             [](const std::shared_ptr<Table>& t, std::string_view key) {
                               return t->largest_user_key() < key;
                             });
  for (; it != tables.end() && (*it)->smallest_user_key() <= largest; ++it) result.push_back(*it);
  return result;
}

const Table* LevelState::TableFor(int level, std::string_view user_key) const {
  const TableList& tables = levels_[level];
  // First table whose largest user key is >= user_key.
  auto it = std::lower_bound(tables.begin(), tables.end(), user_key,
                             [](const std::shared_ptr<Table>& t, std::string_view key) {
                               return t->largest_user_key() < key;
                             });
  if (it == tables.end() || (*it)->smallest_user_key() > user_key) return nullptr;
  return it->get();
}

std::string LevelState::CheckInvariants() const {
  for (int level = 1; level < num_levels(); level++) {
    const TableList& tables = levels_[level];
    for (size_t i = 1; i < tables.size(); i++) {
      if (tables[i - 1]->largest_user_key() >= tables[i]->smallest_user_key()) {
        return "L" + std::to_string(level) + ": tables " + std::to_string(tables[i - 1]->id()) +
               " and " + std::to_string(tables[i]->id()) + " overlap";
      }
    }
  }
  return "";
}

}  // namespace sett
