#include "support/kill_child.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

namespace sett::test {

KilledChild KillChildAfter(const std::function<void(int fd)>& body, std::chrono::milliseconds after,
                           size_t min_output) {
  KilledChild result;
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return result;
  }
  if (pid == 0) {
    close(fds[0]);
    body(fds[1]);
    _exit(9);
  }
  close(fds[1]);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point give_up = start + std::chrono::minutes(1);
  bool open = true;
  char buf[4096];
  while (open) {
    Clock::time_point now = Clock::now();
    bool waited = now >= start + after;
    if ((waited && result.output.size() >= min_output) || now >= give_up) break;
    Clock::time_point until = waited ? give_up : start + after;
    int timeout_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1);
    struct pollfd p = {fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) > 0) {
      ssize_t n = read(fds[0], buf, sizeof(buf));
      if (n > 0) {
        result.output.append(buf, static_cast<size_t>(n));
      } else {
        open = false;  // The child exited (or closed its end).
      }
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  result.killed = WIFSIGNALED(status);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) result.output.append(buf, n);
  close(fds[0]);
  return result;
}

}  // namespace sett::test
