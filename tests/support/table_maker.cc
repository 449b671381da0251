#include "support/table_maker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "sett/env.h"
#include "table/table_builder.h"
#include "util/file_names.h"

namespace sett::test {

std::shared_ptr<Table> MakeTable(const std::string& dir, uint64_t id,
                                 std::vector<TestEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const TestEntry& a, const TestEntry& b) {
    return CompareInternalKeys(InternalKey(a.user_key, a.version),
                               InternalKey(b.user_key, b.version)) < 0;
  });
  std::string path = TableFileName(dir, id);
  std::unique_ptr<WritableFile> file;
  EXPECT_TRUE(Env::Default()->NewWritableFile(path, &file).ok());
  TableBuilderOptions options;
  options.block_size = 1024;
  TableBuilder builder(options, file.get());
  for (const TestEntry& e : entries) {
    ValueStruct vs;
    vs.meta = e.deleted ? kMetaDelete : e.merge ? kMetaMerge : 0;
    vs.value = e.value;
    std::string encoded;
    AppendValueStruct(&encoded, vs);
    EXPECT_TRUE(builder.Add(InternalKey(e.user_key, e.version), encoded).ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  EXPECT_TRUE(file->Close().ok());
  std::shared_ptr<Table> table;
  Status s = Table::Open(Env::Default(), path, id, nullptr, /*map=*/false, &table);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return table;
}

std::string RangeKey(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

std::shared_ptr<Table> MakeRangeTable(const std::string& dir, uint64_t id, int lo, int hi,
                                      size_t value_size, uint64_t version) {
  std::vector<TestEntry> entries;
  for (int i = lo; i <= hi; i++) {
    std::string value(value_size, 'v');
    for (size_t b = 0; b < value_size; b += 3) value[b] = static_cast<char>(i * 7 + b);
    entries.push_back({RangeKey(i), version, value});
  }
  return MakeTable(dir, id, entries);
}

}  // namespace sett::test
