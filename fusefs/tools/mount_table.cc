#include "mount_table.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/pg_kv_store.h"

namespace settfs {

std::string Absolute(const std::string& path) {
  if (PgKvStore::IsUri(path)) return path;  // A database on a server, not a path.
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) return resolved;
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

std::string DatabaseDirOf(const std::string& target) {
  std::string absolute = Absolute(target), dbdir;
  return FindSettfsMount(absolute, &dbdir) ? dbdir : absolute;
}

std::string UnescapeMountPath(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); i++) {
    auto octal = [&](size_t k) { return k < field.size() && field[k] >= '0' && field[k] <= '7'; };
    if (field[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

bool FindSettfsMount(const std::string& mountpoint, std::string* dbdir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPEROPTIONS
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, field;
    fields >> id >> parent >> dev >> root >> point;
    while (fields >> field && field != "-") {
    }
    std::string fstype, source;
    fields >> fstype >> source;
    if (fstype == "fuse.settfs" && UnescapeMountPath(point) == mountpoint) {
      if (dbdir != nullptr) *dbdir = UnescapeMountPath(source);
      return true;
    }
  }
  return false;
}

}  // namespace settfs
