#include "core/summary.h"

#include <sys/stat.h>

#include "core/keys.h"

namespace settfs {

Status Summarize(KvStore* store, FsSummary* summary,
                 const std::function<void(uint64_t)>& progress) {
  *summary = FsSummary();
  std::unique_ptr<KvTxn> txn = store->Begin(false);
  Status s = LoadSuperblock(txn.get(), &summary->sb);
  if (!s.ok()) return s;
  uint64_t seen = 0;
  s = txn->Scan(TagPrefix(KeyTag::kInode), "", false,
                [&](std::string_view key, std::string_view v) {
                  if (++seen % 65536 == 0 && progress) progress(seen);
                  Inode inode;
                  if (ClassifyKey(key) != KeyTag::kInode || !DecodeInode(v, &inode)) {
                    summary->bad_inodes++;
                    return true;
                  }
                  if (inode.is_reg()) {
                    summary->files++;
                    summary->bytes += inode.size;
                    summary->blocks += inode.blocks;
                  } else if (inode.is_dir()) {
                    summary->directories++;
                  } else if (inode.is_symlink()) {
                    summary->symlinks++;
                  } else {
                    summary->special++;
                  }
                  return true;
                });
  if (!s.ok()) return s;
  return txn->Scan(TagPrefix(KeyTag::kOrphan), "", true,
                   [&](std::string_view key, std::string_view) {
                     if (ClassifyKey(key) == KeyTag::kOrphan) summary->orphans++;
                     return true;
                   });
}

}  // namespace settfs
