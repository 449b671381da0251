// The table file format (NNNNNN.sst):
//
//   data block 0 | ... | data block n-1 | bloom block | index block | footer
//
// Every block is stored as: contents (compressed or not) | u8 compression | u64 checksum, the
// checksum being XXH3 of the contents and the compression byte as stored. A block handle is
// the stored contents' offset and size (without that 9-byte trailer).
//
// Footer (48 bytes): u64 index offset | u32 index size | u64 bloom offset | u32 bloom size |
// u32 format version | u32 zero | u64 XXH3 of the 32 bytes before | u64 magic.
//
// Data blocks are described in block_builder.h, the bloom block in bloom.h and the index
// block in table_builder.h.

#ifndef SETT_TABLE_FORMAT_H_
#define SETT_TABLE_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sett/env.h"
#include "sett/options.h"

namespace sett {

class KeyRegistry;

inline constexpr uint64_t kTableMagic = 0x31545353'54544553ULL;  // "SETTSST1"
inline constexpr uint32_t kTableFormatVersion = 1;
inline constexpr size_t kBlockTrailerSize = 9;
inline constexpr size_t kFooterSize = 48;
// No block decompresses to more than this; a bigger claim is corruption.
inline constexpr size_t kMaxBlockContentSize = size_t{3} << 30;

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct Footer {
  BlockHandle index;
  BlockHandle bloom;
};

std::string EncodeFooter(const Footer& footer);
// Parses and checks the footer of a file of file_size bytes: magic, version, checksum, and
// that both handles lie inside the file before the footer.
Status DecodeFooter(std::string_view data, const std::string& path, uint64_t file_size,
                    Footer* footer);

// How a table's blocks are encrypted: not at all (keys null), or sealed with the DB's data keys
// (util/key_registry.h), each bound to its table and offset. An encrypted block is stored as
// the envelope of its (compressed) bytes, followed by the same trailer.
struct BlockCipher {
  KeyRegistry* keys = nullptr;
  uint64_t table_id = 0;
};

// Appends contents as a stored block (compressed when that saves at least an eighth) to *out;
// the block goes at `offset` of its table.
Status AppendStoredBlock(std::string_view contents, Compression compression, int zstd_level,
                         const BlockCipher& cipher, uint64_t offset, std::string* out);

// Reads the block at handle from file, checks its checksum, opens it (encrypted tables) and
// decompresses it into *contents. Damage is Corruption naming the file and offset.
Status ReadBlock(const RandomAccessFile& file, const BlockHandle& handle, std::string* contents,
                 const BlockCipher& cipher = BlockCipher());

}  // namespace sett

#endif  // SETT_TABLE_FORMAT_H_
