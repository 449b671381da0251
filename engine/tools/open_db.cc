#include "open_db.h"

#include <cstdio>

#include "sett/logger.h"
#include "tools/common/key_file.h"

namespace sett::tools {

bool ApplyKeyFile(const std::string& command, Options* options) {
  if (KeyFilePath().empty()) return true;
  std::string error;
  if (ReadKeyFile(KeyFilePath(), &options->encryption_key, &error)) return true;
  std::fprintf(stderr, "sett %s: %s\n", command.c_str(), error.c_str());
  return false;
}

std::unique_ptr<DB> OpenForCommand(const std::string& command, const std::string& dir,
                                   OpenMode mode, const Options* base) {
  Options options = base != nullptr ? *base : Options();
  if (options.encryption_key.empty() && !ApplyKeyFile(command, &options)) return nullptr;
  options.dir = dir;
  options.read_only = mode == OpenMode::kReadOnly;
  options.create_if_missing = mode == OpenMode::kCreate;
  options.logger = StderrLogger(LogLevel::kWarning);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "sett %s: cannot open %s: %s\n", command.c_str(), dir.c_str(),
                 s.ToString().c_str());
    return nullptr;
  }
  return db;
}

int CloseForCommand(const std::string& command, std::unique_ptr<DB> db, int exit_code) {
  Status s = db->Close();
  if (s.ok()) return exit_code;
  std::fprintf(stderr, "sett %s: closing: %s\n", command.c_str(), s.ToString().c_str());
  return 1;
}

}  // namespace sett::tools
