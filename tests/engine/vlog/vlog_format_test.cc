#include "vlog/vlog_format.h"

#include <gtest/gtest.h>

#include "format/key_format.h"

namespace sett {
namespace {

TEST(VlogFormatTest, EntryRoundTrip) {
  std::string key = InternalKey("user-key", 42);
  std::string value(5000, 'v');
  VlogEntry in;
  in.key = key;
  in.value = value;
  in.meta = 0;
  in.user_meta = 7;
  in.flags = kVlogBatchEnd;
  in.expires_at = 1234567;
  std::string data;
  AppendVlogEntry(in, &data);
  ASSERT_EQ(data.size(), VlogEntrySize(key.size(), value.size()));
  EXPECT_EQ(VlogEntryLengthFromHeader(data.data()), data.size());
  VlogEntry out;
  ASSERT_TRUE(ParseVlogEntry(data, &out));
  EXPECT_EQ(out.key, key);
  EXPECT_EQ(out.value, value);
  EXPECT_EQ(out.user_meta, 7);
  EXPECT_EQ(out.flags, kVlogBatchEnd);
  EXPECT_EQ(out.expires_at, 1234567u);
}

TEST(VlogFormatTest, EveryFlippedByteIsDetected) {
  std::string key = InternalKey("k", 1);
  VlogEntry in;
  in.key = key;
  in.value = "some value bytes";
  std::string data;
  AppendVlogEntry(in, &data);
  for (size_t i = 0; i < data.size(); i++) {
    std::string damaged = data;
    damaged[i] ^= 0x10;
    VlogEntry out;
    EXPECT_FALSE(ParseVlogEntry(damaged, &out)) << "byte " << i;
  }
  VlogEntry out;
  EXPECT_FALSE(ParseVlogEntry(std::string_view(data).substr(0, data.size() - 1), &out));
  EXPECT_FALSE(ParseVlogEntry("", &out));
}

TEST(VlogFormatTest, PointerRoundTripAndMalformed) {
  ValuePointer p{7, (uint64_t{5} << 33) + 24, 4096};  // Offsets past 4 GiB are fine.
  std::string encoded;
  EncodeValuePointer(p, &encoded);
  ValuePointer q;
  ASSERT_TRUE(DecodeValuePointer(encoded, &q));
  EXPECT_EQ(p, q);
  EXPECT_FALSE(DecodeValuePointer(encoded.substr(0, encoded.size() - 1), &q));
  EXPECT_FALSE(DecodeValuePointer(encoded + "x", &q));
  std::string tiny;
  EncodeValuePointer(ValuePointer{1, 24, 3}, &tiny);  // Shorter than any entry.
  EXPECT_FALSE(DecodeValuePointer(tiny, &q));
}

}  // namespace
}  // namespace sett
