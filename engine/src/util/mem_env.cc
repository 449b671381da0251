// An Env that keeps every file in memory: the DB's in-memory mode, and tests. Directories are
// implied by paths; fsync does nothing; locks are kept in a table.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "sett/env.h"

namespace sett {
namespace {

struct MemFile {
  mutable std::mutex mu;
  std::string data;
};

class MemRandomAccessFile : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string path, std::shared_ptr<MemFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}
  Status Read(uint64_t offset, size_t n, char* scratch, std::string_view* result) const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    if (offset >= file_->data.size()) {
      *result = std::string_view();
      return Status::OK();
    }
    size_t available = std::min<size_t>(n, file_->data.size() - offset);
    std::memcpy(scratch, file_->data.data() + offset, available);
    *result = std::string_view(scratch, available);
    return Status::OK();
  }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::shared_ptr<MemFile> file_;
};

class MemWritableFile : public WritableFile {
 public:
  MemWritableFile(std::string path, std::shared_ptr<MemFile> file)
      : path_(std::move(path)), file_(std::move(file)) {
    std::lock_guard<std::mutex> lock(file_->mu);
    size_ = file_->data.size();
  }
  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(file_->mu);
    file_->data.append(data.data(), data.size());
    size_ += data.size();
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::shared_ptr<MemFile> file_;
  uint64_t size_;
};

class MemLock : public FileLock {
 public:
  explicit MemLock(std::string path) : path(std::move(path)) {}
  std::string path;
};

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

class MemEnv : public Env {
 public:
  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return Status::IOError("open " + path, ENOENT);
    *result = std::make_unique<MemRandomAccessFile>(path, it->second);
    return Status::OK();
  }
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!DirExistsLocked(Parent(path))) return Status::IOError("create " + path, ENOENT);
    auto file = std::make_shared<MemFile>();
    files_[path] = file;
    *result = std::make_unique<MemWritableFile>(path, file);
    return Status::OK();
  }
  Status NewAppendableFile(const std::string& path,
                           std::unique_ptr<WritableFile>* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!DirExistsLocked(Parent(path))) return Status::IOError("open " + path, ENOENT);
    auto& file = files_[path];
    if (file == nullptr) file = std::make_shared<MemFile>();
    *result = std::make_unique<MemWritableFile>(path, file);
    return Status::OK();
  }
  bool FileExists(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    return files_.count(path) != 0 || dirs_.count(path) != 0;
  }
  Status GetFileSize(const std::string& path, uint64_t* size) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return Status::IOError("stat " + path, ENOENT);
    std::lock_guard<std::mutex> file_lock(it->second->mu);
    *size = it->second->data.size();
    return Status::OK();
  }
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!DirExistsLocked(dir)) return Status::IOError("list " + dir, ENOENT);
    names->clear();
    for (const auto& [path, file] : files_) {
      if (Parent(path) == dir) names->push_back(path.substr(dir.size() + 1));
    }
    for (const std::string& d : dirs_) {
      if (Parent(d) == dir) names->push_back(d.substr(dir.size() + 1));
    }
    return Status::OK();
  }
  Status RemoveFile(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (files_.erase(path) == 0) return Status::IOError("remove " + path, ENOENT);
    return Status::OK();
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return Status::IOError("rename " + from, ENOENT);
    files_[to] = it->second;
    files_.erase(from);
    return Status::OK();
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return Status::IOError("truncate " + path, ENOENT);
    std::lock_guard<std::mutex> file_lock(it->second->mu);
    it->second->data.resize(size);
    return Status::OK();
  }
  Status CreateDirIfMissing(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (files_.count(dir) != 0) return Status::InvalidArgument(dir + " is not a directory");
    dirs_.insert(dir);
    return Status::OK();
  }
  Status SyncDir(const std::string&) override { return Status::OK(); }
  Status LockFile(const std::string& path, bool shared, std::unique_ptr<FileLock>* lock) override {
    std::lock_guard<std::mutex> guard(mu_);
    int& holders = locks_[path];  // > 0: shared holders; -1: exclusive.
    if (holders == -1 || (!shared && holders > 0)) {
      return Status::Busy(path + " is held by another open of this database");
    }
    holders = shared ? holders + 1 : -1;
    if (files_.count(path) == 0) files_[path] = std::make_shared<MemFile>();
    *lock = std::make_unique<MemLock>(path);
    return Status::OK();
  }
  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto* mem_lock = static_cast<MemLock*>(lock.get());
    int& holders = locks_[mem_lock->path];
    holders = holders > 0 ? holders - 1 : 0;
    return Status::OK();
  }
  Status GetFreeSpace(const std::string&, uint64_t* bytes) override {
    *bytes = uint64_t{1} << 40;
    return Status::OK();
  }

 private:
  bool DirExistsLocked(const std::string& dir) const {
    return dir.empty() || dirs_.count(dir) != 0;
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<MemFile>> files_;
  std::set<std::string> dirs_;
  std::map<std::string, int> locks_;
};

}  // namespace

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

}  // namespace sett
