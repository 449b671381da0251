// Opening a database for a command, with the command's name in any error.

#ifndef SETT_TOOLS_OPEN_DB_H_
#define SETT_TOOLS_OPEN_DB_H_

#include <memory>
#include <string>

#include "sett/db.h"

namespace sett::tools {

enum class OpenMode { kReadOnly, kReadWrite, kCreate };

// Sets options->encryption_key from the key file given (tools/common/key_file.h), if any; false
// (having printed "sett COMMAND: why") when the file cannot be used.
bool ApplyKeyFile(const std::string& command, Options* options);

// Opens dir (with the key file given, unless base has a key), or prints "sett COMMAND: cannot
// open DIR: why" and returns null.
// base: the options to start from (the defaults when null).
std::unique_ptr<DB> OpenForCommand(const std::string& command, const std::string& dir,
                                   OpenMode mode, const Options* base = nullptr);

// Closes db, printing an error for the command if that fails; returns exit_code, or 1 then.
int CloseForCommand(const std::string& command, std::unique_ptr<DB> db, int exit_code);

}  // namespace sett::tools

#endif  // SETT_TOOLS_OPEN_DB_H_
