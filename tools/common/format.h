// Formatting helpers for the tool's human-readable output.

#ifndef SETT_TOOLS_COMMON_FORMAT_H_
#define SETT_TOOLS_COMMON_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sett::tools {

// "12.3 MiB" and the like.
std::string HumanBytes(uint64_t bytes);
// Printable ASCII as is, everything else (and backslash) as \xHH; long keys are cut to
// max_len characters with "..." appended.
std::string EscapeKey(std::string_view key, size_t max_len = 40);
// "2026-11-30 10:20:14" in local time.
std::string LocalTime(int64_t unix_seconds);

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_FORMAT_H_
