#include "open_db.h"

#include <cstdio>

#include "sett/logger.h"

namespace sett::tools {

std::unique_ptr<DB> OpenForCommand(const std::string& command, const std::string& dir,
                                   OpenMode mode, const Options* base) {
  Options options = base != nullptr ? *base : Options();
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
