// ClockEnv: the default Env with a clock that a test moves forward by hand, so that expiry
// can be tested without sleeping.

#ifndef SETT_TESTS_SUPPORT_CLOCK_ENV_H_
#define SETT_TESTS_SUPPORT_CLOCK_ENV_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "sett/env.h"

namespace sett::test {

class ClockEnv : public EnvWrapper {
 public:
  explicit ClockEnv(Env* target = Env::Default()) : EnvWrapper(target) {}
  // The real clock plus every Advance so far.
  uint64_t NowMicros() override { return target()->NowMicros() + offset_micros_.load(); }
  void Advance(std::chrono::microseconds by) {
    offset_micros_ += static_cast<uint64_t>(by.count());
  }

 private:
  std::atomic<uint64_t> offset_micros_{0};
};

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_CLOCK_ENV_H_
