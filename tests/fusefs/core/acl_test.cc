#include "core/acl.h"

#include <gtest/gtest.h>

#include "core/codec.h"

namespace settfs {
namespace {

using Tag = PosixAcl::Tag;

// An ACL value as the kernel writes it: version 2, then tag, perm, id per entry.
std::string Value(const std::vector<PosixAcl::Entry>& entries, uint32_t version = 2) {
  std::string out;
  PutU32(&out, version);
  for (const PosixAcl::Entry& e : entries) {
    PutU16(&out, e.tag);
    PutU16(&out, e.perm);
    PutU32(&out, e.id);
  }
  return out;
}

constexpr uint32_t kNone = UINT32_MAX;  // The id of entries that name no one.

TEST(PosixAclTest, ParsesValidAclsAndEncodesThemBack) {
  std::string value = Value({{Tag::kUserObj, 6, kNone},
                             {Tag::kUser, 4, 1000},
                             {Tag::kUser, 7, 1001},
                             {Tag::kGroupObj, 4, kNone},
                             {Tag::kGroup, 2, 50},
                             {Tag::kMask, 6, kNone},
                             {Tag::kOther, 0, kNone}});
  PosixAcl acl;
  ASSERT_TRUE(PosixAcl::Parse(value, &acl));
  EXPECT_EQ(acl.entries().size(), 7u);
  EXPECT_EQ(acl.Encode(), value);
  EXPECT_FALSE(acl.IsMinimal());
  EXPECT_EQ(acl.ModeBits(), 0660u);  // Owner 6, mask 6, other 0.

  ASSERT_TRUE(PosixAcl::Parse(
      Value({{Tag::kUserObj, 7, kNone}, {Tag::kGroupObj, 5, kNone}, {Tag::kOther, 1, kNone}}),
      &acl));
  EXPECT_TRUE(acl.IsMinimal());
  EXPECT_EQ(acl.ModeBits(), 0751u);  // No mask: the group entry stands for the group class.
}

TEST(PosixAclTest, RefusesMalformedAndInvalidAcls) {
  const PosixAcl::Entry owner{Tag::kUserObj, 6, kNone}, group{Tag::kGroupObj, 4, kNone},
      other{Tag::kOther, 4, kNone}, mask{Tag::kMask, 6, kNone}, named{Tag::kUser, 6, 7};
  PosixAcl acl;
  std::string good = Value({owner, group, other});
  ASSERT_TRUE(PosixAcl::Parse(good, &acl));
  EXPECT_FALSE(PosixAcl::Parse("", &acl));
  EXPECT_FALSE(PosixAcl::Parse(good.substr(0, good.size() - 1), &acl));  // Torn entry.
  EXPECT_FALSE(PosixAcl::Parse(good + "x", &acl));
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, group, other}, 1), &acl));  // Version.
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, other}), &acl));            // No group.
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, owner, group, other}), &acl));
  EXPECT_FALSE(PosixAcl::Parse(Value({group, owner, other}), &acl));         // Out of order.
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, named, group, other}), &acl));  // No mask.
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, named, named, group, mask, other}), &acl));
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, {Tag::kGroupObj, 8, kNone}, other}), &acl));
  EXPECT_FALSE(PosixAcl::Parse(Value({owner, group, {0x40, 4, kNone}, other}), &acl));
  EXPECT_TRUE(PosixAcl::Parse(Value({owner, named, group, mask, other}), &acl));
}

TEST(PosixAclTest, ChmodRewritesOwnerMaskAndOther) {
  PosixAcl acl;
  ASSERT_TRUE(PosixAcl::Parse(Value({{Tag::kUserObj, 7, kNone},
                                     {Tag::kUser, 7, 1000},
                                     {Tag::kGroupObj, 7, kNone},
                                     {Tag::kMask, 7, kNone},
                                     {Tag::kOther, 7, kNone}}),
                              &acl));
  acl.Chmod(0640);
  EXPECT_EQ(acl.ModeBits(), 0640u);
  EXPECT_EQ(acl.entries()[1].perm, 7);  // Named entries keep their bits; the mask limits them.
  EXPECT_EQ(acl.entries()[2].perm, 7);  // The group entry too, with a mask present.
  EXPECT_EQ(acl.entries()[3].perm, 4);
}

TEST(PosixAclTest, NewFilesGetTheDefaultAclMaskedByTheirMode) {
  PosixAcl defaults;
  ASSERT_TRUE(PosixAcl::Parse(Value({{Tag::kUserObj, 7, kNone},
                                     {Tag::kUser, 7, 1000},
                                     {Tag::kGroupObj, 5, kNone},
                                     {Tag::kMask, 7, kNone},
                                     {Tag::kOther, 5, kNone}}),
                              &defaults));
  uint32_t mode = S_IFREG | 0666;  // What open(O_CREAT) asks, before any umask.
  PosixAcl file = defaults.ForNewFile(&mode);
  EXPECT_EQ(mode, S_IFREG | 0664u);
  EXPECT_EQ(file.ModeBits(), 0664u);
  EXPECT_FALSE(file.IsMinimal());
  EXPECT_EQ(file.entries()[1].perm, 7);  // Limited by the mask (6) when checked, not changed.
  mode = S_IFDIR | S_ISGID | 0755;
  defaults.ForNewFile(&mode);
  EXPECT_EQ(mode, S_IFDIR | S_ISGID | 0755u);
}

}  // namespace
}  // namespace settfs
