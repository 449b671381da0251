// DBImpl's read path: point lookups, iterators and snapshots.

#include <ctime>
#include <set>

#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/merge_operator_impl.h"
#include "db/merge_read.h"
#include "db/prefetch_iterator.h"
#include "format/key_format.h"
#include "iter/merging_iterator.h"
#include "lsm/level_iterator.h"
#include "util/hash.h"

namespace sett {
namespace {

// True when some user key of the table could start with prefix.
bool MayHoldPrefix(const Table& t, std::string_view prefix) {
  if (prefix.empty()) return true;
  std::string_view smallest = t.smallest_user_key();
  std::string_view largest = t.largest_user_key();
  if (largest < prefix) return false;
  return smallest.substr(0, prefix.size()) <= prefix;
}

class SnapshotImpl : public Snapshot {
 public:
  SnapshotImpl(std::shared_ptr<SnapshotList> list, const std::atomic<uint64_t>& latest)
      : list_(std::move(list)), position_(list_->AddLatest(latest, &read_ts_)) {}
  ~SnapshotImpl() override { list_->Remove(position_); }
  uint64_t read_ts() const override { return read_ts_; }

 private:
  const std::shared_ptr<SnapshotList> list_;
  uint64_t read_ts_ = 0;
  const SnapshotList::Position position_;
};

}  // namespace

Status DBImpl::FindNewest(const View& view, std::string_view key, uint64_t read_ts,
                          Found* found) const {
  found->found = false;
  // A source whose newest version is not above what was found cannot change the answer.
  auto may_improve = [&](uint64_t source_max_version) {
    return !found->found || source_max_version > found->version;
  };
  auto settled = [&] { return found->found && found->version == read_ts; };

  // The key to seek, built once (and without an allocation, by the thread's own buffer).
  thread_local std::string target;
  target.clear();
  AppendInternalKey(&target, key, read_ts);
  uint64_t version;
  ValueStruct vs;
  uint64_t visited = 0;
  auto search_memtable = [&](const MemTable& mem) {
    if (settled() || !may_improve(mem.max_version())) return;
    visited++;
    if (mem.GetAt(target, &version, &vs) && (!found->found || version > found->version)) {
      found->found = true;
      found->version = version;
      found->vs = vs;
      found->from_table = false;
    }
  };
  search_memtable(*view.mem);
  for (const auto& imm : view.imms) search_memtable(*imm);
  const LevelState& levels = *view.levels;
  if (settled() || !may_improve(levels.max_version())) {
    read_entries_visited_->fetch_add(visited, std::memory_order_relaxed);
    return Status::OK();
  }

  const uint64_t hash = KeyHash(key);
  std::string found_key, scratch;
  auto search_table = [&](const Table& t) -> Status {
    const TableProperties& props = t.properties();
    if (settled() || !may_improve(props.max_version) || props.min_version > read_ts ||
        key < t.smallest_user_key() || key > t.largest_user_key() || !t.MayContain(hash)) {
      return Status::OK();
    }
    bool hit;
    visited++;
    Status s = t.Seek(target, /*fill_cache=*/true, &hit, &found_key, &scratch);
    if (!s.ok() || !hit || UserKey(found_key) != key) return s;
    uint64_t v = VersionOf(found_key);
    if (found->found && v <= found->version) return Status::OK();
    found->storage.swap(scratch);
    found->from_table = true;
    if (!DecodeValueStruct(found->storage, &found->vs)) {
      return Status::Corruption(t.path() + ": malformed value of key '" + std::string(key) + "'");
    }
    found->found = true;
    found->version = v;
    return Status::OK();
  };
  Status s;
  for (const auto& t : levels.tables(0)) {
    if (s.ok()) s = search_table(*t);
  }
  for (int level = 1; level < levels.num_levels() && s.ok(); level++) {
    const Table* t = levels.TableFor(level, key);
    if (t != nullptr) s = search_table(*t);
  }
  read_entries_visited_->fetch_add(visited, std::memory_order_relaxed);
  return s;
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value,
                   uint64_t* version) {
  if (key.empty()) return Status::InvalidArgument("empty key");
  metrics_.gets++;
  // The view comes first, then the read timestamp: a read registered nowhere must find what it
  // reads in its view, and a flush or compaction that dropped a version before the view was
  // taken knew of no reader older than that timestamp. (What commits meanwhile into a memtable
  // the view does not hold is concurrent with the read: missing it is allowed.)
  std::shared_ptr<const View> view = CurrentView();
  if (view == nullptr) return Status::Aborted(dir_ + " is closed");
  uint64_t read_ts = options.read_ts != 0 ? options.read_ts : LatestVersion();
  Found found;
  Status s = FindNewest(*view, key, read_ts, &found);
  if (!s.ok()) return s;
  if (!found.found || found.vs.IsDeletedOrExpired(NowSeconds())) return Status::NotFound("");
  if (found.vs.IsMerge()) {
    s = FoldMerges(*view, IteratorFactory(), key, found.version, value);
  } else {
    s = ResolverFor(*view).Resolve(key, found.version, found.vs, value);
  }
  if (s.ok() && version != nullptr) *version = found.version;
  return s;
}

Status DBImpl::FoldMerges(const View& view, const IteratorFactory& pending, std::string_view key,
                          uint64_t version, std::string* value) const {
  MergeFunction fn;
  if (!merges_.For(key, &fn)) {
    return Status::NotSupported("key '" + std::string(key) +
                                "' holds merge operands, and no merge function is set "
                                "(Options::merge_function)");
  }
  if (pending != nullptr) {
    // A transaction's operand shares its version (the read timestamp) with what it merges
    // onto, and would hide it in a merge of the sources: fold it on top of the committed value.
    std::unique_ptr<InternalIterator> mine = pending(/*reverse=*/false);
    mine->Seek(InternalKey(key, version));
    ValueStruct vs;
    if (mine->Valid() && UserKey(mine->key()) == key && DecodeValueStruct(mine->value(), &vs) &&
        vs.IsMerge()) {
      std::optional<std::string> below;
      Status s = ValueAt(view, key, version, &below);
      if (!s.ok()) return s;
      *value = fn(key, below ? std::optional<std::string_view>(*below) : std::nullopt, vs.value);
      return Status::OK();
    }
  }
  ReadOptions options;
  options.prefix = std::string(key);
  std::unique_ptr<InternalIterator> it =
      MergedSources(&view, IteratorFactory(), options, /*reverse=*/false);
  it->Seek(InternalKey(key, version));
  uint64_t visited = 0;
  Status s = FoldVersions(it.get(), key, fn, NowSeconds(), ResolverFor(view), value, &visited);
  read_entries_visited_->fetch_add(visited, std::memory_order_relaxed);
  return s;
}

Status DBImpl::ValueAt(const View& view, std::string_view key, uint64_t read_ts,
                       std::optional<std::string>* value) const {
  value->reset();
  Found found;
  Status s = FindNewest(view, key, read_ts, &found);
  if (!s.ok() || !found.found || found.vs.IsDeletedOrExpired(NowSeconds())) return s;
  std::string v;
  s = found.vs.IsMerge() ? FoldMerges(view, IteratorFactory(), key, found.version, &v)
                         : ResolverFor(view).Resolve(key, found.version, found.vs, &v);
  if (s.ok()) *value = std::move(v);
  return s;
}

ThreadPool* DBImpl::PrefetchPool() {
  if (options_.num_prefetch_workers <= 0) return nullptr;
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (prefetch_pool_ == nullptr) {
    prefetch_pool_ = std::make_unique<ThreadPool>(options_.num_prefetch_workers);
  }
  return prefetch_pool_.get();
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  // View first, then the timestamp, as for Get.
  std::shared_ptr<const View> view = CurrentView();
  uint64_t read_ts = options.read_ts != 0 ? options.read_ts : LatestVersion();
  return NewIteratorAt(options, read_ts, IteratorFactory(), std::move(view));
}

std::unique_ptr<InternalIterator> DBImpl::MergedSources(const View* view,
                                                        const IteratorFactory& pending,
                                                        const ReadOptions& options, bool reverse) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  if (pending != nullptr) children.push_back(pending(reverse));  // Newest of all.
  if (view != nullptr) {
    children.push_back(view->mem->NewIterator(reverse));
    for (const auto& imm : view->imms) children.push_back(imm->NewIterator(reverse));
    const LevelState& levels = *view->levels;
    for (const auto& t : levels.tables(0)) {
      if (MayHoldPrefix(*t, options.prefix)) {
        children.push_back(t->NewIterator(reverse, options.fill_cache));
      }
    }
    for (int level = 1; level < levels.num_levels(); level++) {
      TableList tables;
      for (const auto& t : levels.tables(level)) {
        if (MayHoldPrefix(*t, options.prefix)) tables.push_back(t);
      }
      if (!tables.empty()) {
        children.push_back(NewLevelIterator(std::move(tables), reverse, options.fill_cache));
      }
    }
  }
  return NewMergingIterator(std::move(children), reverse);
}

std::unique_ptr<Iterator> DBImpl::NewIteratorAt(const ReadOptions& options, uint64_t read_ts,
                                                IteratorFactory pending,
                                                std::shared_ptr<const View> view) {
  metrics_.iterators++;
  if (view == nullptr) view = CurrentView();
  std::shared_ptr<const VlogSet> vlogs =
      view != nullptr ? view->vlogs : std::make_shared<VlogSet>();
  bool prefetch = options.prefetch_values && !options.key_only;
  DBIterOptions iter_options;
  iter_options.read_ts = read_ts;
  iter_options.prefix = options.prefix;
  iter_options.reverse = options.reverse;
  iter_options.key_only = options.key_only || prefetch;
  iter_options.all_versions = options.all_versions;
  if (options.all_versions) iter_options.readers = LiveReaders();
  iter_options.versions_to_keep = options_.num_versions_to_keep;
  iter_options.now = NowSeconds();
  iter_options.visited_counter = read_entries_visited_;
  iter_options.fold_merges = [this, view, pending](std::string_view key, uint64_t version,
                                                   std::string* value) {
    return FoldMerges(*view, pending, key, version, value);
  };
  if (options.reverse) {
    iter_options.new_forward_probe = [view, pending, options] {
      return MergedSources(view.get(), pending, options, /*reverse=*/false);
    };
  }
  auto iter = std::make_unique<DBIter>(MergedSources(view.get(), pending, options, options.reverse),
                                       view, ValueResolver(std::move(vlogs), vlog_.get()),
                                       std::move(iter_options));
  if (!prefetch) return iter;
  return NewPrefetchIterator(std::move(iter), PrefetchPool(), options.prefetch_size);
}

std::unique_ptr<Snapshot> DBImpl::GetSnapshot() {
  return std::make_unique<SnapshotImpl>(snapshots_, visible_version_);
}

Status DBImpl::CreateSnapshot(std::string_view name, SnapshotInfo* info, std::string_view id) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  SnapshotInfo made;
  Status s = named_snapshots_->Create(
      name, id, visible_version_, NowSeconds(), [this] { return Sync(); }, &made);
  if (s.ok() && info != nullptr) *info = made;
  if (s.ok()) {
    logger_->Log(LogLevel::kInfo, "snapshot \"" + made.name + "\" created at version " +
                                      std::to_string(made.read_ts));
  }
  return s;
}

Status DBImpl::DeleteSnapshot(std::string_view name) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  Status s = named_snapshots_->Delete(name);
  if (s.ok()) logger_->Log(LogLevel::kInfo, "snapshot \"" + std::string(name) + "\" deleted");
  return s;
}

std::vector<SnapshotInfo> DBImpl::ListSnapshots() { return named_snapshots_->List(); }

Status DBImpl::FindSnapshot(std::string_view name, SnapshotInfo* info) {
  return named_snapshots_->Find(name, info);
}

std::unique_ptr<Txn> DBImpl::NewTransactionAtSnapshot(std::string_view name) {
  uint64_t read_ts = 0;
  SnapshotList::Position position;
  Status s = named_snapshots_->AddReader(name, &read_ts, &position);
  if (!s.ok()) return std::make_unique<TxnImpl>(this, s);
  return std::make_unique<TxnImpl>(this, snapshots_, position, read_ts, /*update=*/false);
}

std::vector<std::string> DBImpl::KeySplits(std::string_view prefix) {
  std::shared_ptr<const View> view = CurrentView();
  std::set<std::string> splits;
  for (int level = 0; level < view->levels->num_levels(); level++) {
    for (const auto& table : view->levels->tables(level)) {
      std::string_view smallest = table->smallest_user_key();
      if (smallest.substr(0, prefix.size()) == prefix) splits.emplace(smallest);
    }
  }
  return std::vector<std::string>(splits.begin(), splits.end());
}

Status DBImpl::EstimateSize(std::string_view prefix, uint64_t* bytes) {
  ReadOptions options;
  options.prefix = std::string(prefix);
  options.key_only = true;
  std::unique_ptr<Iterator> it = NewIterator(options);
  uint64_t total = 0;
  for (it->Rewind(); it->Valid(); it->Next()) total += it->key().size() + it->value_size();
  *bytes = total;
  return it->status();
}

Status DBImpl::BanNamespace(uint64_t ns) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  return bans_->Ban(ns);
}

std::vector<uint64_t> DBImpl::BannedNamespaces() { return bans_->List(); }

Status DBImpl::GetMergeOperator(std::string_view key, MergeFunction fn,
                                std::chrono::milliseconds interval,
                                std::unique_ptr<MergeOperator>* op) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  if (key.empty()) return Status::InvalidArgument("empty key");
  Status s = merges_.Hold(key, std::move(fn));
  if (!s.ok()) return s;
  *op = std::make_unique<MergeOperatorImpl>(this, &merges_, std::string(key), interval);
  return Status::OK();
}

}  // namespace sett
