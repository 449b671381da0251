// KillChildAfter runs a function in a forked child and SIGKILLs it after a while: the crash
// tests' way of cutting a writer off at a random moment.

#ifndef SETT_TESTS_SUPPORT_KILL_CHILD_H_
#define SETT_TESTS_SUPPORT_KILL_CHILD_H_

#include <chrono>
#include <functional>
#include <string>

namespace sett::test {

struct KilledChild {
  bool killed = false;  // False when the child exited by itself first.
  int exit_code = 0;    // When it exited by itself.
  std::string output;   // Everything it wrote to its pipe before it died.
};

// Forks; the child runs body(pipe write fd), which should not return (the child exits with
// status 9 if it does). After `after`, the child is SIGKILLed and reaped. Call it only while
// the test process has no other threads (fork copies just the caller).
KilledChild KillChildAfter(const std::function<void(int fd)>& body,
                           std::chrono::milliseconds after);

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_KILL_CHILD_H_
