#include "core/keys.h"

#include <vector>

namespace settfs {
namespace {

void PutBigEndian(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; i--) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetBigEndian(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string WithIno(char tag, uint64_t ino) {
  std::string key(1, tag);
  PutBigEndian(&key, ino);
  return key;
}

}  // namespace

std::string InodeKey(uint64_t ino) { return WithIno('I', ino); }
std::string TimesKey(uint64_t ino) { return WithIno('T', ino); }
std::string OrphanKey(uint64_t ino) { return WithIno('O', ino); }
std::string DirentPrefix(uint64_t parent) { return WithIno('D', parent); }
std::string XattrPrefix(uint64_t ino) { return WithIno('X', ino); }
std::string BlockPrefix(uint64_t ino) { return WithIno('B', ino); }

std::string DirentKey(uint64_t parent, std::string_view name) {
  return DirentPrefix(parent).append(name.data(), name.size());
}

std::string XattrKey(uint64_t ino, std::string_view name) {
  return XattrPrefix(ino).append(name.data(), name.size());
}

std::string BlockKey(uint64_t ino, uint64_t index) {
  std::string key = BlockPrefix(ino);
  PutBigEndian(&key, index);
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

uint64_t KeyIno(std::string_view key) { return GetBigEndian(key.substr(1)); }
std::string_view KeyName(std::string_view key) { return key.substr(9); }
uint64_t KeyBlockIndex(std::string_view key) { return GetBigEndian(key.substr(9)); }

}  // namespace settfs
