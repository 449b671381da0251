// The 24-byte header at the start of every file sett writes except tables (which end with a
// footer instead): u64 magic | u32 format version | u32 zero | u64 XXH3 of the 16 bytes before.

#ifndef SETT_UTIL_FILE_HEADER_H_
#define SETT_UTIL_FILE_HEADER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sett/status.h"

namespace sett {

inline constexpr size_t kFileHeaderSize = 24;

std::string EncodeFileHeader(uint64_t magic, uint32_t format_version);

// Checks a header read from path: Corruption for a wrong magic or checksum, NotSupported for a
// format version newer than format_version (the newest this build reads; readers of a format
// read its every older version).
Status CheckFileHeader(std::string_view header, const std::string& path, uint64_t magic,
                       uint32_t format_version);

}  // namespace sett

#endif  // SETT_UTIL_FILE_HEADER_H_
