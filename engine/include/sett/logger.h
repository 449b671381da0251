// Logger receives the engine's diagnostic messages (flushes, compactions, recovery, corruption
// found in the background). The default logger writes warnings and errors to stderr.
//
// Thread safety: Log may be called from any engine thread concurrently.

#ifndef SETT_LOGGER_H_
#define SETT_LOGGER_H_

#include <string>

namespace sett {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, const std::string& message) = 0;
};

// A logger that writes messages at or above min_level to stderr, one line each.
// Never deleted; shared by every DB that does not set its own.
Logger* StderrLogger(LogLevel min_level = LogLevel::kWarning);

// A logger that drops every message. Never deleted.
Logger* NullLogger();

}  // namespace sett

#endif  // SETT_LOGGER_H_
