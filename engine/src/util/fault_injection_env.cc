#include "util/fault_injection_env.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sett {
namespace {

const char* OpName(FaultInjectionEnv::Op op) {
  switch (op) {
    case FaultInjectionEnv::kRead:
      return "read";
    case FaultInjectionEnv::kWrite:
      return "write";
    case FaultInjectionEnv::kSync:
      return "fsync";
    case FaultInjectionEnv::kOpen:
      return "open";
    case FaultInjectionEnv::kRename:
      return "rename";
    case FaultInjectionEnv::kRemove:
      return "remove";
    default:
      return "operation";
  }
}

std::string Trimmed(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : Trimmed(path.substr(0, slash));
}

Status PowerLost(const char* what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": power lost (injected)", EIO);
}

class FaultRandomAccessFile : public RandomAccessFile {
 public:
  FaultRandomAccessFile(std::unique_ptr<RandomAccessFile> base, FaultInjectionEnv* env)
      : base_(std::move(base)), env_(env) {}
  Status Read(uint64_t offset, size_t n, char* scratch, std::string_view* result) const override {
    Status s = env_->MaybeFail(FaultInjectionEnv::kRead, path());
    if (!s.ok()) return s;
    return base_->Read(offset, n, scratch, result);
  }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<RandomAccessFile> base_;
  FaultInjectionEnv* env_;
};

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(std::unique_ptr<WritableFile> base, FaultInjectionEnv* env,
                    std::shared_ptr<FaultInjectionEnv::FileState> state)
      : base_(std::move(base)), env_(env), state_(std::move(state)) {}

  Status Append(std::string_view data) override {
    if (env_->power_lost()) return PowerLost("write", path());
    Status s = env_->MaybeFail(FaultInjectionEnv::kWrite, path());
    if (!s.ok()) return s;
    int error;
    if (env_->TakeTornWrite(path(), &error)) {
      size_t prefix = data.size() / 2;
      s = base_->Append(data.substr(0, prefix));
      if (s.ok()) s = base_->Flush();
      if (!s.ok()) return s;
      return Status::IOError("write " + path() + ": torn after " + std::to_string(prefix) + " of " +
                                 std::to_string(data.size()) + " bytes (injected " +
                                 std::strerror(error) + ")",
                             error);
    }
    return base_->Append(data);
  }
  Status Flush() override {
    if (env_->power_lost()) return PowerLost("write", path());
    Status s = env_->MaybeFail(FaultInjectionEnv::kWrite, path());
    return s.ok() ? base_->Flush() : s;
  }
  Status Sync() override {
    if (env_->power_lost()) return PowerLost("fsync", path());
    Status s = env_->MaybeFail(FaultInjectionEnv::kSync, path());
    if (s.ok()) s = base_->Sync();
    if (s.ok()) env_->RecordSync(state_.get(), base_->Size());
    return s;
  }
  // Always closes the descriptor; bytes it flushes after a power loss are cut off again by
  // DropUnsyncedData.
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<WritableFile> base_;
  FaultInjectionEnv* env_;
  std::shared_ptr<FaultInjectionEnv::FileState> state_;
};

}  // namespace

FaultInjectionEnv::FaultInjectionEnv(Env* target) : EnvWrapper(target) {}

FaultInjectionEnv::DirChange FaultInjectionEnv::MakeChange(DirChange::Kind kind,
                                                           const std::string& path,
                                                           const std::string& to) {
  DirChange change;
  change.kind = kind;
  change.dir = DirOf(to.empty() ? path : to);
  change.path = path;
  change.to = to;
  return change;
}

void FaultInjectionEnv::FailOps(unsigned ops, int error, const std::string& path_part,
                                uint64_t skip, uint64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(Rule{ops, error, path_part, skip, count});
  any_rule_ = true;
}

void FaultInjectionEnv::FailRandomly(unsigned ops, int error, double probability, uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  random_ops_ = ops;
  random_error_ = error;
  random_probability_ = probability;
  rng_.seed(seed);
  any_rule_ = true;
}

void FaultInjectionEnv::TearNextWrite(const std::string& path_part, int error) {
  std::lock_guard<std::mutex> lock(mu_);
  torn_path_part_ = path_part;
  torn_error_ = error;
  torn_armed_ = true;
  any_rule_ = true;
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  random_ops_ = 0;
  torn_armed_ = false;
  any_rule_ = false;
}

Status FaultInjectionEnv::MaybeFail(Op op, const std::string& path) {
  if (!any_rule_.load(std::memory_order_relaxed)) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  int error = 0;
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if ((it->ops & op) == 0 || path.find(it->path_part) == std::string::npos) continue;
    if (it->skip > 0) {
      it->skip--;
      continue;
    }
    error = it->error;
    if (it->count > 0 && --it->count == 0) rules_.erase(it);
    break;
  }
  if (error == 0 && (random_ops_ & op) != 0 &&
      std::uniform_real_distribution<double>(0, 1)(rng_) < random_probability_) {
    error = random_error_;
  }
  if (error == 0) return Status::OK();
  injected_++;
  return Status::IOError(
      std::string(OpName(op)) + " " + path + ": " + std::strerror(error) + " (injected)", error);
}

bool FaultInjectionEnv::TakeTornWrite(const std::string& path, int* error) {
  if (!any_rule_.load(std::memory_order_relaxed)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (!torn_armed_ || path.find(torn_path_part_) == std::string::npos) return false;
  torn_armed_ = false;
  *error = torn_error_;
  injected_++;
  return true;
}

void FaultInjectionEnv::RecordSync(FileState* state, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  state->synced_size = std::max(state->synced_size, size);
  file_syncs_++;
}

void FaultInjectionEnv::LosePower() { power_lost_ = true; }

std::shared_ptr<FaultInjectionEnv::FileState> FaultInjectionEnv::TrackLocked(
    const std::string& path, uint64_t synced_size) {
  auto& state = files_[path];
  if (!state) state = std::make_shared<FileState>(FileState{path, synced_size});
  return state;
}

bool FaultInjectionEnv::ReadDurableLocked(const std::string& path, std::string* contents) {
  uint64_t size;
  if (!target()->GetFileSize(path, &size).ok()) return false;
  auto tracked = files_.find(path);
  if (tracked != files_.end()) size = std::min(size, tracked->second->synced_size);
  std::unique_ptr<RandomAccessFile> file;
  if (!target()->NewRandomAccessFile(path, &file).ok()) return false;
  contents->resize(size);
  std::string_view got;
  if (!file->Read(0, size, contents->data(), &got).ok()) return false;
  contents->assign(got.data(), got.size());
  return true;
}

Status FaultInjectionEnv::WriteWhole(const std::string& path, const std::string& contents) {
  std::unique_ptr<WritableFile> file;
  Status s = target()->NewWritableFile(path, &file);
  if (s.ok()) s = file->Append(contents);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  return s;
}

Status FaultInjectionEnv::NewRandomAccessFile(const std::string& path,
                                              std::unique_ptr<RandomAccessFile>* result) {
  Status s = MaybeFail(kOpen, path);
  if (s.ok()) s = target()->NewRandomAccessFile(path, result);
  if (s.ok()) *result = std::make_unique<FaultRandomAccessFile>(std::move(*result), this);
  return s;
}

Status FaultInjectionEnv::NewWritableFile(const std::string& path,
                                          std::unique_ptr<WritableFile>* result) {
  if (power_lost()) return PowerLost("create", path);
  Status s = MaybeFail(kOpen, path);
  if (!s.ok()) return s;
  bool existed = target()->FileExists(path);
  s = target()->NewWritableFile(path, result);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto state = TrackLocked(path, 0);
  state->synced_size = 0;  // Truncated: nothing of it is durable until the next fsync.
  if (!existed) dir_changes_.push_back(MakeChange(DirChange::kCreate, path));
  *result = std::make_unique<FaultWritableFile>(std::move(*result), this, std::move(state));
  return s;
}

Status FaultInjectionEnv::NewAppendableFile(const std::string& path,
                                            std::unique_ptr<WritableFile>* result) {
  if (power_lost()) return PowerLost("open", path);
  Status s = MaybeFail(kOpen, path);
  if (!s.ok()) return s;
  bool existed = target()->FileExists(path);
  s = target()->NewAppendableFile(path, result);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  // A file that was there before the wrap is taken as durable up to its size.
  auto state = TrackLocked(path, existed ? (*result)->Size() : 0);
  if (!existed) dir_changes_.push_back(MakeChange(DirChange::kCreate, path));
  *result = std::make_unique<FaultWritableFile>(std::move(*result), this, std::move(state));
  return s;
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  if (power_lost()) return PowerLost("remove", path);
  Status s = MaybeFail(kRemove, path);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  DirChange change = MakeChange(DirChange::kRemove, path);
  change.has_saved = ReadDurableLocked(path, &change.saved);
  s = target()->RemoveFile(path);
  if (!s.ok()) return s;
  files_.erase(path);
  dir_changes_.push_back(std::move(change));
  return s;
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  if (power_lost()) return PowerLost("rename", from);
  Status s = MaybeFail(kRename, from);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  DirChange change = MakeChange(DirChange::kRename, from, to);
  change.has_saved = ReadDurableLocked(to, &change.saved);
  s = target()->RenameFile(from, to);
  if (!s.ok()) return s;
  files_.erase(to);
  auto moved = files_.find(from);
  if (moved != files_.end()) {
    moved->second->path = to;
    files_[to] = moved->second;
    files_.erase(moved);
  }
  dir_changes_.push_back(std::move(change));
  return s;
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  if (power_lost()) return PowerLost("truncate", path);
  Status s = MaybeFail(kWrite, path);
  if (s.ok()) s = target()->TruncateFile(path, size);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto tracked = files_.find(path);
  if (tracked != files_.end()) {
    tracked->second->synced_size = std::min(tracked->second->synced_size, size);
  }
  return s;
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (power_lost()) return PowerLost("fsync directory", dir);
  Status s = MaybeFail(kSync, dir);
  if (s.ok()) s = target()->SyncDir(dir);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  std::string synced = Trimmed(dir);
  dir_changes_.erase(std::remove_if(dir_changes_.begin(), dir_changes_.end(),
                                    [&](const DirChange& c) { return c.dir == synced; }),
                     dir_changes_.end());
  return s;
}

Status FaultInjectionEnv::DropUnsyncedData(Loss loss, uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  std::mt19937_64 rng(seed);
  Status s;
  for (const auto& [path, state] : files_) {
    uint64_t size;
    if (!target()->GetFileSize(path, &size).ok() || size <= state->synced_size) continue;
    uint64_t keep = state->synced_size;
    if (loss == Loss::kRandomPrefix) keep += rng() % (size - state->synced_size + 1);
    if (keep < size && s.ok()) s = target()->TruncateFile(path, keep);
  }
  for (auto it = dir_changes_.rbegin(); it != dir_changes_.rend() && s.ok(); ++it) {
    switch (it->kind) {
      case DirChange::kCreate:
        if (target()->FileExists(it->path)) s = target()->RemoveFile(it->path);
        break;
      case DirChange::kRemove:
        if (it->has_saved) s = WriteWhole(it->path, it->saved);
        break;
      case DirChange::kRename:
        s = target()->RenameFile(it->to, it->path);
        if (s.ok() && it->has_saved) s = WriteWhole(it->to, it->saved);
        break;
    }
  }
  files_.clear();
  dir_changes_.clear();
  power_lost_ = false;
  return s;
}

}  // namespace sett
