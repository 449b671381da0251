// Fuzzes settfs's on-disk record decoders (superblock, inode, directory times, directory
// entry): the first byte picks the decoder, the rest is the record.

#include <string_view>

#include "core/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      settfs::Superblock sb;
      settfs::DecodeSuperblock(in, &sb);
      break;
    }
    case 1: {
      settfs::Inode inode;
      settfs::DecodeInode(in, &inode);
      break;
    }
    case 2: {
      settfs::DirTimes t;
      settfs::DecodeDirTimes(in, &t);
      break;
    }
    default: {
      settfs::Dirent d;
      settfs::DecodeDirent(in, &d);
    }
  }
  return 0;
}
