// Encryption key files for the tools (`sett --encryption-key-file`, `settfs -o keyfile=`).
//
// A key file holds the key itself, 16, 24 or 32 bytes (AES-128, -192 or -256), or those bytes
// as hex (32, 48 or 64 digits); one final newline is ignored, so `openssl rand -hex 32 > F`
// makes one. Like ssh with a private key, a file that its group or others may read is refused.

#ifndef SETT_TOOLS_COMMON_KEY_FILE_H_
#define SETT_TOOLS_COMMON_KEY_FILE_H_

#include <string>

namespace sett::tools {

// Reads the key in path into *key; false with *error saying why (naming the file).
bool ReadKeyFile(const std::string& path, std::string* key, std::string* error);

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_KEY_FILE_H_
