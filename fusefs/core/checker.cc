// The check reads the store in one snapshot into a picture (Scan), judges it (Judge), and with
// repair applies the fixes it found, each in its own transaction, then looks again: fixing
// the structure (names, lost+found) can change counts, which the next round sets right.

#include "core/checker.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/keys.h"
#include "core/records.h"

namespace settfs {
namespace {

constexpr int kMaxRounds = 4;
constexpr char kLostFound[] = "lost+found";

struct InodeFacts {
  Inode inode;
  bool decoded = false;
  bool orphan_mark = false;
  uint64_t names = 0;       // Entries that name it.
  uint64_t subdirs = 0;     // Directories: entries in it that name directories.
  uint64_t blocks = 0;      // B keys found.
  uint64_t last_block = 0;  // The highest block index found (when blocks > 0).
  uint64_t tail_bytes = 0;  // Files: the stored length of the block the size ends in.
  uint64_t named_from = 0;  // The directory of the first entry that names it...
  std::string named_key;    // ...and that entry's key.
};

struct EntryFacts {
  uint64_t parent;
  std::string name;
  Dirent dirent;
};

// Everything one snapshot says.
struct Picture {
  Superblock sb;
  std::map<uint64_t, InodeFacts> inodes;  // By ino; only inodes with an I key.
  std::vector<EntryFacts> entries;        // Decoded entries, in key order.
  std::vector<std::string> bad_entries;   // Keys of entries that do not decode.
  std::map<uint64_t, InodeFacts> stray;   // Facts about inos with no I key (blocks etc.).
  std::vector<std::string> stray_keys;    // T, X, B and O keys of missing inodes.
  std::vector<std::string> unknown_keys;
  bool pending = false;  // A bulk change (rollback, receive) was cut short.
};

// One fix: a description of the problem and the transaction body that fixes it.
struct Fix {
  std::string problem;
  std::function<Status(KvStore*, KvTxn*)> apply;  // Empty: report only.
};

std::string Ino(uint64_t ino) { return "inode " + std::to_string(ino); }

std::string Printable(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// What the pass over every key finds beside inodes and entries.
struct KeyCensus {
  std::map<uint64_t, InodeFacts> blocks;  // Only blocks and last_block are set.
  std::set<uint64_t> orphans;
  std::vector<std::string> owned;  // T and X keys: their owner must exist.
};

// Keys only, once over everything: what exists, and the blocks of each file.
Status CountKeys(KvTxn* txn, const CheckOptions& options, Picture* p, KeyCensus* census,
                 CheckReport* report) {
  return txn->Scan("", "", /*keys_only=*/true, [&](std::string_view key, std::string_view) {
    if (++report->keys % 65536 == 0 && options.progress) options.progress(report->keys);
    switch (ClassifyKey(key)) {
      case KeyTag::kBlock: {
        InodeFacts& f = census->blocks[KeyIno(key)];
        f.blocks++;
        f.last_block = KeyBlockIndex(key);  // Ascending within an inode.
        break;
      }
      case KeyTag::kOrphan:
        census->orphans.insert(KeyIno(key));
        break;
      case KeyTag::kTimes:
      case KeyTag::kXattr:
        census->owned.emplace_back(key);
        break;
      case KeyTag::kUnknown:
        p->unknown_keys.emplace_back(key);
        break;
      case KeyTag::kPending:
        p->pending = true;
        break;
      default:  // Read with their values by ReadInodesAndEntries.
        break;
    }
    return true;
  });
}

Status ReadInodesAndEntries(KvTxn* txn, Picture* p) {
  Status s = txn->Scan(TagPrefix(KeyTag::kInode), "", false,
                       [&](std::string_view key, std::string_view v) {
                         if (ClassifyKey(key) != KeyTag::kInode) return true;
                         InodeFacts& f = p->inodes[KeyIno(key)];
                         f.decoded = DecodeInode(v, &f.inode);
                         f.inode.ino = KeyIno(key);
                         return true;
                       });
  if (!s.ok()) return s;
  return txn->Scan(TagPrefix(KeyTag::kDirent), "", false,
                   [&](std::string_view key, std::string_view v) {
                     if (ClassifyKey(key) != KeyTag::kDirent) return true;
                     Dirent d;
                     if (!DecodeDirent(v, &d)) {
                       p->bad_entries.emplace_back(key);
                     } else {
                       p->entries.push_back(EntryFacts{KeyIno(key), std::string(KeyName(key)), d});
                     }
                     return true;
                   });
}

// Gives each inode what the census found of it; what belongs to no inode is stray.
Status AttachToInodes(KvTxn* txn, const KeyCensus& census, Picture* p) {
  for (const auto& [ino, f] : census.blocks) {
    auto it = p->inodes.find(ino);
    if (it == p->inodes.end()) {
      p->stray[ino].blocks = f.blocks;
      continue;
    }
    it->second.blocks = f.blocks;
    it->second.last_block = f.last_block;
  }
  // The block a file's size ends in must hold nothing past the size.
  const uint64_t bs = p->sb.block_size;
  std::string value;
  for (auto& [ino, f] : p->inodes) {
    if (!f.inode.is_reg() || f.blocks == 0 || f.inode.size % bs == 0) continue;
    if (f.last_block != f.inode.size / bs) continue;
    Status s = txn->Get(BlockKey(ino, f.last_block), &value);
    if (!s.ok()) return s;
    f.tail_bytes = value.size();
  }
  for (uint64_t ino : census.orphans) {
    auto it = p->inodes.find(ino);
    if (it != p->inodes.end()) {
      it->second.orphan_mark = true;
    } else {
      p->stray_keys.push_back(OrphanKey(ino));
    }
  }
  for (const std::string& key : census.owned) {
    auto it = p->inodes.find(KeyIno(key));
    bool ok =
        it != p->inodes.end() && (ClassifyKey(key) != KeyTag::kTimes || it->second.inode.is_dir());
    if (!ok) p->stray_keys.push_back(key);
  }
  return Status::OK();
}

// Counts each inode's names and each directory's subdirectories.
void CountNames(Picture* p) {
  for (const EntryFacts& e : p->entries) {
    auto child = p->inodes.find(e.dirent.ino);
    auto parent = p->inodes.find(e.parent);
    if (child == p->inodes.end() || parent == p->inodes.end() || !parent->second.inode.is_dir()) {
      continue;
    }
    if (child->second.names++ == 0) {
      child->second.named_from = e.parent;
      child->second.named_key = DirentKey(e.parent, e.name);
    }
    if (child->second.inode.is_dir()) parent->second.subdirs++;
  }
}

Status ScanAll(KvTxn* txn, const CheckOptions& options, Picture* p, CheckReport* report) {
  Status s = LoadSuperblock(txn, &p->sb);
  KeyCensus census;
  if (s.ok()) s = CountKeys(txn, options, p, &census, report);
  if (s.ok()) s = ReadInodesAndEntries(txn, p);
  if (s.ok()) s = AttachToInodes(txn, census, p);
  if (!s.ok()) return s;
  CountNames(p);
  report->inodes = p->inodes.size();
  report->entries = p->entries.size();
  report->orphans = census.orphans.size();
  for (const auto& [ino, f] : p->inodes) {
    if (f.inode.is_dir()) report->directories++;
    report->blocks += f.blocks;
  }
  return Status::OK();
}

// Transaction bodies used by the fixes.
Status DeleteKey(KvTxn* txn, const std::string& key) { return txn->Delete(key); }

Status UpdateInode(KvTxn* txn, uint64_t ino, const std::function<void(Inode*)>& change) {
  std::string value;
  Status s = txn->Get(InodeKey(ino), &value);
  if (!s.ok()) return s;
  Inode inode;
  if (!DecodeInode(value, &inode)) return Status::Corruption(Ino(ino) + " does not decode");
  inode.ino = ino;
  change(&inode);
  return txn->Set(InodeKey(ino), EncodeInode(inode));
}

// The /lost+found directory, made if missing; its ino in *dir.
Status LostAndFound(KvStore* store, KvTxn* txn, uint64_t* dir) {
  std::string value;
  Status s = txn->Get(DirentKey(kRootIno, kLostFound), &value);
  Dirent d;
  if (s.ok() && DecodeDirent(value, &d) && d.type == DT_DIR) {
    *dir = d.ino;
    return Status::OK();
  }
  if (s.ok()) return Status::InvalidArgument("/lost+found exists and is not a directory");
  if (!s.IsNotFound()) return s;
  uint64_t ino = 0;
  while (ino <= kRootIno) {
    s = store->NextId(&ino);
    if (!s.ok()) return s;
  }
  Inode lf = NewDirectory(ino, kRootIno, 0700, 0, 0, Now());
  s = txn->Set(InodeKey(ino), EncodeInode(lf));
  if (s.ok()) s = txn->Set(TimesKey(ino), EncodeDirTimes(DirTimes{lf.mtime, lf.mtime}));
  if (s.ok()) s = txn->Set(DirentKey(kRootIno, kLostFound), EncodeDirent(Dirent{ino, DT_DIR}));
  if (s.ok()) s = UpdateInode(txn, kRootIno, [](Inode* root) { root->nlink++; });
  *dir = ino;
  return s;
}

// Links ino into /lost+found as "#ino" (the counts are set right in the next round), instead
// of old_name (a directory cut off in a cycle of names).
Status Rescue(KvStore* store, KvTxn* txn, const Inode& inode, const std::string& old_name) {
  uint64_t dir = 0;
  Status s = LostAndFound(store, txn, &dir);
  if (s.ok() && !old_name.empty()) s = txn->Delete(old_name);
  if (!s.ok()) return s;
  s = txn->Set(DirentKey(dir, "#" + std::to_string(inode.ino)),
               EncodeDirent(Dirent{inode.ino, DirentType(inode.mode)}));
  if (s.ok()) s = txn->Delete(OrphanKey(inode.ino));
  return s;
}

// Deletes the blocks of ino from index `first` on, in as many transactions as it takes.
Status DeleteBlocksFrom(KvStore* store, uint64_t ino, uint64_t first) {
  const size_t batch = BlockDeleteBatch(store->MaxTxnBytes());
  while (true) {
    std::unique_ptr<KvTxn> txn = store->Begin(true);
    size_t deleted = 0;
    Status s = DeleteBlockBatch(txn.get(), ino, batch, &first, &deleted);
    if (s.ok()) s = txn->Commit(false);
    if (!s.ok() || deleted < batch) return s;
  }
}

// The directories reachable from the root through entries.
std::unordered_set<uint64_t> Reachable(const Picture& p) {
  std::unordered_map<uint64_t, std::vector<uint64_t>> children;
  for (const EntryFacts& e : p.entries) children[e.parent].push_back(e.dirent.ino);
  std::unordered_set<uint64_t> seen = {kRootIno};
  std::deque<uint64_t> queue = {kRootIno};
  while (!queue.empty()) {
    uint64_t dir = queue.front();
    queue.pop_front();
    auto parent = p.inodes.find(dir);
    if (parent == p.inodes.end() || !parent->second.inode.is_dir()) continue;
    for (uint64_t child : children[dir]) {
      if (seen.insert(child).second) queue.push_back(child);
    }
  }
  return seen;
}

void JudgeEntries(const Picture& p, std::vector<Fix>* fixes) {
  for (const std::string& key : p.bad_entries) {
    fixes->push_back({"entry " + Printable(key) + " does not decode",
                      [key](KvStore*, KvTxn* t) { return DeleteKey(t, key); }});
  }
  std::set<uint64_t> dirs_named;
  for (const EntryFacts& e : p.entries) {
    std::string key = DirentKey(e.parent, e.name);
    std::string where =
        "entry '" + Printable(e.name) + "' in directory " + std::to_string(e.parent);
    auto parent = p.inodes.find(e.parent);
    auto child = p.inodes.find(e.dirent.ino);
    auto drop = [key](KvStore*, KvTxn* t) { return DeleteKey(t, key); };
    if (parent == p.inodes.end() || !parent->second.inode.is_dir()) {
      if (parent != p.inodes.end() && !parent->second.decoded) continue;  // Unknown parent.
      fixes->push_back({where + ": the directory does not exist", drop});
    } else if (child == p.inodes.end()) {
      fixes->push_back({where + " names missing " + Ino(e.dirent.ino), drop});
    } else if (!child->second.decoded) {
      continue;
    } else if (child->second.inode.is_dir() && !dirs_named.insert(e.dirent.ino).second) {
      fixes->push_back(
          {where + ": a second name for directory " + std::to_string(e.dirent.ino), drop});
    } else if (e.dirent.type != DirentType(child->second.inode.mode)) {
      Dirent right{e.dirent.ino, DirentType(child->second.inode.mode)};
      fixes->push_back(
          {where + ": the entry's file type differs from the inode's",
           [key, right](KvStore*, KvTxn* t) { return t->Set(key, EncodeDirent(right)); }});
    }
  }
}

bool IsOrphan(const InodeFacts& f) { return f.orphan_mark && f.names == 0; }

// What to link into lost+found to bring back everything unreachable: inodes nobody names, and
// from each cycle of directories naming each other, the one with the lowest number. The rest
// comes back with them.
std::set<uint64_t> UnreachableTops(const Picture& p,
                                   const std::unordered_set<uint64_t>& reachable) {
  std::set<uint64_t> tops;
  std::unordered_set<uint64_t> resolved;
  for (const auto& [ino, f] : p.inodes) {
    if (!f.decoded || reachable.count(ino) || IsOrphan(f)) continue;
    if (f.names == 0) {
      tops.insert(ino);
    } else if (f.inode.is_dir() && !resolved.count(ino)) {
      // Walk up the names: either to a directory nobody names (a top already), or round a cycle.
      std::vector<uint64_t> path;
      uint64_t cur = ino;
      while (!resolved.count(cur)) {
        resolved.insert(cur);
        path.push_back(cur);
        const InodeFacts& facts = p.inodes.at(cur);
        if (facts.names == 0) break;
        cur = facts.named_from;
      }
      auto cycle = std::find(path.begin(), path.end(), cur);
      if (cycle != path.end()) tops.insert(*std::min_element(cycle, path.end()));
    }
  }
  return tops;
}

// A file's data against its inode: blocks past the size, bytes past it, the block count.
void JudgeData(uint64_t ino, const InodeFacts& f, uint64_t bs, std::vector<Fix>* fixes) {
  const Inode& inode = f.inode;
  if (f.blocks > 0 && !inode.is_reg()) {
    fixes->push_back({Ino(ino) + " is not a regular file but has data blocks",
                      [ino](KvStore* store, KvTxn*) { return DeleteBlocksFrom(store, ino, 0); }});
    return;
  }
  uint64_t keep = (inode.size + bs - 1) / bs;
  if (f.blocks > 0 && f.last_block >= keep) {
    fixes->push_back(
        {Ino(ino) + ": data blocks beyond its size of " + std::to_string(inode.size),
         [ino, keep](KvStore* store, KvTxn*) { return DeleteBlocksFrom(store, ino, keep); }});
  } else if (f.tail_bytes > inode.size % bs) {
    uint64_t index = inode.size / bs;
    size_t keep_bytes = inode.size % bs;
    fixes->push_back({Ino(ino) + ": data past its size of " + std::to_string(inode.size) +
                          " in block " + std::to_string(index),
                      [ino, index, keep_bytes](KvStore*, KvTxn* t) {
                        std::string block;
                        Status s = t->Get(BlockKey(ino, index), &block);
                        if (!s.ok()) return s;
                        block.resize(std::min(block.size(), keep_bytes));
                        return t->Set(BlockKey(ino, index), block);
                      }});
  } else if (inode.blocks != f.blocks) {
    uint64_t found = f.blocks;
    fixes->push_back({Ino(ino) + ": block count " + std::to_string(inode.blocks) + ", " +
                          std::to_string(found) + " stored",
                      [ino, found](KvStore*, KvTxn* t) {
                        return UpdateInode(t, ino, [found](Inode* i) { i->blocks = found; });
                      }});
  }
}

void JudgeInodes(const Picture& p, std::vector<Fix>* fixes) {
  const uint64_t bs = p.sb.block_size;
  auto root = p.inodes.find(kRootIno);
  if (root == p.inodes.end() || (root->second.decoded && !root->second.inode.is_dir())) {
    fixes->push_back({"the root directory is missing", [](KvStore*, KvTxn* t) {
                        Inode root = NewDirectory(kRootIno, kRootIno, 0755, 0, 0, Now());
                        return t->Set(InodeKey(kRootIno), EncodeInode(root));
                      }});
  }
  std::unordered_set<uint64_t> reachable = Reachable(p);
  std::set<uint64_t> tops = UnreachableTops(p, reachable);
  for (const auto& entry : p.inodes) {
    const uint64_t ino = entry.first;  // a plain variable: lambdas below capture it
    const auto& f = entry.second;
    const Inode& inode = f.inode;
    if (!f.decoded) {
      fixes->push_back({Ino(ino) + " does not decode (left as it is)", nullptr});
      continue;
    }
    if (IsOrphan(f)) continue;  // Reclaimed by repair or the next mount.
    const bool named = reachable.count(ino) > 0;
    if (tops.count(ino)) {
      std::string old_name = f.names > 0 ? f.named_key : "";
      fixes->push_back({Ino(ino) + " is in no directory reachable from the root",
                        [inode, old_name](KvStore* store, KvTxn* t) {
                          return Rescue(store, t, inode, old_name);
                        }});
      continue;
    }
    if (f.orphan_mark && f.names > 0) {
      fixes->push_back({Ino(ino) + " is marked unlinked but has names",
                        [ino](KvStore*, KvTxn* t) { return t->Delete(OrphanKey(ino)); }});
    }
    uint64_t links = inode.is_dir() ? 2 + f.subdirs : f.names;
    if (named && inode.nlink != links) {
      fixes->push_back({Ino(ino) + ": link count " + std::to_string(inode.nlink) + ", should be " +
                            std::to_string(links),
                        [ino, links](KvStore*, KvTxn* t) {
                          return UpdateInode(t, ino, [links](Inode* i) {
                            i->nlink = static_cast<uint32_t>(links);
                          });
                        }});
    }
    if (inode.is_dir() && named && ino != kRootIno && inode.parent != f.named_from) {
      uint64_t parent = f.named_from;
      fixes->push_back({Ino(ino) + ": records directory " + std::to_string(inode.parent) +
                            " as its parent, but lives in " + std::to_string(parent),
                        [ino, parent](KvStore*, KvTxn* t) {
                          return UpdateInode(t, ino, [parent](Inode* i) { i->parent = parent; });
                        }});
    }
    JudgeData(ino, f, bs, fixes);
  }
}

void JudgeStrays(const Picture& p, std::vector<Fix>* fixes) {
  for (const auto& [ino, f] : p.stray) {
    fixes->push_back(
        {std::to_string(f.blocks) + " data blocks of missing " + Ino(ino),
         [ino = ino](KvStore* store, KvTxn*) { return DeleteBlocksFrom(store, ino, 0); }});
  }
  for (const std::string& key : p.stray_keys) {
    fixes->push_back({"key " + Printable(key) + " belongs to a missing inode or non-directory",
                      [key](KvStore*, KvTxn* t) { return DeleteKey(t, key); }});
  }
  if (p.pending) {
    // Only the command that was cut short knows where it was going: run it again.
    fixes->push_back(
        Fix{"an interrupted settfs rollback or receive left the tree half changed: "
            "run the same command again",
            nullptr});
  }
  for (const std::string& key : p.unknown_keys) {
    fixes->push_back(
        {"key " + Printable(key) + " is not one settfs writes (left as it is)", nullptr});
  }
}

std::vector<Fix> Judge(const Picture& p) {
  std::vector<Fix> fixes;
  JudgeEntries(p, &fixes);
  JudgeInodes(p, &fixes);
  JudgeStrays(p, &fixes);
  return fixes;
}

// Reclaims orphans (unlinked inodes no one names) as a mount would.
Status ReclaimOrphans(KvStore* store, const Picture& p, uint64_t* reclaimed) {
  for (const auto& [ino, f] : p.inodes) {
    if (!f.orphan_mark || f.names > 0) continue;
    Status s = DeleteBlocksFrom(store, ino, 0);
    if (!s.ok()) return s;
    std::unique_ptr<KvTxn> txn = store->Begin(true);
    s = DeleteInodeRecords(txn.get(), ino);
    if (s.ok()) s = txn->Commit(false);
    if (!s.ok()) return s;
    (*reclaimed)++;
  }
  return Status::OK();
}

}  // namespace

Status Check(KvStore* store, const CheckOptions& options, CheckReport* report) {
  *report = CheckReport();
  for (int round = 0; round < kMaxRounds; round++) {
    Picture picture;
    CheckReport seen;
    std::unique_ptr<KvTxn> snapshot = store->Begin(false);
    Status s = ScanAll(snapshot.get(), options, &picture, &seen);
    snapshot.reset();
    if (!s.ok()) return s;
    std::vector<Fix> fixes = Judge(picture);
    if (round == 0) {
      *report = seen;
      for (const Fix& fix : fixes) report->problems.push_back(fix.problem);
    }
    report->remaining.clear();
    bool fixable = false;
    for (const Fix& fix : fixes) {
      if (!options.repair || !fix.apply || round == kMaxRounds - 1) {
        report->remaining.push_back(fix.problem);
      } else {
        fixable = true;
      }
    }
    if (!options.repair) return Status::OK();
    if (round == 0) {
      s = ReclaimOrphans(store, picture, &report->orphans_reclaimed);
      if (!s.ok()) return s;
    }
    if (!fixable || round == kMaxRounds - 1) break;  // The last round only looks.
    for (const Fix& fix : fixes) {
      if (!fix.apply) continue;
      std::unique_ptr<KvTxn> txn = store->Begin(true);
      s = fix.apply(store, txn.get());
      if (s.ok()) s = txn->Commit(false);
      if (!s.ok()) return Status::IOError("repairing (" + fix.problem + "): " + s.ToString());
      report->repaired++;
    }
  }
  return options.repair ? store->Sync() : Status::OK();
}

}  // namespace settfs
