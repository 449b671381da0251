// The keys settfs stores, each a prefix byte, big-endian integers (so that byte order is
// numeric order) and bytes:
//
//   S                   superblock
//   N                   the inode-number sequence (sett::Sequence)
//   I ino               inode
//   T ino               a directory's mtime and ctime, kept apart so that creating or removing
//                       entries writes them without reading them (no conflicts between
//                       concurrent changes in one directory over them)
//   D parent name       directory entry -> child ino, file type
//   X ino name          extended attribute
//   B ino index         data block `index` of a file; absent = a hole
//   O ino               orphan: unlinked while still open; reclaimed on last close or at mount
//   P                   a bulk change under way (settfs rollback or receive, in several
//                       transactions): what it is; the filesystem does not mount while it is there

#ifndef SETTFS_CORE_KEYS_H_
#define SETTFS_CORE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/kv_store.h"
#include "core/records.h"

namespace settfs {

// The first byte of every key, which says what it is.
enum class KeyTag : char {
  kSuperblock = 'S',
  kSequence = 'N',
  kInode = 'I',
  kTimes = 'T',
  kDirent = 'D',
  kXattr = 'X',
  kBlock = 'B',
  kOrphan = 'O',
  kPending = 'P',
  kUnknown = 0,  // Not a key settfs writes.
};

inline constexpr char kSuperblockKey[] = "S";
inline constexpr char kSequenceKey[] = "N";
inline constexpr char kPendingKey[] = "P";
inline constexpr uint64_t kRootIno = 1;
inline constexpr size_t kInoKeySize = 9;     // Tag, ino.
inline constexpr size_t kBlockKeySize = 17;  // B, ino, index.
// What settfs budgets per write in a transaction on top of key and value (the engine counts
// less).
inline constexpr size_t kKeyOverhead = 64;

// The tag of a key of one of the shapes above, or kUnknown (a wrong tag or length).
KeyTag ClassifyKey(std::string_view key);
// The one-byte prefix that every key of a kind starts with, to scan them all.
std::string TagPrefix(KeyTag tag);

std::string InodeKey(uint64_t ino);
std::string TimesKey(uint64_t ino);
std::string DirentKey(uint64_t parent, std::string_view name);
std::string DirentPrefix(uint64_t parent);
std::string XattrKey(uint64_t ino, std::string_view name);
std::string XattrPrefix(uint64_t ino);
std::string BlockKey(uint64_t ino, uint64_t index);
std::string BlockPrefix(uint64_t ino);
std::string OrphanKey(uint64_t ino);

// Reads and decodes the superblock: InvalidArgument when there is none (not a filesystem),
// Corruption when it does not decode.
Status LoadSuperblock(KvTxn* txn, Superblock* sb);

// Deletes in txn the inode's I, T and O keys and its extended attributes (its blocks are left
// to the caller: there may be too many for one transaction).
Status DeleteInodeRecords(KvTxn* txn, uint64_t ino);

// How many blocks one transaction deletes: a share of the store's transaction limit, capped
// because bigger transactions only hold back other writers for longer.
size_t BlockDeleteBatch(size_t max_txn_bytes);
// Deletes in txn up to `batch` blocks of ino from index *next on; sets *deleted to how many,
// and *next to the index after the last (so that the next batch does not scan its tombstones).
Status DeleteBlockBatch(KvTxn* txn, uint64_t ino, size_t batch, uint64_t* next, size_t* deleted);

// The ino of an I, T, D, X, B or O key (REQUIRES: at least kInoKeySize bytes).
uint64_t KeyIno(std::string_view key);
// The name in a D or X key, and the index in a B key.
std::string_view KeyName(std::string_view key);
uint64_t KeyBlockIndex(std::string_view key);

}  // namespace settfs

#endif  // SETTFS_CORE_KEYS_H_
