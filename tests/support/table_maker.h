// Builds small real table files for tests of the level and compaction logic.

#ifndef SETT_TESTS_SUPPORT_TABLE_MAKER_H_
#define SETT_TESTS_SUPPORT_TABLE_MAKER_H_

#include <memory>
#include <string>
#include <vector>

#include "format/key_format.h"
#include "table/table.h"

namespace sett::test {

struct TestEntry {
  std::string user_key;
  uint64_t version;
  std::string value;
  bool deleted = false;
  bool merge = false;  // A merge operand.
};

// Writes entries (sorted here) as table `id` in dir and opens it.
std::shared_ptr<Table> MakeTable(const std::string& dir, uint64_t id,
                                 std::vector<TestEntry> entries);

// A table holding keys "key%06d" for lo..hi (one version each), values padded to value_size.
std::shared_ptr<Table> MakeRangeTable(const std::string& dir, uint64_t id, int lo, int hi,
                                      size_t value_size = 10, uint64_t version = 1);

std::string RangeKey(int i);

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_TABLE_MAKER_H_
