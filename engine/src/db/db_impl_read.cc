// DBImpl's read path: point lookups, iterators and snapshots.

#include <ctime>

#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/key_format.h"
#include "iter/merging_iterator.h"
#include "lsm/level_iterator.h"
#include "util/hash.h"

namespace sett {
namespace {

uint64_t NowSeconds() { return static_cast<uint64_t>(std::time(nullptr)); }

// Turns a found entry into Get's result.
Status Found(const ValueStruct& vs, uint64_t found_version, std::string* value, uint64_t* version) {
  if (vs.IsDeletedOrExpired(NowSeconds())) return Status::NotFound("");
  value->assign(vs.value.data(), vs.value.size());
  if (version != nullptr) *version = found_version;
  return Status::OK();
}

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
  SnapshotImpl(std::shared_ptr<SnapshotList> list, uint64_t read_ts)
      : list_(std::move(list)), read_ts_(read_ts), position_(list_->Add(read_ts)) {}
  ~SnapshotImpl() override { list_->Remove(position_); }
  uint64_t read_ts() const override { return read_ts_; }

 private:
  const std::shared_ptr<SnapshotList> list_;
  const uint64_t read_ts_;
  const SnapshotList::Position position_;
};

}  // namespace

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value,
                   uint64_t* version) {
  std::shared_ptr<const View> view = CurrentView();
  if (view == nullptr) return Status::Aborted(dir_ + " is closed");
  if (key.empty()) return Status::InvalidArgument("empty key");
  uint64_t read_ts = options.read_ts != 0 ? options.read_ts : LatestVersion();

  uint64_t found_version;
  ValueStruct vs;
  if (view->mem->Get(key, read_ts, &found_version, &vs)) {
    return Found(vs, found_version, value, version);
  }
  for (const auto& imm : view->imms) {
    if (imm->Get(key, read_ts, &found_version, &vs))
      return Found(vs, found_version, value, version);
  }

  const uint64_t hash = KeyHash(key);
  const std::string target = InternalKey(key, read_ts);
  std::string found_key, found_value;
  auto search = [&](const Table& t, bool* hit) -> Status {
    *hit = false;
    if (!t.MayContain(hash)) return Status::OK();
    bool found;
    Status s = t.Seek(target, options.fill_cache, &found, &found_key, &found_value);
    if (!s.ok() || !found || UserKey(found_key) != key) return s;
    if (!DecodeValueStruct(found_value, &vs)) {
      return Status::Corruption(t.path() + ": malformed value of key '" + std::string(key) + "'");
    }
    found_version = VersionOf(found_key);
    *hit = true;
    return Status::OK();
  };

  const LevelState& levels = *view->levels;
  for (const auto& t : levels.tables(0)) {
    if (key < t->smallest_user_key() || key > t->largest_user_key()) continue;
    bool hit;
    Status s = search(*t, &hit);
    if (!s.ok()) return s;
    if (hit) return Found(vs, found_version, value, version);
  }
  for (int level = 1; level < levels.num_levels(); level++) {
    const Table* t = levels.TableFor(level, key);
    if (t == nullptr) continue;
    bool hit;
    Status s = search(*t, &hit);
    if (!s.ok()) return s;
    if (hit) return Found(vs, found_version, value, version);
  }
  return Status::NotFound("");
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  std::shared_ptr<const View> view = CurrentView();
  uint64_t read_ts = options.read_ts != 0 ? options.read_ts : LatestVersion();
  std::vector<std::unique_ptr<InternalIterator>> children;
  if (view != nullptr) {
    children.push_back(view->mem->NewIterator(options.reverse));
    for (const auto& imm : view->imms) children.push_back(imm->NewIterator(options.reverse));
    const LevelState& levels = *view->levels;
    for (const auto& t : levels.tables(0)) {
      if (MayHoldPrefix(*t, options.prefix)) {
        children.push_back(t->NewIterator(options.reverse, options.fill_cache));
      }
    }
    for (int level = 1; level < levels.num_levels(); level++) {
      TableList tables;
      for (const auto& t : levels.tables(level)) {
        if (MayHoldPrefix(*t, options.prefix)) tables.push_back(t);
      }
      if (!tables.empty()) {
        children.push_back(
            NewLevelIterator(std::move(tables), options.reverse, options.fill_cache));
      }
    }
  }
  return NewDBIterator(NewMergingIterator(std::move(children), options.reverse), view, read_ts,
                       options.prefix, options.reverse, NowSeconds());
}

std::unique_ptr<Snapshot> DBImpl::GetSnapshot() {
  return std::make_unique<SnapshotImpl>(snapshots_, LatestVersion());
}

}  // namespace sett
