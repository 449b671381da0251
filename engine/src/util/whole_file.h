// Small files that sett rewrites whole when they change (DISCARD, SNAPSHOTS):
//
//   file := file header (util/file_header.h) | body | u64 XXH3 of the body
//
// WriteWholeFile replaces the file atomically: it writes a temporary file beside it, fsyncs
// it, renames it over the old one and fsyncs the directory, so that a crash leaves the old
// file or the new one, never a mix. ReadWholeFile checks header and checksum and hands back the
// body; Corruption names the file.

#ifndef SETT_UTIL_WHOLE_FILE_H_
#define SETT_UTIL_WHOLE_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sett/env.h"
#include "sett/status.h"

namespace sett {

Status WriteWholeFile(Env* env, const std::string& dir, const std::string& path, uint64_t magic,
                      uint32_t format_version, std::string_view body);

// NotFound when the file does not exist.
Status ReadWholeFile(Env* env, const std::string& path, uint64_t magic, uint32_t format_version,
                     std::string* body);

}  // namespace sett

#endif  // SETT_UTIL_WHOLE_FILE_H_
