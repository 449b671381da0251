// DBImpl::Stream: a parallel ordered scan at one read timestamp (db/stream_reader.h).

#include "db/db_impl.h"
#include "db/stream_reader.h"

namespace sett {

Status DBImpl::Stream(const StreamOptions& options, const StreamCallback& callback) {
  uint64_t read_ts;
  SnapshotList::Position position;
  if (options.read_ts != 0) {
    read_ts = options.read_ts;
    position = snapshots_->Add(read_ts);
  } else {
    position = snapshots_->AddLatest(visible_version_, &read_ts);
  }
  std::shared_ptr<const View> view = CurrentView();
  if (view == nullptr) {
    snapshots_->Remove(position);
    return Status::Aborted(dir_ + " is closed");
  }
  // Table boundaries cut the range into pieces that cost about the same to read.
  std::vector<std::string> boundaries;
  for (int level = 0; level < view->levels->num_levels(); level++) {
    for (const auto& t : view->levels->tables(level)) {
      boundaries.emplace_back(t->smallest_user_key());
    }
  }
  ReadOptions ro;
  ro.prefix = options.prefix;
  ro.fill_cache = false;
  Status s = StreamInOrder(
      options, std::move(boundaries), [&] { return NewIteratorAt(ro, read_ts, nullptr, view); },
      callback);
  snapshots_->Remove(position);
  return s;
}

}  // namespace sett
