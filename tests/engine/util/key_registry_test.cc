// KeyRegistry: the KEYREGISTRY file, data keys rotating on a test clock, envelopes, and the
// master key: wrong, rewrapped.

#include "util/key_registry.h"

#include <gtest/gtest.h>

#include "support/clock_env.h"
#include "support/test_util.h"

namespace sett {
namespace {

const std::string kMaster(32, 'm');

TEST(KeyRegistryTest, EnvelopesOpenAcrossRotationsAndReopen) {
  test::TempDir dir;
  test::ClockEnv env(Env::Default());
  std::unique_ptr<KeyRegistry> registry;
  EXPECT_TRUE(KeyRegistry::Open(&env, dir.path(), kMaster, 100, false, &registry).IsNotFound());
  ASSERT_OK(KeyRegistry::Open(&env, dir.path(), kMaster, 100, true, &registry));
  std::vector<std::string> envelopes;
  for (int period = 0; period < 5; period++) {
    std::string envelope;
    ASSERT_OK(registry->Seal("aad" + std::to_string(period), "plain " + std::to_string(period),
                             &envelope));
    EXPECT_EQ(envelope.size(), 7 + KeyRegistry::kEnvelopeOverhead);
    envelopes.push_back(envelope);
    env.Advance(std::chrono::seconds(100));
  }
  EXPECT_EQ(registry->num_keys(), 5u) << "a new data key each period";
  EXPECT_NE(envelopes[0].substr(0, 8), envelopes[4].substr(0, 8));
  ASSERT_OK(KeyRegistry::Open(&env, dir.path(), kMaster, 100, false, &registry));
  EXPECT_EQ(registry->num_keys(), 5u);
  for (int period = 0; period < 5; period++) {
    std::string plain;
    ASSERT_OK(registry->Open("aad" + std::to_string(period), envelopes[period], "test", &plain));
    EXPECT_EQ(plain, "plain " + std::to_string(period));
  }
  std::string plain;
  Status s = registry->Open("aad1", envelopes[0], "file X", &plain);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.ToString().find("file X"), std::string::npos) << s.ToString();
}

TEST(KeyRegistryTest, AWrongMasterKeyIsRefusedAndRewrapKeepsTheDataKeys) {
  test::TempDir dir;
  std::unique_ptr<KeyRegistry> registry;
  ASSERT_OK(KeyRegistry::Open(Env::Default(), dir.path(), kMaster, 0, true, &registry));
  std::string envelope;
  ASSERT_OK(registry->Seal("a", "data", &envelope));
  Status s =
      KeyRegistry::Open(Env::Default(), dir.path(), std::string(32, 'x'), 0, false, &registry);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(KeyRegistry::Open(Env::Default(), dir.path(), "short", 0, false, &registry)
                  .IsInvalidArgument());

  const std::string next(16, 'n');  // Another size too: AES-128 from now on for the registry.
  EXPECT_FALSE(KeyRegistry::Rewrap(Env::Default(), dir.path(), next, kMaster).ok());
  ASSERT_OK(KeyRegistry::Rewrap(Env::Default(), dir.path(), kMaster, next));
  EXPECT_TRUE(KeyRegistry::Open(Env::Default(), dir.path(), kMaster, 0, false, &registry)
                  .IsInvalidArgument());
  ASSERT_OK(KeyRegistry::Open(Env::Default(), dir.path(), next, 0, false, &registry));
  std::string plain;
  ASSERT_OK(registry->Open("a", envelope, "test", &plain));
  EXPECT_EQ(plain, "data");

  test::FlipByte(KeyRegistry::FileName(dir.path()), 40);
  EXPECT_FALSE(KeyRegistry::Open(Env::Default(), dir.path(), next, 0, false, &registry).ok());
}

}  // namespace
}  // namespace sett
