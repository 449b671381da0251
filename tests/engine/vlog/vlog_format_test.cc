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
  EXPECT_FALSE(DecodeValuePointer(encoded + "xy", &q));                  // Past the optional size.
  EXPECT_FALSE(DecodeValuePointer(encoded + "\x80", &q));                // A size cut short.
  EXPECT_FALSE(DecodeValuePointer(encoded + std::string(1, '\0'), &q));  // Compressed to 0?
  std::string tiny;
  EncodeValuePointer(ValuePointer{1, 24, 3}, &tiny);  // Shorter than any entry.
  EXPECT_FALSE(DecodeValuePointer(tiny, &q));
}

// A compressed entry's pointer carries the value's size before compression; a plain one does
// not, and reads back as not compressed.
TEST(VlogFormatTest, CompressedPointerCarriesTheValueSize) {
  ValuePointer p{3, 4096, 200, 16384};
  std::string encoded;
  EncodeValuePointer(p, &encoded);
  ValuePointer q;
  ASSERT_TRUE(DecodeValuePointer(encoded, &q));
  EXPECT_TRUE(q.compressed());
  EXPECT_EQ(q.value_size, 16384u);
  std::string plain;
  EncodeValuePointer(ValuePointer{3, 4096, 200}, &plain);
  ASSERT_TRUE(DecodeValuePointer(plain, &q));
  EXPECT_FALSE(q.compressed());
  EXPECT_LT(plain.size(), encoded.size());
}

// The codec flags round-trip; flags this build does not know, or two codecs at once, make the
// entry unreadable rather than misread.
TEST(VlogFormatTest, CodecFlagsAndUnknownFlags) {
  EXPECT_EQ(VlogCodec(VlogCodecFlag(Compression::kSnappy)), Compression::kSnappy);
  EXPECT_EQ(VlogCodec(VlogCodecFlag(Compression::kZstd) | kVlogBatchEnd), Compression::kZstd);
  EXPECT_EQ(VlogCodec(kVlogBatchEnd), Compression::kNone);
  std::string key = InternalKey("k", 1);
  for (uint8_t flags : {uint8_t{1 << 4}, uint8_t{1 << 7}, uint8_t{kVlogSnappy | kVlogZstd}}) {
    VlogEntry in;
    in.key = key;
    in.value = "v";
    in.flags = flags;
    std::string data;
    AppendVlogEntry(in, &data);
    VlogEntry out;
    EXPECT_FALSE(ParseVlogEntry(data, &out)) << "flags " << int{flags};
  }
}

}  // namespace
}  // namespace sett
