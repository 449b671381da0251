// MergeFold: operands gathered newest first, folded oldest first.

#include "lsm/merge_fold.h"

#include <gtest/gtest.h>

namespace sett {
namespace {

TEST(MergeFoldTest, FoldsOntoABaseOrNothingOldestFirst) {
  MergeFold fold;
  fold.AddOperand("c");  // Newest.
  fold.AddOperand("b");
  fold.AddOperand("a");
  MergeFunction append = AppendMerge("+");
  EXPECT_EQ(fold.Onto(append, "k", std::string_view("x")), "x+a+b+c");
  EXPECT_EQ(fold.Onto(append, "k", std::nullopt), "a+b+c");
  EXPECT_EQ(fold.Combined(append, "k"), "a+b+c");
  EXPECT_EQ(fold.size(), 3u);
  fold.Clear();
  EXPECT_TRUE(fold.empty());
}

TEST(MergeFoldTest, CombiningOperandsFirstGivesTheSameValue) {
  MergeFunction add = AddUint64Merge();
  MergeFold fold;
  for (uint64_t n : {5, 7, 11}) fold.AddOperand(EncodeUint64Operand(n));
  std::string combined = fold.Combined(add, "k");
  MergeFold one;
  one.AddOperand(combined);
  EXPECT_EQ(DecodeUint64Value(one.Onto(add, "k", EncodeUint64Operand(100))), 123u);
  EXPECT_EQ(DecodeUint64Value(fold.Onto(add, "k", EncodeUint64Operand(100))), 123u);
  EXPECT_EQ(DecodeUint64Value(add("k", std::nullopt, "short")), 0u) << "not 8 bytes: 0";
}

}  // namespace
}  // namespace sett
