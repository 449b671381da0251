// Aead is AES-GCM (128, 192 or 256 bits by the key's length) from OpenSSL's libcrypto:
// authenticated encryption, so that a changed byte of the ciphertext, of its tag or of the
// associated data (where the bytes belong) makes Open fail instead of returning wrong bytes.
//
// Thread safety: const methods may be called concurrently.

#ifndef SETT_UTIL_AEAD_H_
#define SETT_UTIL_AEAD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "sett/status.h"

namespace sett {

class Aead {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  // InvalidArgument unless key is 16, 24 or 32 bytes.
  static Status Check(std::string_view key);
  explicit Aead(std::string key) : key_(std::move(key)) {}

  // Appends the ciphertext of plaintext and its tag to *out. The nonce must never repeat for
  // one key (callers draw it at random: RandomNonce).
  Status Seal(std::string_view nonce, std::string_view aad, std::string_view plaintext,
              std::string* out) const;
  // Sets *plaintext from ciphertext-and-tag; Corruption when they do not authenticate.
  Status Open(std::string_view nonce, std::string_view aad, std::string_view sealed,
              std::string* plaintext) const;

  // n bytes from the operating system's random source (keys, nonces).
  static Status RandomBytes(size_t n, std::string* out);

 private:
  const std::string key_;
};

}  // namespace sett

#endif  // SETT_UTIL_AEAD_H_
