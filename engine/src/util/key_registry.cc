#include "util/key_registry.h"

#include "util/coding.h"
#include "util/whole_file.h"

namespace sett {
namespace {

constexpr uint64_t kKeyRegistryMagic = 0x5947454b54544553ULL;  // "SETTKEYG"
constexpr uint32_t kKeyRegistryVersion = 1;
constexpr std::string_view kRegistryAad = "sett KEYREGISTRY";

}  // namespace

std::string KeyRegistry::FileName(const std::string& dir) { return dir + "/KEYREGISTRY"; }

Status KeyRegistry::Open(Env* env, const std::string& dir, const std::string& master_key,
                         uint64_t rotation_seconds, bool create,
                         std::unique_ptr<KeyRegistry>* out) {
  Status s = Aead::Check(master_key);
  if (!s.ok()) return s;
  std::unique_ptr<KeyRegistry> registry(new KeyRegistry(env, dir, master_key, rotation_seconds));
  s = registry->Load();
  if (s.IsNotFound() && create) {
    std::lock_guard<std::mutex> lock(registry->mu_);
    s = registry->AddKeyLocked(registry->NowSeconds());
  }
  if (!s.ok()) return s;
  *out = std::move(registry);
  return Status::OK();
}

Status KeyRegistry::Load() {
  std::string body;
  Status s = ReadWholeFile(env_, FileName(dir_), kKeyRegistryMagic, kKeyRegistryVersion, &body);
  if (!s.ok()) return s;
  std::string payload;
  if (body.size() < Aead::kNonceSize ||
      !Aead(master_)
           .Open(std::string_view(body).substr(0, Aead::kNonceSize), kRegistryAad,
                 std::string_view(body).substr(Aead::kNonceSize), &payload)
           .ok()) {
    return Status::InvalidArgument(FileName(dir_) +
                                   " does not open with this encryption key: a wrong key, or "
                                   "the file was changed");
  }
  std::string_view in = payload;
  uint32_t count;
  if (!GetFixed32(&in, &count)) return Status::Corruption(FileName(dir_) + ": no key count");
  for (uint32_t i = 0; i < count; i++) {
    uint64_t id, created;
    if (in.size() < 17)
      return Status::Corruption(FileName(dir_) + ": key " + std::to_string(i) + " cut short");
    id = DecodeFixed64(in.data());
    created = DecodeFixed64(in.data() + 8);
    size_t size = static_cast<uint8_t>(in[16]);
    in.remove_prefix(17);
    if (in.size() < size || !Aead::Check(in.substr(0, size)).ok()) {
      return Status::Corruption(FileName(dir_) + ": key " + std::to_string(id) + " is damaged");
    }
    std::string bytes(in.substr(0, size));
    in.remove_prefix(size);
    auto aead = std::make_shared<const Aead>(bytes);
    keys_[id] = DataKey{created, std::move(bytes), std::move(aead)};
  }
  if (keys_.empty()) return Status::Corruption(FileName(dir_) + ": no data key");
  return Status::OK();
}

Status KeyRegistry::AddKeyLocked(uint64_t now) {
  std::string bytes;
  Status s = Aead::RandomBytes(master_.size(), &bytes);  // As strong as the master key.
  if (!s.ok()) return s;
  uint64_t id = keys_.empty() ? 1 : keys_.rbegin()->first + 1;
  auto aead = std::make_shared<const Aead>(bytes);
  keys_[id] = DataKey{now, std::move(bytes), std::move(aead)};
  s = SaveLocked();  // Durable before the key seals anything.
  if (!s.ok()) keys_.erase(id);
  return s;
}

Status KeyRegistry::SaveLocked() const {
  std::string payload;
  PutFixed32(&payload, static_cast<uint32_t>(keys_.size()));
  for (const auto& [id, key] : keys_) {
    PutFixed64(&payload, id);
    PutFixed64(&payload, key.created);
    payload.push_back(static_cast<char>(key.bytes.size()));
    payload += key.bytes;
  }
  std::string nonce;
  Status s = Aead::RandomBytes(Aead::kNonceSize, &nonce);
  std::string body = nonce;
  if (s.ok()) s = Aead(master_).Seal(nonce, kRegistryAad, payload, &body);
  if (!s.ok()) return s;
  return WriteWholeFile(env_, dir_, FileName(dir_), kKeyRegistryMagic, kKeyRegistryVersion, body);
}

Status KeyRegistry::Rewrap(Env* env, const std::string& dir, const std::string& old_master,
                           const std::string& new_master) {
  Status s = Aead::Check(new_master);
  if (!s.ok()) return s;
  std::unique_ptr<KeyRegistry> registry;
  s = Open(env, dir, old_master, 0, /*create=*/false, &registry);
  if (!s.ok()) return s;
  KeyRegistry rewrapped(env, dir, new_master, 0);
  rewrapped.keys_ = registry->keys_;
  std::lock_guard<std::mutex> lock(rewrapped.mu_);
  return rewrapped.SaveLocked();
}

Status KeyRegistry::Seal(std::string_view aad, std::string_view plaintext, std::string* out) {
  uint64_t id;
  std::shared_ptr<const Aead> aead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t now = NowSeconds();
    const DataKey& current = keys_.rbegin()->second;
    if (rotation_seconds_ > 0 && now >= current.created + rotation_seconds_) {
      Status s = AddKeyLocked(now);
      if (!s.ok()) return s;
    }
    id = keys_.rbegin()->first;
    aead = keys_.rbegin()->second.aead;
  }
  PutFixed64(out, id);
  std::string nonce;
  Status s = aead->NextNonce(&nonce);
  if (!s.ok()) return s;
  out->append(nonce);
  return aead->Seal(nonce, aad, plaintext, out);
}

Status KeyRegistry::Open(std::string_view aad, std::string_view envelope, const std::string& where,
                         std::string* plaintext) const {
  if (envelope.size() < kEnvelopeOverhead) {
    return Status::Corruption(where + ": encrypted data cut short");
  }
  uint64_t id = DecodeFixed64(envelope.data());
  std::shared_ptr<const Aead> aead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = keys_.find(id);
    if (it == keys_.end()) {
      return Status::Corruption(where + ": sealed with data key " + std::to_string(id) +
                                ", which the KEYREGISTRY does not hold");
    }
    aead = it->second.aead;
  }
  Status s = aead->Open(envelope.substr(8, Aead::kNonceSize), aad,
                        envelope.substr(8 + Aead::kNonceSize), plaintext);
  if (!s.ok()) return Status::Corruption(where + ": " + s.ToString());
  return Status::OK();
}

size_t KeyRegistry::num_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

}  // namespace sett
