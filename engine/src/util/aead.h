// Aead is AES-GCM (128, 192 or 256 bits by the key's length) from OpenSSL's libcrypto:
// authenticated encryption, so that a changed byte of the ciphertext, of its tag or of the
// associated data (where the bytes belong) makes Open fail instead of returning wrong bytes.
//
// Thread safety: const methods may be called concurrently.

#ifndef SETT_UTIL_AEAD_H_
#define SETT_UTIL_AEAD_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "sett/status.h"

struct evp_cipher_ctx_st;  // libcrypto's EVP_CIPHER_CTX.

namespace sett {

class Aead {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  // InvalidArgument unless key is 16, 24 or 32 bytes.
  static Status Check(std::string_view key);
  explicit Aead(std::string key);

  // Appends the ciphertext of plaintext and its tag to *out. The nonce must never repeat for
  // one key (NextNonce). plaintext must not point into *out.
  Status Seal(std::string_view nonce, std::string_view aad, std::string_view plaintext,
              std::string* out) const;
  // Sets *plaintext from ciphertext-and-tag; Corruption when they do not authenticate.
  Status Open(std::string_view nonce, std::string_view aad, std::string_view sealed,
              std::string* plaintext) const;

  // A nonce never used with this Aead: 8 random bytes drawn when it was made (and again every
  // 2^32 nonces) and a 4-byte counter, so that two processes using one key collide with
  // probability 2^-64, at no call to the random source per message.
  Status NextNonce(std::string* nonce) const;

  // n bytes from the operating system's random source (keys, nonces).
  static Status RandomBytes(size_t n, std::string* out);

 private:
  // libcrypto's context for this key on the calling thread, the key schedule done once.
  ::evp_cipher_ctx_st* Context(bool encrypt) const;

  const std::string key_;
  const uint64_t id_;  // Process-unique: names this key in the threads' context caches.
  mutable std::mutex nonce_mu_;
  mutable std::string nonce_prefix_;  // 8 random bytes.
  mutable uint32_t nonce_counter_ = 0;
};

}  // namespace sett

#endif  // SETT_UTIL_AEAD_H_
