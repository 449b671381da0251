#include "util/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace sett {
namespace {

const EVP_CIPHER* CipherFor(size_t key_size) {
  switch (key_size) {
    case 16:
      return EVP_aes_128_gcm();
    case 24:
      return EVP_aes_192_gcm();
    case 32:
      return EVP_aes_256_gcm();
    default:
      return nullptr;
  }
}

// Each thread's contexts, by Aead id and direction: a context keeps its key schedule, so a
// message only sets its nonce. Freed when the thread ends.
struct ContextCache {
  std::unordered_map<uint64_t, EVP_CIPHER_CTX*> contexts;
  ~ContextCache() {
    for (auto& [id, ctx] : contexts) EVP_CIPHER_CTX_free(ctx);
  }
};

std::atomic<uint64_t> next_aead_id{1};
// A thread keeps at most this many contexts: each Aead made (every data key of every DB
// opened) takes a new id, and a long-lived thread must not collect them forever.
constexpr size_t kMaxCachedContexts = 64;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Aead::Aead(std::string key)
    : key_(std::move(key)), id_(next_aead_id.fetch_add(1, std::memory_order_relaxed)) {}

EVP_CIPHER_CTX* Aead::Context(bool encrypt) const {
  thread_local ContextCache cache;
  uint64_t slot = id_ * 2 + (encrypt ? 1 : 0);
  auto it = cache.contexts.find(slot);
  if (it != cache.contexts.end()) return it->second;
  if (cache.contexts.size() >= kMaxCachedContexts) {  // Keys of DBs long closed, say.
    for (auto& [id, old] : cache.contexts) EVP_CIPHER_CTX_free(old);
    cache.contexts.clear();
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return nullptr;
  int ok = encrypt ? EVP_EncryptInit_ex(ctx, CipherFor(key_.size()), nullptr, Bytes(key_), nullptr)
                   : EVP_DecryptInit_ex(ctx, CipherFor(key_.size()), nullptr, Bytes(key_), nullptr);
  if (ok != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  cache.contexts[slot] = ctx;
  return ctx;
}

Status Aead::NextNonce(std::string* nonce) const {
  std::lock_guard<std::mutex> lock(nonce_mu_);
  if (nonce_prefix_.empty() || nonce_counter_ == UINT32_MAX) {
    Status s = RandomBytes(8, &nonce_prefix_);
    if (!s.ok()) return s;
    nonce_counter_ = 0;
  }
  uint32_t n = nonce_counter_++;
  nonce->assign(nonce_prefix_);
  for (int i = 0; i < 4; i++) nonce->push_back(static_cast<char>(n >> (8 * i)));
  return Status::OK();
}

Status Aead::Check(std::string_view key) {
  if (CipherFor(key.size()) != nullptr) return Status::OK();
  return Status::InvalidArgument(
      "an encryption key is 16, 24 or 32 bytes (AES-128, -192 or -256), "
      "not " +
      std::to_string(key.size()));
}

Status Aead::Seal(std::string_view nonce, std::string_view aad, std::string_view plaintext,
                  std::string* out) const {
  EVP_CIPHER_CTX* ctx = Context(/*encrypt=*/true);
  int len = 0;
  size_t start = out->size();
  out->resize(start + plaintext.size() + kTagSize);
  auto* dst = reinterpret_cast<unsigned char*>(out->data() + start);
  bool ok = ctx != nullptr && nonce.size() == kNonceSize &&
            EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, Bytes(nonce)) == 1 &&
            EVP_EncryptUpdate(ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx, dst, &len, Bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, dst + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, dst + plaintext.size()) == 1;
  if (ok) return Status::OK();
  out->resize(start);
  return Status::IOError("encryption failed (libcrypto)");
}

Status Aead::Open(std::string_view nonce, std::string_view aad, std::string_view sealed,
                  std::string* plaintext) const {
  if (sealed.size() < kTagSize || nonce.size() != kNonceSize) {
    return Status::Corruption("encrypted data too short");
  }
  size_t n = sealed.size() - kTagSize;
  EVP_CIPHER_CTX* ctx = Context(/*encrypt=*/false);
  int len = 0;
  plaintext->resize(n);
  auto* dst = reinterpret_cast<unsigned char*>(plaintext->data());
  unsigned char tag[kTagSize];
  std::memcpy(tag, sealed.data() + n, kTagSize);
  bool ok = ctx != nullptr &&
            EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, Bytes(nonce)) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx, dst, &len, Bytes(sealed), static_cast<int>(n)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1 &&
            EVP_DecryptFinal_ex(ctx, dst + len, &len) == 1;
  if (ok) return Status::OK();
  plaintext->clear();
  return Status::Corruption(
      "encrypted data does not authenticate (changed, moved, or another key)");
}

Status Aead::RandomBytes(size_t n, std::string* out) {
  out->resize(n);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out->data()), static_cast<int>(n)) == 1) {
    return Status::OK();
  }
  return Status::IOError("no random bytes from libcrypto");
}

}  // namespace sett
