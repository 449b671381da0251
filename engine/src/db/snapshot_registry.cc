#include "db/snapshot_registry.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "util/coding.h"
#include "util/file_header.h"
#include "util/whole_file.h"

namespace sett {

SnapshotRegistry::SnapshotRegistry(Env* env, std::string dir, std::shared_ptr<SnapshotList> readers)
    : env_(env), dir_(std::move(dir)), path_(dir_ + "/SNAPSHOTS"), readers_(std::move(readers)) {}

SnapshotRegistry::~SnapshotRegistry() {
  for (auto& [name, entry] : entries_) readers_->Remove(entry.position);
}

Status SnapshotRegistry::CheckName(std::string_view name) {
  std::string shown = "snapshot name \"" + std::string(name.substr(0, 64)) + "\"";
  if (name.empty() || name.size() > 255) {
    return Status::InvalidArgument(shown + " must be 1 to 255 bytes long");
  }
  if (name == "." || name == "..") return Status::InvalidArgument(shown + " is reserved");
  for (unsigned char c : name) {
    if (c == '/' || c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(shown + " holds '/' or a control character");
    }
  }
  return Status::OK();
}

Status SnapshotRegistry::CheckId(std::string_view id) {
  bool ok = id.size() == 32;
  for (char c : id) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  return ok ? Status::OK()
            : Status::InvalidArgument("snapshot id \"" + std::string(id.substr(0, 64)) +
                                      "\" is not 32 lowercase hex digits");
}

namespace {

Status NoSuchSnapshot(std::string_view name) {
  return Status::NotFound("no snapshot named \"" + std::string(name) + "\"");
}

std::string NewId() {
  std::random_device random;
  std::string id;
  char hex[9];
  for (int i = 0; i < 4; i++) {
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(random()));
    id += hex;
  }
  return id;
}

}  // namespace

Status SnapshotRegistry::Load() {
  std::string contents;
  Status s = ReadWholeFile(env_, path_, kSnapshotsFileMagic, kSnapshotsFormatVersion, &contents);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  std::string_view body = contents;
  uint32_t n = 0;
  bool ok = GetVarint32(&body, &n);
  std::map<std::string, SnapshotInfo, std::less<>> loaded;
  for (uint32_t i = 0; ok && i < n; i++) {
    std::string_view name, id;
    SnapshotInfo info;
    uint64_t created = 0;
    ok = GetLengthPrefixed(&body, &name) && GetVarint64(&body, &info.read_ts) &&
         GetVarint64(&body, &created) && GetLengthPrefixed(&body, &id) && CheckName(name).ok() &&
         CheckId(id).ok() && loaded.count(name) == 0;
    info.name = std::string(name);
    info.id = std::string(id);
    info.created = static_cast<int64_t>(created);
    if (ok) loaded[info.name] = info;
  }
  if (!ok || !body.empty()) {
    return Status::Corruption(path_ + ": damaged contents after offset " +
                              std::to_string(kFileHeaderSize));
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, info] : loaded) {
    entries_[name] = Entry{info, readers_->Add(info.read_ts)};
  }
  return Status::OK();
}

Status SnapshotRegistry::Create(std::string_view name, std::string_view id,
                                const std::atomic<uint64_t>& latest, int64_t now,
                                const std::function<Status()>& make_durable, SnapshotInfo* info) {
  Status s = CheckName(name);
  if (s.ok() && !id.empty()) s = CheckId(id);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.count(name) != 0) {
    return Status::AlreadyExists("a snapshot named \"" + std::string(name) + "\" exists");
  }
  // Registered before it is recorded: from here on nothing it reads is dropped.
  Entry entry;
  entry.info.name = std::string(name);
  entry.info.created = now;
  entry.info.id = id.empty() ? NewId() : std::string(id);
  entry.position = readers_->AddLatest(latest, &entry.info.read_ts);
  auto it = entries_.emplace(entry.info.name, entry).first;
  s = make_durable();
  if (s.ok()) s = PersistLocked();
  if (!s.ok()) {
    readers_->Remove(it->second.position);
    entries_.erase(it);
    return s;
  }
  if (info != nullptr) *info = entry.info;
  return s;
}

Status SnapshotRegistry::Delete(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return NoSuchSnapshot(name);
  }
  Entry entry = it->second;
  entries_.erase(it);
  Status s = PersistLocked();
  if (!s.ok()) {
    entries_.emplace(entry.info.name, entry);
    return s;
  }
  // Unregistered once the file no longer holds it: compaction may drop what only it read.
  readers_->Remove(entry.position);
  return s;
}

uint64_t SnapshotRegistry::NewestReadTs() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t newest = 0;
  for (const auto& [name, entry] : entries_) newest = std::max(newest, entry.info.read_ts);
  return newest;
}

std::vector<SnapshotInfo> SnapshotRegistry::List() const {
  std::vector<SnapshotInfo> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, entry] : entries_) out.push_back(entry.info);
  }
  std::sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
    return a.read_ts != b.read_ts ? a.read_ts < b.read_ts : a.name < b.name;
  });
  return out;
}

Status SnapshotRegistry::Find(std::string_view name, SnapshotInfo* info) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return NoSuchSnapshot(name);
  }
  *info = it->second.info;
  return Status::OK();
}

Status SnapshotRegistry::AddReader(std::string_view name, uint64_t* read_ts,
                                   SnapshotList::Position* position) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return NoSuchSnapshot(name);
  }
  *read_ts = it->second.info.read_ts;
  *position = readers_->Add(*read_ts);
  return Status::OK();
}

Status SnapshotRegistry::PersistLocked() const {
  std::string body;
  PutVarint32(&body, static_cast<uint32_t>(entries_.size()));
  for (const auto& [name, entry] : entries_) {
    PutLengthPrefixed(&body, name);
    PutVarint64(&body, entry.info.read_ts);
    PutVarint64(&body, static_cast<uint64_t>(entry.info.created));
    PutLengthPrefixed(&body, entry.info.id);
  }
  return WriteWholeFile(env_, dir_, path_, kSnapshotsFileMagic, kSnapshotsFormatVersion, body);
}

}  // namespace sett
