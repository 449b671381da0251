#include "tools/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace sett::tools {

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void Progress::Update(uint64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_print_ < std::chrono::milliseconds(250)) return;
  last_print_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? done / seconds : 0;
  if (total_ > 0) {
    double eta = rate > 0 ? (total_ - done) / rate : 0;
    std::fprintf(stderr, "\r\033[K%s: %llu/%llu (%.1f%%) %.0f/s, %.0f s left", label_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 100.0 * done / total_, rate, eta);
  } else {
    std::fprintf(stderr, "\r\033[K%s: %llu done, %.0f/s", label_.c_str(),
                 static_cast<unsigned long long>(done), rate);
  }
  std::fflush(stderr);
  printed_ = true;
}

void Progress::Finish() {
  if (!printed_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  printed_ = false;
}

VerifyProgress PhasedProgress::Callback() {
  return [this](std::string_view phase, uint64_t done, uint64_t total) {
    if (line_ == nullptr || phase != phase_) {
      phase_ = std::string(phase);
      line_.reset();  // Clears the last phase's line first.
      line_ = std::make_unique<Progress>(label_ + " " + phase_, total);
    }
    line_->Update(done);
  };
}

}  // namespace sett::tools
