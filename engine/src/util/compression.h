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

// Whether a compressed form is worth storing instead of the raw bytes: it saves at least an
// eighth (below that, reading it back costs more than the space is worth).
inline bool CompressionPays(size_t raw_size, size_t compressed_size) {
  return compressed_size < raw_size - raw_size / 8;
}

// Whether a sample spread over data has the byte statistics of random bytes (data already
// compressed or encrypted), which no codec shrinks. False for data under 1 KiB.
bool LooksIncompressible(std::string_view data);

// Compresses raw into *out if that pays (CompressionPays); false when it does not, or type is
// kNone. Inputs that LooksIncompressible are not tried at all (in a
// settfs daemon, that took sequential writes of fio's data from 180 to 300 MB/s with snappy).
bool CompressIfItPays(Compression type, int zstd_level, std::string_view raw, std::string* out);

// The size data says it decompresses to (read from its header; false when malformed).
bool UncompressedSize(Compression type, std::string_view data, size_t* size);

// Decompresses data into *out. Returns false when the type is unknown, the data is malformed
// or it would decompress to more than max_size bytes.
bool Uncompress(Compression type, std::string_view data, size_t max_size, std::string* out);

}  // namespace sett

#endif  // SETT_UTIL_COMPRESSION_H_
