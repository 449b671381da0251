#include "util/compression.h"

#include <snappy.h>
#include <zstd.h>

#include <cstdint>

namespace sett {
namespace {

// zstd contexts are expensive to set up (hundreds of KB of tables); each thread keeps one of
// each for its lifetime instead of paying that per block.
struct ZstdContexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

ZstdContexts& ThreadZstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

}  // namespace

bool Compress(Compression type, int zstd_level, std::string_view raw, std::string* out) {
  switch (type) {
    case Compression::kNone:
      return false;
    case Compression::kSnappy: {
      out->resize(snappy::MaxCompressedLength(raw.size()));
      size_t n;
      snappy::RawCompress(raw.data(), raw.size(), out->data(), &n);
      out->resize(n);
      return true;
    }
    case Compression::kZstd: {
      out->resize(ZSTD_compressBound(raw.size()));
      size_t n = ZSTD_compressCCtx(ThreadZstd().compress, out->data(), out->size(), raw.data(),
                                   raw.size(), zstd_level);
      if (ZSTD_isError(n)) return false;
      out->resize(n);
      return true;
    }
  }
  return false;
}

bool UncompressedSize(Compression type, std::string_view data, size_t* size) {
  switch (type) {
    case Compression::kNone:
      return false;
    case Compression::kSnappy:
      return snappy::GetUncompressedLength(data.data(), data.size(), size);
    case Compression::kZstd: {
      unsigned long long n = ZSTD_getFrameContentSize(data.data(), data.size());
      if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR || n > SIZE_MAX) {
        return false;
      }
      *size = static_cast<size_t>(n);
      return true;
    }
  }
  return false;
}

bool Uncompress(Compression type, std::string_view data, size_t max_size, std::string* out) {
  size_t n;
  if (!UncompressedSize(type, data, &n) || n > max_size) return false;
  out->resize(n);
  switch (type) {
    case Compression::kNone:
      return false;
    case Compression::kSnappy:
      return snappy::RawUncompress(data.data(), data.size(), out->data());
    case Compression::kZstd: {
      size_t got = ZSTD_decompressDCtx(ThreadZstd().decompress, out->data(), out->size(),
                                       data.data(), data.size());
      return !ZSTD_isError(got) && got == n;
    }
  }
  return false;
}

const char* CompressionName(Compression type) {
  switch (type) {
    case Compression::kNone:
      return "none";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

bool ParseCompression(std::string_view name, Compression* type) {
  if (name == "none") {
    *type = Compression::kNone;
  } else if (name == "snappy") {
    *type = Compression::kSnappy;
  } else if (name == "zstd") {
    *type = Compression::kZstd;
  } else {
    return false;
  }
  return true;
}

}  // namespace sett
