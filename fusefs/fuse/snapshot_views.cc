#include "fuse/snapshot_views.h"

#include <cerrno>

namespace settfs {

SnapshotViews::~SnapshotViews() {
  for (auto& [number, view] : views_) view.fs.reset();  // Before the stores they use.
}

uint64_t SnapshotViews::NumberLocked(const std::string& name) {
  auto it = numbers_.find(name);
  if (it != numbers_.end()) return it->second;
  const uint64_t number = numbers_.size() + 1;
  numbers_[name] = number;
  views_[number].name = name;
  return number;
}

std::vector<std::pair<std::string, uint64_t>> SnapshotViews::List() {
  std::vector<std::string> names = source_.list();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const std::string& name : names) {
    if (numbers_.size() + 1 >= kSnapdirView && numbers_.count(name) == 0) break;  // Full.
    out.emplace_back(name, NumberLocked(name));
  }
  return out;
}

int SnapshotViews::Find(const std::string& name, uint64_t* view) {
  for (const auto& [listed, number] : List()) {
    if (listed == name) {
      *view = number;
      return 0;
    }
  }
  return ENOENT;
}

Filesystem* SnapshotViews::Get(uint64_t number, int* err) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(number);
  if (it == views_.end()) {
    *err = ENOENT;
    return nullptr;
  }
  View& view = it->second;
  if (view.fs != nullptr) return view.fs.get();
  Status s = source_.open(view.name, &view.store);
  std::string error;
  if (s.ok() &&
      Filesystem::Mount(view.store.get(), logger_, &view.fs, &error, /*read_only=*/true) != 0) {
    s = Status::IOError(error);
  }
  if (!s.ok()) {
    logger_->Log(LogLevel::kWarning,
                 "settfs: opening the view of snapshot " + view.name + ": " + s.ToString());
    view.store.reset();
    *err = s.IsNotFound() ? ENOENT : EIO;
    return nullptr;
  }
  return view.fs.get();
}

}  // namespace settfs
