#include "util/file_names.h"

#include <cstdio>

namespace sett {
namespace {

std::string NumberedName(const std::string& dir, uint64_t id, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "/%06llu.%s", static_cast<unsigned long long>(id), suffix);
  return dir + buf;
}

}  // namespace

std::string TableFileName(const std::string& dir, uint64_t id) {
  return NumberedName(dir, id, "sst");
}
std::string WalFileName(const std::string& dir, uint64_t id) {
  return NumberedName(dir, id, "mem");
}
std::string ManifestFileName(const std::string& dir) { return dir + "/MANIFEST"; }
std::string ManifestRewriteFileName(const std::string& dir) { return dir + "/MANIFEST.rewrite"; }
std::string LockFileName(const std::string& dir) { return dir + "/LOCK"; }

FileType ParseFileName(const std::string& name, uint64_t* id) {
  if (name == "MANIFEST") return FileType::kManifest;
  if (name == "MANIFEST.rewrite") return FileType::kManifestRewrite;
  if (name == "LOCK") return FileType::kLock;
  size_t dot = name.find('.');
  if (dot == 0 || dot == std::string::npos || dot > 19) return FileType::kUnknown;
  uint64_t n = 0;
  for (size_t i = 0; i < dot; i++) {
    if (name[i] < '0' || name[i] > '9') return FileType::kUnknown;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  std::string suffix = name.substr(dot + 1);
  FileType type = FileType::kUnknown;
  if (suffix == "sst") type = FileType::kTable;
  if (suffix == "mem") type = FileType::kWal;
  if (type != FileType::kUnknown) *id = n;
  return type;
}

}  // namespace sett
