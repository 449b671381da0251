// The values settfs stores: superblock, inode, directory times and directory entry. Each starts
// with a format version; decoding bounds-checks everything, since the bytes come from disk.

#ifndef SETTFS_CORE_RECORDS_H_
#define SETTFS_CORE_RECORDS_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace settfs {

inline constexpr uint32_t kFormatVersion = 1;

struct Timestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;
  bool operator==(const Timestamp& o) const { return sec == o.sec && nsec == o.nsec; }
};

Timestamp Now();

struct Superblock {
  uint32_t block_size = 4096;
  uint8_t compression = 1;  // sett::Compression.
  std::string uuid;         // 16 bytes.
  Timestamp created;
};

std::string EncodeSuperblock(const Superblock& sb);
bool DecodeSuperblock(std::string_view in, Superblock* sb);

struct Inode {
  uint64_t ino = 0;  // Not stored: the key's.
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // Data blocks stored (holes take none).
  uint64_t rdev = 0;
  Timestamp atime, mtime, ctime;
  uint64_t generation = 1;
  uint32_t flags = 0;
  uint64_t parent = 0;  // Directories: the directory that holds it.
  std::string target;   // Symbolic links: where they point.

  bool is_dir() const { return S_ISDIR(mode); }
  bool is_reg() const { return S_ISREG(mode); }
  bool is_symlink() const { return S_ISLNK(mode); }
};

// A new, empty directory: nlink 2, every time `now`.
Inode NewDirectory(uint64_t ino, uint64_t parent, uint32_t mode, uint32_t uid, uint32_t gid,
                   Timestamp now);

std::string EncodeInode(const Inode& inode);
bool DecodeInode(std::string_view in, Inode* inode);

struct DirTimes {
  Timestamp mtime, ctime;
};
std::string EncodeDirTimes(const DirTimes& t);
bool DecodeDirTimes(std::string_view in, DirTimes* t);

struct Dirent {
  uint64_t ino = 0;
  uint8_t type = 0;  // DT_* of the child.
};
std::string EncodeDirent(const Dirent& d);
bool DecodeDirent(std::string_view in, Dirent* d);

// DT_* for a mode's file type.
uint8_t DirentType(uint32_t mode);

}  // namespace settfs

#endif  // SETTFS_CORE_RECORDS_H_
