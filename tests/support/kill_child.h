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
// status 9 if it does). After `after`, and once the child has written at least min_output
// bytes (waiting at most a minute for them, so that a loaded machine cannot make the child
// die before it did anything), the child is SIGKILLed and reaped. The pipe is drained all
// along. Call it only while the test process has no other threads (fork copies just the
// caller).
KilledChild KillChildAfter(const std::function<void(int fd)>& body, std::chrono::milliseconds after,
                           size_t min_output = 0);

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_KILL_CHILD_H_
