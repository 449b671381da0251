#include "util/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

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

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Status Aead::Check(std::string_view key) {
  if (CipherFor(key.size()) != nullptr) return Status::OK();
  return Status::InvalidArgument(
      "an encryption key is 16, 24 or 32 bytes (AES-128, -192 or -256), "
      "not " +
      std::to_string(key.size()));
}

Status Aead::Seal(std::string_view nonce, std::string_view aad, std::string_view plaintext,
                  std::string* out) const {
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  size_t start = out->size();
  out->resize(start + plaintext.size() + kTagSize);
  auto* dst = reinterpret_cast<unsigned char*>(out->data() + start);
  bool ok =
      ctx != nullptr && nonce.size() == kNonceSize &&
      EVP_EncryptInit_ex(ctx.get(), CipherFor(key_.size()), nullptr, Bytes(key_), Bytes(nonce)) ==
          1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, dst + plaintext.size()) == 1;
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
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  plaintext->resize(n);
  auto* dst = reinterpret_cast<unsigned char*>(plaintext->data());
  std::string tag(sealed.substr(n));
  bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), CipherFor(key_.size()), nullptr, Bytes(key_), Bytes(nonce)) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), dst, &len, Bytes(sealed), static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) == 1;
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
