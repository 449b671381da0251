#include "core/keys.h"

#include <algorithm>
#include <vector>

#include "core/codec.h"

namespace settfs {
namespace {

std::string WithIno(KeyTag tag, uint64_t ino) {
  std::string key = TagPrefix(tag);
  PutBigEndian64(&key, ino);
  return key;
}

}  // namespace

KeyTag ClassifyKey(std::string_view key) {
  if (key.empty()) return KeyTag::kUnknown;
  const KeyTag tag = static_cast<KeyTag>(key[0]);
  switch (tag) {
    case KeyTag::kSuperblock:
    case KeyTag::kSequence:
    case KeyTag::kPending:
      return key.size() == 1 ? tag : KeyTag::kUnknown;
    case KeyTag::kInode:
    case KeyTag::kTimes:
    case KeyTag::kOrphan:
      return key.size() == kInoKeySize ? tag : KeyTag::kUnknown;
    case KeyTag::kDirent:
    case KeyTag::kXattr:
      return key.size() > kInoKeySize ? tag : KeyTag::kUnknown;  // A name follows.
    case KeyTag::kBlock:
      return key.size() == kBlockKeySize ? tag : KeyTag::kUnknown;
    default:
      return KeyTag::kUnknown;
  }
}

std::string TagPrefix(KeyTag tag) { return std::string(1, static_cast<char>(tag)); }

std::string InodeKey(uint64_t ino) { return WithIno(KeyTag::kInode, ino); }
std::string TimesKey(uint64_t ino) { return WithIno(KeyTag::kTimes, ino); }
std::string OrphanKey(uint64_t ino) { return WithIno(KeyTag::kOrphan, ino); }
std::string DirentPrefix(uint64_t parent) { return WithIno(KeyTag::kDirent, parent); }
std::string XattrPrefix(uint64_t ino) { return WithIno(KeyTag::kXattr, ino); }
std::string BlockPrefix(uint64_t ino) { return WithIno(KeyTag::kBlock, ino); }

std::string DirentKey(uint64_t parent, std::string_view name) {
  return DirentPrefix(parent).append(name.data(), name.size());
}

std::string XattrKey(uint64_t ino, std::string_view name) {
  return XattrPrefix(ino).append(name.data(), name.size());
}

std::string BlockKey(uint64_t ino, uint64_t index) {
  std::string key = BlockPrefix(ino);
  PutBigEndian64(&key, index);
  return key;
}

Status LoadSuperblock(KvTxn* txn, Superblock* sb) {
  std::string value;
  Status s = txn->Get(kSuperblockKey, &value);
  if (s.IsNotFound()) {
    return Status::InvalidArgument(
        "no superblock: not a settfs filesystem (settfs mkfs makes one)");
  }
  if (!s.ok()) return s;
  if (!DecodeSuperblock(value, sb)) {
    return Status::Corruption("the superblock is damaged or of another format version");
  }
  return Status::OK();
}

Status DeleteInodeRecords(KvTxn* txn, uint64_t ino) {
  std::vector<std::string> keys = {InodeKey(ino), OrphanKey(ino), TimesKey(ino)};
  Status s = txn->Scan(XattrPrefix(ino), "", true, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  });
  for (const std::string& key : keys) {
    if (s.ok()) s = txn->Delete(key);
  }
  return s;
}

size_t BlockDeleteBatch(size_t max_txn_bytes) {
  return std::clamp<size_t>(max_txn_bytes / 2 / (kBlockKeySize + kKeyOverhead), 1, 4096);
}

Status DeleteBlockBatch(KvTxn* txn, uint64_t ino, size_t batch, uint64_t* next, size_t* deleted) {
  std::vector<std::string> keys;
  Status s = txn->Scan(BlockPrefix(ino), BlockKey(ino, *next), /*keys_only=*/true,
                       [&](std::string_view key, std::string_view) {
                         keys.emplace_back(key);
                         return keys.size() < batch;
                       });
  for (const std::string& key : keys) {
    if (s.ok()) s = txn->Delete(key);
  }
  if (!s.ok()) return s;
  *deleted = keys.size();
  if (!keys.empty()) *next = KeyBlockIndex(keys.back()) + 1;
  return s;
}

uint64_t KeyIno(std::string_view key) { return GetBigEndian64(key.substr(1)); }
std::string_view KeyName(std::string_view key) { return key.substr(kInoKeySize); }
uint64_t KeyBlockIndex(std::string_view key) { return GetBigEndian64(key.substr(kInoKeySize)); }

}  // namespace settfs
