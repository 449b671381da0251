// An Env whose clock the test sets: for expiry and key rotation without sleeping.

#ifndef SETT_TESTS_SUPPORT_CLOCK_ENV_H_
#define SETT_TESTS_SUPPORT_CLOCK_ENV_H_

#include <atomic>
#include <cstdint>

#include "sett/env.h"

namespace sett::test {

class ClockEnv : public EnvWrapper {
 public:
  explicit ClockEnv(Env* target, uint64_t start_seconds = 1'800'000'000)
      : EnvWrapper(target), micros_(start_seconds * 1'000'000) {}
  uint64_t NowMicros() override { return micros_.load(); }
  void Advance(uint64_t seconds) { micros_ += seconds * 1'000'000; }

 private:
  std::atomic<uint64_t> micros_;
};

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_CLOCK_ENV_H_
