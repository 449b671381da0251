// Progress prints a one-line progress report for long commands, redrawn in place at most a few
// times a second, and only when stderr is a terminal: piped or logged output stays quiet.

#ifndef SETT_TOOLS_COMMON_PROGRESS_H_
#define SETT_TOOLS_COMMON_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sett/db.h"

namespace sett::tools {

class Progress {
 public:
  // total = 0 when the amount of work is not known in advance.
  Progress(std::string label, uint64_t total);
  ~Progress() { Finish(); }

  // Reports `done` units of work so far.
  void Update(uint64_t done);
  // Clears the line.
  void Finish();

 private:
  const std::string label_;
  const uint64_t total_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  bool printed_ = false;
};

// A VerifyProgress for DB::VerifyChecksums that shows each phase on a Progress line of its own,
// labelled "<label> <phase>". The returned callback refers to this object, which must outlive
// it.
class PhasedProgress {
 public:
  explicit PhasedProgress(std::string label) : label_(std::move(label)) {}
  VerifyProgress Callback();
  // Clears the line (before printing the outcome).
  void Finish() { line_.reset(); }

 private:
  const std::string label_;
  std::string phase_;
  std::unique_ptr<Progress> line_;
};

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_PROGRESS_H_
