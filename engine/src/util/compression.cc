#include "util/compression.h"

#include <snappy.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cmath>
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

bool LooksIncompressible(std::string_view data) {
  // The Shannon entropy of the bytes of a sample: eight 64-byte slices spread over the data,
  // so that a value random at one end and repetitive at the other is judged on both. Random
  // bytes measure about 7.6 bits per byte on 512 (the estimate runs about 0.35 low on so few
  // bytes), fio's buffers 7.0 to 7.6, text 4 to 5, machine code and base64 about 6. Above 6.8
  // measured (7.15 true), an entropy coder saves under a tenth, short of what CompressionPays
  // asks. A codec call would say the same at several times the cost (zstd's set-up alone
  // outweighs this on a few KiB). What it misses: random bytes repeated at a distance, which
  // only a codec's matching finds.
  constexpr size_t kSlices = 8, kSlice = 64, kSample = kSlices * kSlice;
  constexpr double kIncompressibleBits = 6.8;
  if (data.size() < 2 * kSample) return false;
  static const std::array<double, kSample + 1> kCountLog2Count = [] {
    std::array<double, kSample + 1> table{};
    for (size_t c = 1; c <= kSample; c++) table[c] = c * std::log2(static_cast<double>(c));
    return table;
  }();
  std::array<uint16_t, 256> counts{};
  const size_t stride = (data.size() - kSlice) / (kSlices - 1);
  for (size_t slice = 0; slice < kSlices; slice++) {
    const char* p = data.data() + slice * stride;
    for (size_t i = 0; i < kSlice; i++) counts[static_cast<uint8_t>(p[i])]++;
  }
  double sum = 0;
  for (uint16_t c : counts) sum += kCountLog2Count[c];
  const double bits = std::log2(static_cast<double>(kSample)) - sum / kSample;
  return bits > kIncompressibleBits;
}

bool CompressIfItPays(Compression type, int zstd_level, std::string_view raw, std::string* out) {
  if (LooksIncompressible(raw)) return false;
  return Compress(type, zstd_level, raw, out) && CompressionPays(raw.size(), out->size());
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
