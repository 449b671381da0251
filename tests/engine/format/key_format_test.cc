#include "format/key_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "util/random.h"

namespace sett {
namespace {

int Sign(int x) { return (x > 0) - (x < 0); }

// What CompareBytes must agree with: memcmp over the common length, then the shorter first.
int ReferenceCompare(const std::string& a, const std::string& b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return Sign(c);
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

TEST(KeyFormatTest, CompareBytesAgreesWithMemcmpOnRandomKeys) {
  Random rnd(42);
  for (int i = 0; i < 200000; i++) {
    // Short alphabets and lengths make shared prefixes, equal keys and prefixes of each other
    // common; bytes above 0x7f check that bytes compare unsigned.
    std::string a(rnd.Uniform(20), '\0'), b;
    for (char& ch : a) ch = static_cast<char>("a\x80\xff\x01"[rnd.Uniform(4)]);
    b = a.substr(0, rnd.Uniform(a.size() + 1));
    size_t extra = rnd.Uniform(4);
    for (size_t k = 0; k < extra; k++)
      b.push_back(static_cast<char>("a\x80\xff\x01"[rnd.Uniform(4)]));
    if (!b.empty() && rnd.OneIn(3))
      b[rnd.Uniform(b.size())] ^= static_cast<char>(1 << rnd.Uniform(8));
    ASSERT_EQ(CompareUserKeys(a, b), ReferenceCompare(a, b)) << i;
    ASSERT_EQ(CompareUserKeys(b, a), ReferenceCompare(b, a)) << i;
  }
}

TEST(KeyFormatTest, InternalKeysOrderByUserKeyThenNewestVersionFirst) {
  EXPECT_LT(CompareInternalKeys(InternalKey("a", 5), InternalKey("b", 1)), 0);
  EXPECT_LT(CompareInternalKeys(InternalKey("key", 9), InternalKey("key", 2)), 0);
  EXPECT_GT(CompareInternalKeys(InternalKey("key", 2), InternalKey("key", 9)), 0);
  EXPECT_EQ(CompareInternalKeys(InternalKey("key", 7), InternalKey("key", 7)), 0);
  // A user key that is a prefix of another sorts first whatever the versions.
  EXPECT_LT(CompareInternalKeys(InternalKey("ab", 1), InternalKey("abc", 100)), 0);
  EXPECT_LT(CompareInternalKeys(InternalKey("abcdefgh", 1),
                                InternalKey(std::string("abcdefgh\0", 9), 100)),
            0);
  EXPECT_LT(CompareInternalKeys(InternalKey("", 3), InternalKey(std::string(1, '\0'), 3)), 0);
}

TEST(KeyFormatTest, PrefixSuccessorIsTheFirstKeyPastThePrefix) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff")), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff")), "");  // No key is past every such key.
  EXPECT_EQ(PrefixSuccessor(""), "");
}

}  // namespace
}  // namespace sett
