// Change topics: each key kind names what it changes, names of any bytes survive the round
// trip, and what is not a topic is refused (peers' payloads are untrusted).

#include "core/change_topics.h"

#include <gtest/gtest.h>

#include "core/keys.h"

namespace settfs {
namespace {

TEST(ChangeTopicsTest, KeysNameWhatTheyChange) {
  EXPECT_EQ(ChangeTopic(InodeKey(42)), "i42");
  EXPECT_EQ(ChangeTopic(TimesKey(42)), "i42");
  EXPECT_EQ(ChangeTopic(XattrKey(42, "user.a")), "i42");
  EXPECT_EQ(ChangeTopic(BlockKey(42, 7)), "i42");
  EXPECT_EQ(ChangeTopic(DirentKey(1, "ab")), "e1:6162");
  EXPECT_EQ(ChangeTopic(kSuperblockKey), "");
  EXPECT_EQ(ChangeTopic(kSequenceKey), "");
  EXPECT_EQ(ChangeTopic(OrphanKey(42)), "");
  EXPECT_EQ(ChangeTopic("Zjunk"), "");
}

TEST(ChangeTopicsTest, NamesOfAnyBytesRoundTrip) {
  const std::string name("\x01\xff/\n' x", 7);
  CacheChange change;
  ASSERT_TRUE(ParseChangeTopic(ChangeTopic(DirentKey(77, name)), &change));
  EXPECT_TRUE(change.entry);
  EXPECT_EQ(change.ino, 77u);
  EXPECT_EQ(change.name, name);
  ASSERT_TRUE(ParseChangeTopic("i18446744073709551615", &change));
  EXPECT_FALSE(change.entry);
  EXPECT_EQ(change.ino, UINT64_MAX);
  EXPECT_TRUE(change.name.empty());
}

TEST(ChangeTopicsTest, MalformedTopicsAreRefused) {
  CacheChange change;
  for (const char* bad : {"", "i", "x1", "i0", "i12x", "i-1", "e1", "e1:", "e1:6", "e1:zz", "e:61",
                          "i99999999999999999999", "e1;61"}) {
    EXPECT_FALSE(ParseChangeTopic(bad, &change)) << bad;
  }
}

}  // namespace
}  // namespace settfs
