#include "db/namespace_bans.h"

#include "util/coding.h"
#include "util/file_header.h"
#include "util/whole_file.h"

namespace sett {

NamespaceBans::NamespaceBans(Env* env, std::string dir)
    : env_(env),
      dir_(std::move(dir)),
      path_(dir_ + "/BANNED"),
      banned_(std::make_shared<const std::set<uint64_t>>()) {}

Status NamespaceBans::Load() {
  std::string contents;
  Status s = ReadWholeFile(env_, path_, kBannedFileMagic, kBannedFormatVersion, &contents);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  std::string_view body = contents;
  uint32_t n = 0;
  bool ok = GetVarint32(&body, &n) && body.size() == uint64_t{n} * 8;
  auto loaded = std::make_shared<std::set<uint64_t>>();
  for (uint32_t i = 0; ok && i < n; i++) loaded->insert(DecodeFixed64(body.data() + 8 * i));
  if (!ok) {
    return Status::Corruption(path_ + ": damaged contents after offset " +
                              std::to_string(kFileHeaderSize));
  }
  std::lock_guard<std::mutex> lock(mu_);
  any_ = !loaded->empty();
  banned_ = std::move(loaded);
  return Status::OK();
}

Status NamespaceBans::Ban(uint64_t ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (banned_->count(ns) != 0) return Status::OK();
  auto next = std::make_shared<std::set<uint64_t>>(*banned_);
  next->insert(ns);
  std::string body;
  PutVarint32(&body, static_cast<uint32_t>(next->size()));
  for (uint64_t banned : *next) PutFixed64(&body, banned);
  Status s = WriteWholeFile(env_, dir_, path_, kBannedFileMagic, kBannedFormatVersion, body);
  if (!s.ok()) return s;
  banned_ = std::move(next);
  any_ = true;
  return s;
}

std::vector<uint64_t> NamespaceBans::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<uint64_t>(banned_->begin(), banned_->end());
}

bool NamespaceBans::Banned(std::string_view key, uint64_t* ns) const {
  if (empty() || key.size() < 8) return false;
  uint64_t value = 0;
  for (int i = 0; i < 8; i++) value = (value << 8) | static_cast<uint8_t>(key[i]);
  std::shared_ptr<const std::set<uint64_t>> banned;
  {
    std::lock_guard<std::mutex> lock(mu_);
    banned = banned_;
  }
  if (banned->count(value) == 0) return false;
  *ns = value;
  return true;
}

}  // namespace sett
