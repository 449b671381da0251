#include "sett/logger.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace sett {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

class StderrLoggerImpl : public Logger {
 public:
  explicit StderrLoggerImpl(LogLevel min_level) : min_level_(min_level) {}

  void Log(LogLevel level, const std::string& message) override {
    if (level < min_level_) return;
    std::time_t now = std::time(nullptr);
    std::tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr, "%s sett %s: %s\n", stamp, LevelName(level), message.c_str());
  }

 private:
  const LogLevel min_level_;
  std::mutex mu_;
};

}  // namespace

Logger* StderrLogger(LogLevel min_level) {
  static StderrLoggerImpl* loggers[] = {
      new StderrLoggerImpl(LogLevel::kDebug), new StderrLoggerImpl(LogLevel::kInfo),
      new StderrLoggerImpl(LogLevel::kWarning), new StderrLoggerImpl(LogLevel::kError)};
  return loggers[static_cast<int>(min_level)];
}

Logger* NullLogger() {
  class Silent : public Logger {
   public:
    void Log(LogLevel, const std::string&) override {}
  };
  static Silent* silent = new Silent();
  return silent;
}

}  // namespace sett
