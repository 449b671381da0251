#include "core/records.h"

#include <dirent.h>

#include <ctime>

#include "core/codec.h"

namespace settfs {
namespace {

constexpr char kSuperblockMagic[] = "SETTFS\x01";  // 8 bytes with the NUL.
constexpr size_t kMaxSymlinkTarget = 4096;

void PutTime(std::string* out, const Timestamp& t) {
  PutU64(out, static_cast<uint64_t>(t.sec));
  PutU32(out, t.nsec);
}

Timestamp GetTime(Reader* r) {
  Timestamp t;
  t.sec = static_cast<int64_t>(r->U64());
  t.nsec = r->U32();
  return t;
}

bool ValidTime(const Timestamp& t) { return t.nsec < 1000000000; }

}  // namespace

Timestamp Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Timestamp{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

std::string EncodeSuperblock(const Superblock& sb) {
  std::string out(kSuperblockMagic, 8);
  PutU32(&out, kFormatVersion);
  PutU32(&out, sb.block_size);
  PutU8(&out, sb.compression);
  PutBytes(&out, sb.uuid);
  PutTime(&out, sb.created);
  return out;
}

bool DecodeSuperblock(std::string_view in, Superblock* sb) {
  if (in.size() < 8 || in.substr(0, 8) != std::string_view(kSuperblockMagic, 8)) return false;
  Reader r(in.substr(8));
  uint32_t version = r.U32();
  sb->block_size = r.U32();
  sb->compression = r.U8();
  std::string_view uuid = r.Bytes();
  sb->created = GetTime(&r);
  if (!r.done() || version != kFormatVersion || !ValidTime(sb->created)) return false;
  sb->uuid.assign(uuid.data(), uuid.size());
  // Powers of two from 512 B to 1 MiB.
  return sb->block_size >= 512 && sb->block_size <= (1u << 20) &&
         (sb->block_size & (sb->block_size - 1)) == 0;
}

Inode NewDirectory(uint64_t ino, uint64_t parent, uint32_t mode, uint32_t uid, uint32_t gid,
                   Timestamp now) {
  Inode dir;
  dir.ino = ino;
  dir.mode = S_IFDIR | (mode & 07777);
  dir.uid = uid;
  dir.gid = gid;
  dir.nlink = 2;
  dir.parent = parent;
  dir.atime = dir.mtime = dir.ctime = now;
  return dir;
}

std::string EncodeInode(const Inode& inode) {
  std::string out;
  PutU8(&out, kFormatVersion);
  PutU32(&out, inode.mode);
  PutU32(&out, inode.uid);
  PutU32(&out, inode.gid);
  PutU32(&out, inode.nlink);
  PutU64(&out, inode.size);
  PutU64(&out, inode.blocks);
  PutU64(&out, inode.rdev);
  PutTime(&out, inode.atime);
  PutTime(&out, inode.mtime);
  PutTime(&out, inode.ctime);
  PutU64(&out, inode.generation);
  PutU32(&out, inode.flags);
  PutU64(&out, inode.parent);
  PutBytes(&out, inode.target);
  return out;
}

bool DecodeInode(std::string_view in, Inode* inode) {
  Reader r(in);
  uint8_t version = r.U8();
  inode->mode = r.U32();
  inode->uid = r.U32();
  inode->gid = r.U32();
  inode->nlink = r.U32();
  inode->size = r.U64();
  inode->blocks = r.U64();
  inode->rdev = r.U64();
  inode->atime = GetTime(&r);
  inode->mtime = GetTime(&r);
  inode->ctime = GetTime(&r);
  inode->generation = r.U64();
  inode->flags = r.U32();
  inode->parent = r.U64();
  std::string_view target = r.Bytes();
  if (!r.done() || version != kFormatVersion || target.size() > kMaxSymlinkTarget ||
      !ValidTime(inode->atime) || !ValidTime(inode->mtime) || !ValidTime(inode->ctime)) {
    return false;
  }
  inode->target.assign(target.data(), target.size());
  return true;
}

std::string EncodeDirTimes(const DirTimes& t) {
  std::string out;
  PutU8(&out, kFormatVersion);
  PutTime(&out, t.mtime);
  PutTime(&out, t.ctime);
  return out;
}

bool DecodeDirTimes(std::string_view in, DirTimes* t) {
  Reader r(in);
  uint8_t version = r.U8();
  t->mtime = GetTime(&r);
  t->ctime = GetTime(&r);
  return r.done() && version == kFormatVersion && ValidTime(t->mtime) && ValidTime(t->ctime);
}

std::string EncodeDirent(const Dirent& d) {
  std::string out;
  PutU8(&out, kFormatVersion);
  PutU64(&out, d.ino);
  PutU8(&out, d.type);
  return out;
}

bool DecodeDirent(std::string_view in, Dirent* d) {
  Reader r(in);
  uint8_t version = r.U8();
  d->ino = r.U64();
  d->type = r.U8();
  return r.done() && version == kFormatVersion && d->ino != 0;
}

uint8_t DirentType(uint32_t mode) { return static_cast<uint8_t>(IFTODT(mode)); }

}  // namespace settfs
