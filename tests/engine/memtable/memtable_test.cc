// MemTable: lookups by version, and the run of merge operands on top of a key.

#include "memtable/memtable.h"

#include <gtest/gtest.h>

namespace sett {
namespace {

std::string Struct(uint8_t meta, std::string_view value) {
  std::string out;
  AppendValueStruct(&out, ValueStruct{meta, 0, 0, value});
  return out;
}

TEST(MemTableTest, GetAtFindsTheNewestVersionAtOrBelowTheReadVersion) {
  MemTable mem(1);
  mem.Add(InternalKey("k", 5), Struct(0, "five"));
  mem.Add(InternalKey("k", 9), Struct(0, "nine"));
  uint64_t version;
  ValueStruct vs;
  ASSERT_TRUE(mem.GetAt(InternalKey("k", 7), &version, &vs));
  EXPECT_EQ(version, 5u);
  EXPECT_EQ(vs.value, "five");
  EXPECT_FALSE(mem.GetAt(InternalKey("k", 4), &version, &vs));
  EXPECT_FALSE(mem.GetAt(InternalKey("j", 9), &version, &vs));
  EXPECT_EQ(mem.max_version(), 9u);
}

TEST(MemTableTest, OperandsOnTopCountsTheNewestOperandsInARowUpToALimit) {
  MemTable mem(1);
  EXPECT_EQ(mem.OperandsOnTop("k", 10), 0u);
  mem.Add(InternalKey("k", 1), Struct(kMetaMerge, "a"));
  mem.Add(InternalKey("k", 2), Struct(0, "v"));
  for (uint64_t v = 3; v < 8; v++) mem.Add(InternalKey("k", v), Struct(kMetaMerge, "x"));
  mem.Add(InternalKey("l", 9), Struct(kMetaMerge, "y"));
  EXPECT_EQ(mem.OperandsOnTop("k", 10), 5u) << "stops at the value at version 2";
  EXPECT_EQ(mem.OperandsOnTop("k", 3), 3u);
  EXPECT_EQ(mem.OperandsOnTop("l", 10), 1u);
  EXPECT_EQ(mem.OperandsOnTop("kk", 10), 0u);
}

}  // namespace
}  // namespace sett
