// Filesystem: file contents. A file is its inode's size plus blocks `B ino index` of
// block_size bytes, each stored without its trailing zeros; an absent block is a hole, and a
// block that becomes all zeros is deleted, so holes take no space.

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {
namespace {

// Offsets stay below 2^62: block indexes times the block size never overflow.
constexpr uint64_t kMaxFileSize = uint64_t{1} << 62;

void TrimZeros(std::string* block) {
  size_t end = block->size();
  while (end > 0 && (*block)[end - 1] == '\0') end--;
  block->resize(end);
}

}  // namespace

int Filesystem::Open(uint64_t ino, int flags) {
  int err = Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    const bool writing = (flags & O_ACCMODE) != O_RDONLY;
    if (inode.is_dir() && writing) return EISDIR;
    if (writing || (flags & O_TRUNC)) {
      e = RefuseIfLocked(inode, (flags & O_APPEND) && !(flags & O_TRUNC));
    }
    return e;
  });
  if (err == 0 && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) err = Truncate(ino, 0);
  if (err == 0) {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    nodes_[ino].opens++;
  }
  return err;
}

int Filesystem::Create(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode,
                       int flags, struct stat* st) {
  int err = CreateEntry(caller, parent, name, S_IFREG | (mode & 07777), 0, "", st);
  if (err == 0) {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    nodes_[st->st_ino].opens++;
    return 0;
  }
  if (err != EEXIST || (flags & O_EXCL)) return err;
  // Created by someone else meanwhile: open that one, as open(2) without O_EXCL would.
  err = Lookup(parent, name, st);
  if (err != 0) return err;
  err = S_ISDIR(st->st_mode) ? EISDIR : Open(st->st_ino, flags);
  if (err == 0) {
    err = GetAttr(st->st_ino, st);  // After an O_TRUNC.
    if (err != 0) Release(st->st_ino);
  }
  if (err != 0) Forget(st->st_ino, 1);
  return err;
}

int Filesystem::Read(uint64_t ino, uint64_t offset, size_t size, std::string* data) {
  const uint64_t bs = sb_.block_size;
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (inode.is_dir()) return EISDIR;
    data->clear();
    if (offset >= inode.size) return 0;
    uint64_t end = std::min<uint64_t>(inode.size, offset + size);
    data->assign(end - offset, '\0');  // Holes read as zeros.
    uint64_t last = (end - 1) / bs;
    Status s = txn->ScanRange(BlockPrefix(ino), BlockKey(ino, offset / bs), BlockKey(ino, last + 1),
                              false, [&](std::string_view key, std::string_view block) {
                                uint64_t index = KeyBlockIndex(key);
                                if (index > last) return false;
                                uint64_t start = index * bs;
                                uint64_t from = std::max(start, offset);
                                uint64_t to = std::min({start + block.size(), end, start + bs});
                                if (from < to) {
                                  std::memcpy(data->data() + (from - offset),
                                              block.data() + (from - start), to - from);
                                }
                                return true;
                              });
    return s.ok() ? 0 : Fail(s, "reading inode " + std::to_string(ino));
  });
}

int Filesystem::Write(uint64_t ino, uint64_t offset, std::string_view data) {
  if (offset + data.size() > kMaxFileSize || offset + data.size() < offset) return EFBIG;
  int err = CheckSpace(data.size());
  if (err != 0) return err;
  std::lock_guard<std::mutex> turn(write_stripes_[ino % kWriteStripes]);
  for (size_t done = 0; done < data.size(); done += write_chunk_) {
    err = WriteChunk(ino, offset + done, data.substr(done, write_chunk_));
    if (err != 0) return err;
  }
  return 0;
}

int Filesystem::WriteChunk(uint64_t ino, uint64_t offset, std::string_view data) {
  const uint64_t bs = sb_.block_size;
  const uint64_t end = offset + data.size();
  return Run(true, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (!inode.is_reg()) return inode.is_dir() ? EISDIR : EINVAL;
    e = RefuseIfLocked(inode, /*appending=*/true);
    if (e != 0) return e;
    uint64_t first = offset / bs, last = (end - 1) / bs;
    // Which blocks exist, without reading them: only partly written ones are read.
    std::vector<uint64_t> present;
    Status s = txn->ScanRange(BlockPrefix(ino), BlockKey(ino, first), BlockKey(ino, last + 1), true,
                              [&](std::string_view key, std::string_view) {
                                uint64_t index = KeyBlockIndex(key);
                                if (index > last) return false;
                                present.push_back(index);
                                return true;
                              });
    if (!s.ok()) return Fail(s, "listing the blocks of inode " + std::to_string(ino));
    std::string block;
    for (uint64_t index = first; index <= last; index++) {
      uint64_t start = index * bs;
      uint64_t from = std::max(start, offset), to = std::min(start + bs, end);
      bool existed = std::binary_search(present.begin(), present.end(), index);
      block.clear();
      if ((from > start || to < start + bs) && existed) {
        s = txn->Get(BlockKey(ino, index), &block);
        if (!s.ok()) return Fail(s, "reading a block of inode " + std::to_string(ino));
      }
      if (block.size() < to - start) block.resize(to - start, '\0');
      std::memcpy(block.data() + (from - start), data.data() + (from - offset), to - from);
      TrimZeros(&block);
      if (block.empty()) {
        if (existed) s = txn->Delete(BlockKey(ino, index));
        inode.blocks -= existed ? 1 : 0;
      } else {
        s = txn->Set(BlockKey(ino, index), block);
        inode.blocks += existed ? 0 : 1;
      }
      if (!s.ok()) return Fail(s, "writing a block of inode " + std::to_string(ino));
    }
    inode.size = std::max(inode.size, end);
    inode.mtime = inode.ctime = Now();
    return StoreInode(txn, inode);
  });
}

int Filesystem::Truncate(uint64_t ino, uint64_t size) {
  if (size > kMaxFileSize) return EFBIG;
  const uint64_t bs = sb_.block_size;
  // Blocks beyond the new size go from the top down, a batch per transaction; each step also
  // lowers the size to what it left, so that no block ever lies beyond the size - and the next
  // step starts its scan there, below the tombstones this one left.
  while (true) {
    bool done = false;
    int err = Run(true, [&](KvTxn* txn) {
      Inode inode;
      int e = LoadInode(txn, ino, &inode);
      if (e != 0) return e;
      uint64_t keep = (size + bs - 1) / bs;  // Blocks [0, keep) may stay.
      std::vector<uint64_t> doomed;
      uint64_t top = inode.size / bs;  // No block lies above this one.
      Status s = txn->ScanBackward(BlockPrefix(ino), BlockKey(ino, top), [&](std::string_view key) {
        uint64_t index = KeyBlockIndex(key);
        if (index < keep) return false;
        doomed.push_back(index);
        return doomed.size() < delete_batch_;
      });
      if (!s.ok()) return Fail(s, "listing the blocks of inode " + std::to_string(ino));
      for (uint64_t index : doomed) {
        s = txn->Delete(BlockKey(ino, index));
        if (!s.ok()) return Fail(s, "deleting a block of inode " + std::to_string(ino));
      }
      inode.blocks -= std::min<uint64_t>(inode.blocks, doomed.size());
      done = doomed.size() < delete_batch_;
      if (!done) {
        inode.size = std::min(inode.size, doomed.back() * bs);
      } else {
        if (size < inode.size && size % bs != 0) {
          // The last kept block must read as zeros past the new end.
          std::string block;
          s = txn->Get(BlockKey(ino, size / bs), &block);
          if (s.ok() && block.size() > size % bs) {
            block.resize(size % bs);
            TrimZeros(&block);
            if (block.empty()) {
              s = txn->Delete(BlockKey(ino, size / bs));
              inode.blocks -= std::min<uint64_t>(inode.blocks, 1);
            } else {
              s = txn->Set(BlockKey(ino, size / bs), block);
            }
          }
          if (!s.ok() && !s.IsNotFound()) {
            return Fail(s, "trimming a block of inode " + std::to_string(ino));
          }
        }
        if (inode.size != size) inode.mtime = inode.ctime = Now();
        inode.size = size;
      }
      return StoreInode(txn, inode);
    });
    if (err != 0 || done) return err;
  }
}

int Filesystem::PunchHole(uint64_t ino, uint64_t offset, uint64_t length) {
  const uint64_t bs = sb_.block_size;
  const uint64_t end = offset + length;
  // Whole blocks inside the range go (in batches); the edges are written as zeros.
  for (uint64_t index = (offset + bs - 1) / bs; index < end / bs;) {
    uint64_t stop = std::min(end / bs, index + delete_batch_);
    int err = Run(true, [&](KvTxn* txn) {
      Inode inode;
      int e = LoadInode(txn, ino, &inode);
      if (e != 0) return e;
      std::vector<uint64_t> doomed;
      Status s = txn->Scan(BlockPrefix(ino), BlockKey(ino, index), true,
                           [&](std::string_view key, std::string_view) {
                             uint64_t i = KeyBlockIndex(key);
                             if (i >= stop) return false;
                             doomed.push_back(i);
                             return true;
                           });
      for (uint64_t i : doomed) {
        if (s.ok()) s = txn->Delete(BlockKey(ino, i));
      }
      if (!s.ok()) return Fail(s, "punching a hole in inode " + std::to_string(ino));
      inode.blocks -= std::min<uint64_t>(inode.blocks, doomed.size());
      inode.ctime = inode.mtime = Now();
      return StoreInode(txn, inode);
    });
    if (err != 0) return err;
    index = stop;
  }
  // The partial edges: zeros written over what is there, within the current size.
  uint64_t size = 0;
  int err = Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    size = inode.size;
    return e;
  });
  if (err != 0) return err;
  uint64_t limit = std::min(end, size);
  auto zero_edge = [&](uint64_t from, uint64_t to) {
    if (from >= to) return 0;
    return WriteChunk(ino, from, std::string(to - from, '\0'));
  };
  uint64_t head_end = std::min(end, (offset + bs - 1) / bs * bs);  // Offset up to a block.
  uint64_t tail_start = std::max(head_end, end / bs * bs);         // End down to a block.
  err = zero_edge(offset, std::min(head_end, limit));
  return err != 0 ? err : zero_edge(tail_start, limit);
}

int Filesystem::Fallocate(uint64_t ino, int mode, uint64_t offset, uint64_t length) {
  // Only punching holes: every write goes to new space (copy-on-write), so space set aside
  // now would not keep a later write from ENOSPC. Allocating and zeroing, which promise that,
  // are refused as on other copy-on-write filesystems (posix_fallocate then writes instead).
  if (mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) return EOPNOTSUPP;
  if (length == 0) return EINVAL;
  if (offset + length > kMaxFileSize || offset + length < offset) return EFBIG;
  int err = Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e == 0 && !inode.is_reg()) e = inode.is_dir() ? EISDIR : ENODEV;
    return e != 0 ? e : RefuseIfLocked(inode, /*appending=*/false);
  });
  return err != 0 ? err : PunchHole(ino, offset, length);
}

int Filesystem::Lseek(uint64_t ino, uint64_t offset, int whence, uint64_t* result) {
  if (whence != SEEK_DATA && whence != SEEK_HOLE) return EINVAL;
  const uint64_t bs = sb_.block_size;
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (offset >= inode.size) return ENXIO;
    uint64_t expect = offset / bs;  // The next block index for SEEK_HOLE's run of data.
    bool found = false;
    Status s = txn->Scan(BlockPrefix(ino), BlockKey(ino, offset / bs), true,
                         [&](std::string_view key, std::string_view) {
                           uint64_t index = KeyBlockIndex(key);
                           if (whence == SEEK_DATA) {
                             *result = std::max(offset, index * bs);
                             found = true;
                             return false;
                           }
                           if (index != expect) return false;  // A gap: the hole starts here.
                           expect++;
                           return true;
                         });
    if (!s.ok()) return Fail(s, "seeking in inode " + std::to_string(ino));
    if (whence == SEEK_DATA) return found && *result < inode.size ? 0 : ENXIO;
    *result = std::min(inode.size, std::max(offset, expect * bs));
    return 0;
  });
}

int Filesystem::CopyFileRange(uint64_t ino_in, uint64_t offset_in, uint64_t ino_out,
                              uint64_t offset_out, size_t length, size_t* copied) {
  *copied = 0;
  std::string chunk;
  while (*copied < length) {
    size_t want = std::min(write_chunk_, length - *copied);
    int err = Read(ino_in, offset_in + *copied, want, &chunk);
    if (err != 0) return *copied > 0 ? 0 : err;
    if (chunk.empty()) break;  // End of the source.
    err = Write(ino_out, offset_out + *copied, chunk);
    if (err != 0) return *copied > 0 ? 0 : err;
    *copied += chunk.size();
  }
  return 0;
}

}  // namespace settfs
