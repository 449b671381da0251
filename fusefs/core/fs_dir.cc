// Filesystem: directory listings. A handle holds a read-only transaction taken at OpenDir, so
// that a listing shows one snapshot however the directory changes while it is read, and
// remembers where the last call stopped so that paging on costs no rescan. Reading from offset
// 0 again (rewinddir) takes a new snapshot, as POSIX asks.

#include <dirent.h>

#include <cerrno>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {

struct Filesystem::DirHandle {
  std::mutex mu;
  uint64_t ino = 0;
  uint64_t parent = 0;
  std::unique_ptr<KvTxn> snapshot;
  uint64_t next_offset = 2;  // Where the listing stopped...
  std::string next_key;      // ...and the key of the entry that comes there ("" = the first).
  bool read_once = false;    // The snapshot has been listed from.
};

int Filesystem::OpenDir(uint64_t ino, uint64_t* handle) {
  auto dir = std::make_shared<DirHandle>();
  dir->ino = ino;
  dir->snapshot = store_->Begin(false);
  Inode inode;
  int err = LoadDir(dir->snapshot.get(), ino, &inode);
  if (err != 0) return err;
  dir->parent = inode.parent != 0 ? inode.parent : ino;
  std::lock_guard<std::mutex> lock(dirs_mu_);
  *handle = next_dir_handle_++;
  dirs_[*handle] = std::move(dir);
  return 0;
}

int Filesystem::ReleaseDir(uint64_t handle) {
  std::lock_guard<std::mutex> lock(dirs_mu_);
  dirs_.erase(handle);
  return 0;
}

int Filesystem::ReadDir(uint64_t handle, uint64_t offset, bool plus, const DirFiller& fill) {
  std::shared_ptr<DirHandle> dir;
  {
    std::lock_guard<std::mutex> lock(dirs_mu_);
    auto it = dirs_.find(handle);
    if (it == dirs_.end()) return EBADF;
    dir = it->second;
  }
  std::lock_guard<std::mutex> lock(dir->mu);
  if (offset == 0 && dir->read_once) {
    // A rewind: show the directory as it is now.
    dir->snapshot = store_->Begin(false);
    dir->next_offset = 2;
    dir->next_key.clear();
  }
  dir->read_once = true;
  KvTxn* txn = dir->snapshot.get();
  auto dot = [&](const char* name, uint64_t ino, uint64_t next) {
    struct stat st = {};
    st.st_ino = ino;
    st.st_mode = S_IFDIR;
    if (plus) {
      Inode inode;
      if (LoadInode(txn, ino, &inode) == 0) Stat(txn, inode, &st);
    }
    return fill(name, st, next);
  };
  if (offset == 0 && !dot(".", dir->ino, 1)) return 0;
  if (offset <= 1 && !dot("..", dir->parent, 2)) return 0;
  offset = std::max<uint64_t>(offset, 2);

  const std::string prefix = DirentPrefix(dir->ino);
  std::string start;
  uint64_t position = 2;
  if (offset == dir->next_offset) {
    start = dir->next_key;
    position = offset;
  }
  int err = 0;
  Status s = txn->Scan(prefix, start, false, [&](std::string_view key, std::string_view value) {
    if (position < offset) {  // Seeking by counting, after a rewind or seekdir.
      position++;
      return true;
    }
    Dirent d;
    if (!DecodeDirent(value, &d)) {
      err = Fail(
          Status::Corruption("an entry of directory " + std::to_string(dir->ino) + " is malformed"),
          "listing");
      return false;
    }
    struct stat st = {};
    st.st_ino = d.ino;
    st.st_mode = DTTOIF(d.type);
    if (plus) {
      Inode inode;
      err = LoadInode(txn, d.ino, &inode);
      if (err == 0) err = Stat(txn, inode, &st);
      if (err != 0) return false;
    }
    if (!fill(KeyName(key), st, position + 1)) {
      dir->next_offset = position;
      dir->next_key.assign(key.data(), key.size());
      return false;
    }
    if (plus) AddLookup(d.ino);
    position++;
    dir->next_offset = position;
    dir->next_key.assign(key.data(), key.size());
    dir->next_key.push_back('\0');  // The next key after it.
    return true;
  });
  if (!s.ok()) return Fail(s, "listing directory " + std::to_string(dir->ino));
  return err;
}

}  // namespace settfs
