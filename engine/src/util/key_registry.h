// KeyRegistry keeps an encrypted DB's data keys and seals and opens its bytes with them.
//
// The data keys live in the KEYREGISTRY file (util/whole_file.h), sealed as a whole under the
// master key (Options::encryption_key) with AES-GCM: the master key never encrypts data, so
// rotating it (Rewrap) rewrites this one small file. A data key encrypts for one rotation
// period (Options::encryption_key_rotation_seconds); then a new one is drawn at random and
// recorded, durably, before its first use. Old keys stay to read what they sealed.
//
//   KEYREGISTRY body := 12-byte nonce | AES-GCM(payload, aad "sett KEYREGISTRY")
//   payload          := u32 count | count x (u64 id | u64 created (unix s) | u8 size | key)
//
// Seal and Open work on envelopes, each self-describing, so that keys can rotate at any time:
//
//   envelope := u64 data key id | 12-byte random nonce | ciphertext | 16-byte tag
//
// The associated data names where the bytes belong (a file and an offset): an envelope moved
// elsewhere does not open.
//
// Thread safety: Seal and Open may be called concurrently.

#ifndef SETT_UTIL_KEY_REGISTRY_H_
#define SETT_UTIL_KEY_REGISTRY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "sett/env.h"
#include "sett/status.h"
#include "util/aead.h"

namespace sett {

class KeyRegistry {
 public:
  static constexpr size_t kEnvelopeOverhead = 8 + Aead::kNonceSize + Aead::kTagSize;

  static std::string FileName(const std::string& dir);
  // Opens dir's registry with master_key; with create, makes a new one (with one data key)
  // when there is none. InvalidArgument when the key does not open it.
  static Status Open(Env* env, const std::string& dir, const std::string& master_key,
                     uint64_t rotation_seconds, bool create, std::unique_ptr<KeyRegistry>* out);
  // Rewrites dir's registry under new_master (atomically); the data keys stay.
  static Status Rewrap(Env* env, const std::string& dir, const std::string& old_master,
                       const std::string& new_master);

  // Appends the envelope of plaintext to *out, sealed with the current data key (a new one
  // first when the current one is older than the rotation period).
  Status Seal(std::string_view aad, std::string_view plaintext, std::string* out);
  // Sets *plaintext from an envelope; Corruption (naming `where`) when it does not open.
  Status Open(std::string_view aad, std::string_view envelope, const std::string& where,
              std::string* plaintext) const;

  size_t num_keys() const;

 private:
  struct DataKey {
    uint64_t created = 0;
    std::string bytes;
    std::shared_ptr<const Aead> aead;
  };

  KeyRegistry(Env* env, std::string dir, std::string master_key, uint64_t rotation_seconds)
      : env_(env),
        dir_(std::move(dir)),
        master_(std::move(master_key)),
        rotation_seconds_(rotation_seconds) {}
  Status Load();
  // Draws a new data key and records it. REQUIRES: mu_ held.
  Status AddKeyLocked(uint64_t now);
  Status SaveLocked() const;
  uint64_t NowSeconds() const { return env_->NowMicros() / 1000000; }

  Env* const env_;
  const std::string dir_;
  const std::string master_;
  const uint64_t rotation_seconds_;
  mutable std::mutex mu_;
  std::map<uint64_t, DataKey> keys_;  // By id; the highest is the current one.
};

}  // namespace sett

#endif  // SETT_UTIL_KEY_REGISTRY_H_
