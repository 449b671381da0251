// Compression of table blocks and value-log values with snappy or zstd.

#ifndef SETT_UTIL_COMPRESSION_H_
#define SETT_UTIL_COMPRESSION_H_

#include <string>
#include <string_view>

#include "sett/options.h"

namespace sett {

// Compresses raw into *out. Returns false (and leaves *out unspecified) when the type is kNone
// or unknown, or the compressor fails.
bool Compress(Compression type, int zstd_level, std::string_view raw, std::string* out);

// The size data says it decompresses to (read from its header; false when malformed).
bool UncompressedSize(Compression type, std::string_view data, size_t* size);

// Decompresses data into *out. Returns false when the type is unknown, the data is malformed
// or it would decompress to more than max_size bytes.
bool Uncompress(Compression type, std::string_view data, size_t max_size, std::string* out);

}  // namespace sett

#endif  // SETT_UTIL_COMPRESSION_H_
