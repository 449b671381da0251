#include "util/coding.h"

#include <gtest/gtest.h>

#include <limits>

namespace sett {
namespace {

TEST(CodingTest, FixedIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201);
  PutFixed64(&s, 0x0807060504030201ULL);
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(s.substr(0, 4), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(s.substr(4), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0807060504030201ULL);
}

TEST(CodingTest, BigEndianPreservesOrder) {
  char a[8], b[8];
  EncodeBigEndian64(a, 255);
  EncodeBigEndian64(b, 256);
  EXPECT_LT(std::string(a, 8), std::string(b, 8));
  EXPECT_EQ(DecodeBigEndian64(b), 256u);
}

TEST(CodingTest, VarintRoundTrip) {
  std::string s;
  std::vector<uint64_t> values = {0,
                                  1,
                                  127,
                                  128,
                                  16383,
                                  16384,
                                  (1ull << 32) - 1,
                                  1ull << 32,
                                  std::numeric_limits<uint64_t>::max()};
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(VarintLength(v), [&] {
      std::string t;
      PutVarint64(&t, v);
      return static_cast<int>(t.size());
    }());
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, MalformedInputIsRejectedNotOverread) {
  std::string truncated("\x80\x80", 2);  // Continuation bits with nothing after them.
  std::string_view in = truncated;
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string overflow(11, '\xff');
  in = overflow;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string too_big_for_32;
  PutVarint64(&too_big_for_32, 1ull << 33);
  in = too_big_for_32;
  uint32_t v32;
  EXPECT_FALSE(GetVarint32(&in, &v32));
  std::string short_prefixed;
  PutVarint32(&short_prefixed, 10);
  short_prefixed += "abc";
  in = short_prefixed;
  std::string_view result;
  EXPECT_FALSE(GetLengthPrefixed(&in, &result));
  in = std::string_view("\x01\x02", 2);
  uint32_t f;
  EXPECT_FALSE(GetFixed32(&in, &f));
}

}  // namespace
}  // namespace sett
