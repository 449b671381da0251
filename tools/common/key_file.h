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

// The key file a tool was given (sett --encryption-key-file, settfs --key-file and -o keyfile=),
// which the commands open their databases with; "" for none. Set made absolute: a mount daemon
// changes its directory.
void SetKeyFilePath(const std::string& path);
const std::string& KeyFilePath();
// Sets the key file from `flag FILE` or `flag=FILE` in the command line, if there: the tools'
// subcommands open databases while CLI11 still parses, so it must be known before.
void SetKeyFilePathFromArgs(int argc, char** argv, const std::string& flag);

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_KEY_FILE_H_
