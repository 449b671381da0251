// SyslogLogger sends the engine's and the filesystem's messages to syslog (facility daemon,
// tagged "settfs" with the pid): where a mount running in the background reports.

#ifndef SETTFS_TOOLS_SYSLOG_LOGGER_H_
#define SETTFS_TOOLS_SYSLOG_LOGGER_H_

#include "sett/logger.h"

namespace settfs {

class SyslogLogger : public sett::Logger {
 public:
  explicit SyslogLogger(sett::LogLevel min_level);
  ~SyslogLogger() override;
  void Log(sett::LogLevel level, const std::string& message) override;

 private:
  const sett::LogLevel min_level_;
};

}  // namespace settfs

#endif  // SETTFS_TOOLS_SYSLOG_LOGGER_H_
