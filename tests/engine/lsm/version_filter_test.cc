// The rule for which versions anyone can still read: ReadSet and VersionFilter.

#include "lsm/version_filter.h"

#include <gtest/gtest.h>

#include <vector>

namespace sett {
namespace {

ValueStruct Put() { return ValueStruct{0, 0, 0, "v"}; }
ValueStruct Tombstone() { return ValueStruct{kMetaDelete, 0, 0, ""}; }
ValueStruct ExpiredAt(uint64_t when) { return ValueStruct{0, 0, when, "v"}; }
ValueStruct Operand() { return ValueStruct{kMetaMerge, 0, 0, "+1"}; }

// The versions of one key (newest first) that the filter keeps.
std::vector<uint64_t> Kept(const ReadSet& readers, const std::vector<uint64_t>& versions,
                           int keep = 1, bool bottommost = false,
                           const std::vector<ValueStruct>& values = {}) {
  VersionFilter filter(&readers, keep, /*now=*/1000, bottommost);
  std::vector<uint64_t> kept;
  for (size_t i = 0; i < versions.size(); i++) {
    ValueStruct vs = i < values.size() ? values[i] : Put();
    if (filter.Keep(versions[i], vs, i == 0)) kept.push_back(versions[i]);
  }
  return kept;
}

TEST(ReadSetTest, ReadsBetweenAVersionAndTheNextNewer) {
  ReadSet readers({15, 5, 15}, /*open_from=*/30);
  EXPECT_EQ(readers.oldest(), 5u);
  EXPECT_TRUE(readers.Reads(5, 6));    // 5 reads it.
  EXPECT_TRUE(readers.Reads(3, 6));    // 5 reads it.
  EXPECT_FALSE(readers.Reads(6, 15));  // Nobody in [6, 15).
  EXPECT_TRUE(readers.Reads(6, 16));   // 15.
  EXPECT_FALSE(readers.Reads(16, 30));
  EXPECT_TRUE(readers.Reads(16, 31));  // Readers to come, from 30 up.
  EXPECT_TRUE(readers.Reads(40, 50));
  EXPECT_EQ(ReadSet({}, 7).oldest(), 7u);
  EXPECT_EQ(ReadSet({9}, 7).oldest(), 7u);
}

TEST(VersionFilterTest, NoReaderKeepsTheNewestOnly) {
  EXPECT_EQ(Kept(ReadSet({}, 100), {90, 80, 70, 3}), (std::vector<uint64_t>{90}));
}

TEST(VersionFilterTest, SnapshotsKeepOneVersionEachNotEverythingBetween) {
  // Snapshots at 25 and 55, the latest version 100: 90 is the newest; 50 is what 55 reads;
  // 20 what 25 reads; 80, 70, 60, 40, 30 and 10 nobody reads.
  ReadSet readers({25, 55}, 100);
  EXPECT_EQ(Kept(readers, {90, 80, 70, 60, 50, 40, 30, 20, 10}),
            (std::vector<uint64_t>{90, 50, 20}));
}

TEST(VersionFilterTest, ReadersToComeReadFromTheLatestUp) {
  // The latest version is 85 (open_from): a version of 80 is what a new reader reads if the
  // next one, 90, is not visible yet.
  EXPECT_EQ(Kept(ReadSet({}, 85), {90, 80, 70}), (std::vector<uint64_t>{90, 80}));
}

TEST(VersionFilterTest, VersionsToKeepKeepsTheNewestAndTheNewestBelowTheOldestReader) {
  ReadSet readers({50}, 100);
  EXPECT_EQ(Kept(readers, {90, 80, 70, 45, 40, 30}, /*keep=*/2),
            (std::vector<uint64_t>{90, 80, 45, 40}));
  EXPECT_EQ(Kept(ReadSet::From(6), {9, 7, 5, 3}, 2), (std::vector<uint64_t>{9, 7, 5, 3}));
}

TEST(VersionFilterTest, TombstonesBelowTheOldestReaderHideOlderAndGoAtTheBottom) {
  ReadSet readers({}, 100);
  std::vector<ValueStruct> values{Tombstone(), Put(), Put()};
  EXPECT_EQ(Kept(readers, {50, 40, 30}, 1, /*bottommost=*/false, values),
            (std::vector<uint64_t>{50}));
  EXPECT_EQ(Kept(readers, {50, 40, 30}, 1, /*bottommost=*/true, values), (std::vector<uint64_t>{}));
  // A reader at 45 reads 40, which therefore stays, and so does the tombstone that hides it
  // from everyone else, bottom or not.
  EXPECT_EQ(Kept(ReadSet({45}, 100), {50, 40, 30}, 1, true, values),
            (std::vector<uint64_t>{50, 40}));
  // An expired entry counts as deleted.
  EXPECT_EQ(Kept(readers, {50, 40}, 1, true, {ExpiredAt(999), Put()}), (std::vector<uint64_t>{}));
  EXPECT_EQ(Kept(readers, {50, 40}, 1, true, {ExpiredAt(2000), Put()}),
            (std::vector<uint64_t>{50}));
}

TEST(VersionFilterTest, ATombstoneNobodyReadsGoesLikeAnyVersion) {
  // The key is deleted at 60 and written again at 80; the only reader (55) reads 50.
  EXPECT_EQ(
      Kept(ReadSet({55}, 100), {80, 60, 50, 40}, 1, false, {Put(), Tombstone(), Put(), Put()}),
      (std::vector<uint64_t>{80, 50}));
}

TEST(VersionFilterTest, VersionsUnderAKeptOperandAreKeptDownToTheFirstValue) {
  // 90 and 80 are operands: reading 90 folds them onto 70; 60 and older nobody reads.
  EXPECT_EQ(
      Kept(ReadSet({}, 100), {90, 80, 70, 60}, 1, false, {Operand(), Operand(), Put(), Put()}),
      (std::vector<uint64_t>{90, 80, 70}));
  // A tombstone ends the run as a value does.
  EXPECT_EQ(Kept(ReadSet({}, 100), {90, 80, 70}, 1, false, {Operand(), Tombstone(), Put()}),
            (std::vector<uint64_t>{90, 80}));
  // An operand that nobody reads keeps nothing below it.
  EXPECT_EQ(Kept(ReadSet({}, 100), {90, 80, 70}, 1, false, {Put(), Operand(), Put()}),
            (std::vector<uint64_t>{90}));
}

TEST(VersionFilterTest, EachKeyStartsAfresh) {
  ReadSet readers({}, 100);
  VersionFilter filter(&readers, 1, 1000, true);
  EXPECT_FALSE(filter.Keep(90, Tombstone(), true));  // Newest, deleted, at the bottom.
  EXPECT_FALSE(filter.Keep(80, Put(), false));
  EXPECT_TRUE(filter.Keep(70, Put(), true));  // The next key.
  EXPECT_FALSE(filter.Keep(60, Put(), false));
}

}  // namespace
}  // namespace sett
