// The default Env's clock, and that wrappers pass it on (a test clock reaches the DB through
// Options::env).

#include <gtest/gtest.h>

#include <chrono>

#include "sett/env.h"
#include "support/clock_env.h"

namespace sett {
namespace {

uint64_t SystemMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

TEST(EnvClockTest, DefaultIsTheSystemClockAndWrappersForwardIt) {
  uint64_t before = SystemMicros();
  uint64_t now = Env::Default()->NowMicros();
  uint64_t after = SystemMicros();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  test::ClockEnv clock;
  clock.Advance(std::chrono::hours(1));
  EnvWrapper wrapper(&clock);
  uint64_t moved = wrapper.NowMicros();
  EXPECT_GE(moved, now + 3600ull * 1000000);
  EXPECT_LT(moved, SystemMicros() + 3601ull * 1000000);
}

}  // namespace
}  // namespace sett
