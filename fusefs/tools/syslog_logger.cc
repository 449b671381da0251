#include "syslog_logger.h"

#include <syslog.h>

namespace settfs {

SyslogLogger::SyslogLogger(sett::LogLevel min_level) : min_level_(min_level) {
  ::openlog("settfs", LOG_PID, LOG_DAEMON);
}

SyslogLogger::~SyslogLogger() { ::closelog(); }

void SyslogLogger::Log(sett::LogLevel level, const std::string& message) {
  if (level < min_level_) return;
  int priority = LOG_DEBUG;
  switch (level) {
    case sett::LogLevel::kDebug:
      priority = LOG_DEBUG;
      break;
    case sett::LogLevel::kInfo:
      priority = LOG_INFO;
      break;
    case sett::LogLevel::kWarning:
      priority = LOG_WARNING;
      break;
    case sett::LogLevel::kError:
      priority = LOG_ERR;
      break;
  }
  ::syslog(priority, "%s", message.c_str());
}

}  // namespace settfs
