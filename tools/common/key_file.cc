#include "tools/common/key_file.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sett::tools {
namespace {

bool IsKeySize(size_t n) { return n == 16 || n == 24 || n == 32; }

bool DecodeHex(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!std::isxdigit(static_cast<unsigned char>(hex[i])) ||
        !std::isxdigit(static_cast<unsigned char>(hex[i + 1]))) {
      return false;
    }
    out->push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return true;
}

std::string& ConfiguredPath() {
  static std::string path;
  return path;
}

}  // namespace

void SetKeyFilePath(const std::string& path) {
  char* absolute = path.empty() ? nullptr : ::realpath(path.c_str(), nullptr);
  ConfiguredPath() = absolute != nullptr ? absolute : path;
  std::free(absolute);
}

const std::string& KeyFilePath() { return ConfiguredPath(); }

void SetKeyFilePathFromArgs(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg == flag && i + 1 < argc) SetKeyFilePath(argv[i + 1]);
    if (arg.rfind(flag + "=", 0) == 0) SetKeyFilePath(arg.substr(flag.size() + 1));
  }
}

bool ReadKeyFile(const std::string& path, std::string* key, std::string* error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    *error = "key file " + path + ": " + std::strerror(errno);
    return false;
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    *error = "key file " + path + " is accessible by others (mode " + mode +
             "): refusing it; chmod 600 " + path;
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in) {
    *error = "key file " + path + ": cannot read it";
    return false;
  }
  std::string bytes = contents.str();
  if (!bytes.empty() && bytes.back() == '\n' && !IsKeySize(bytes.size())) bytes.pop_back();
  std::string decoded;
  if (IsKeySize(bytes.size() / 2) && DecodeHex(bytes, &decoded)) {
    *key = decoded;
    return true;
  }
  if (IsKeySize(bytes.size())) {
    *key = bytes;
    return true;
  }
  *error = "key file " + path + " holds " + std::to_string(bytes.size()) +
           " bytes: a key is 16, 24 or 32 bytes, or as many hex digit pairs";
  return false;
}

}  // namespace sett::tools
