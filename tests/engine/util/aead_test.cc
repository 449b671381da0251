// Aead: AES-GCM round trips, and every kind of change refused.

#include "util/aead.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_util.h"

namespace sett {
namespace {

TEST(AeadTest, SealsAndOpensWithEveryKeySizeAndRefusesOthers) {
  for (size_t size : {16, 24, 32}) {
    std::string key, nonce;
    ASSERT_OK(Aead::RandomBytes(size, &key));
    ASSERT_OK(Aead::RandomBytes(Aead::kNonceSize, &nonce));
    Aead aead(key);
    std::string sealed = "prefix";
    ASSERT_OK(aead.Seal(nonce, "where", "secret payload", &sealed));
    EXPECT_EQ(sealed.size(), 6 + 14 + Aead::kTagSize);
    EXPECT_EQ(sealed.find("secret"), std::string::npos);
    std::string opened;
    ASSERT_OK(aead.Open(nonce, "where", std::string_view(sealed).substr(6), &opened));
    EXPECT_EQ(opened, "secret payload");
  }
  EXPECT_TRUE(Aead::Check(std::string(20, 'k')).IsInvalidArgument());
  EXPECT_OK(Aead::Check(std::string(32, 'k')));
}

TEST(AeadTest, AChangedByteTagNonceOrPlaceDoesNotOpen) {
  std::string key(32, 'k'), nonce(Aead::kNonceSize, 'n');
  Aead aead(key);
  std::string sealed;
  ASSERT_OK(aead.Seal(nonce, "file 1 offset 0", "the value", &sealed));
  std::string out;
  for (size_t i = 0; i < sealed.size(); i++) {
    std::string bad = sealed;
    bad[i] ^= 1;
    EXPECT_TRUE(aead.Open(nonce, "file 1 offset 0", bad, &out).IsCorruption()) << "byte " << i;
  }
  EXPECT_TRUE(aead.Open(nonce, "file 1 offset 4096", sealed, &out).IsCorruption());
  EXPECT_TRUE(aead.Open(std::string(Aead::kNonceSize, 'm'), "file 1 offset 0", sealed, &out)
                  .IsCorruption());
  EXPECT_TRUE(
      Aead(std::string(32, 'K')).Open(nonce, "file 1 offset 0", sealed, &out).IsCorruption());
  EXPECT_TRUE(aead.Open(nonce, "x", "short", &out).IsCorruption());
}

TEST(AeadTest, NoncesNeverRepeatWithinOneKeyOrAcrossInstances) {
  Aead a(std::string(16, 'k')), b(std::string(16, 'k'));
  std::set<std::string> seen;
  for (int i = 0; i < 10000; i++) {
    std::string n;
    ASSERT_OK(a.NextNonce(&n));
    EXPECT_EQ(n.size(), Aead::kNonceSize);
    EXPECT_TRUE(seen.insert(n).second) << i;
    ASSERT_OK(b.NextNonce(&n));
    EXPECT_TRUE(seen.insert(n).second) << "another process with the same key: " << i;
  }
}

}  // namespace
}  // namespace sett
