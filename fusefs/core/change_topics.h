// Change topics: what a written key changes of what a kernel caches, named so that mounts
// sharing one store (PostgreSQL) can tell each other, and each have its kernel forget the
// entries and inodes that another mount changed (KvStore::WatchChanges).
//
// A topic is "i" and an inode number (its attributes, data or extended attributes changed),
// "e" and a directory's inode number, ':' and a name in hex (that name in it changed: made,
// removed or pointed elsewhere), or "" for keys no kernel caches (superblock, sequence,
// orphans). Topics are plain ASCII, whatever bytes a name holds.

#ifndef SETTFS_CORE_CHANGE_TOPICS_H_
#define SETTFS_CORE_CHANGE_TOPICS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace settfs {

std::string ChangeTopic(std::string_view key);

// A topic read back: an inode (name empty), or a name in directory ino.
struct CacheChange {
  uint64_t ino = 0;
  std::string name;
  bool entry = false;
};

// false for anything that is not a topic ChangeTopic makes (a peer's payload is untrusted).
bool ParseChangeTopic(std::string_view topic, CacheChange* change);

}  // namespace settfs

#endif  // SETTFS_CORE_CHANGE_TOPICS_H_
