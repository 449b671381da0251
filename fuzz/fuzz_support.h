// Shared by the fuzz targets: one in-memory Env that holds the input as a file.

#ifndef SETT_FUZZ_FUZZ_SUPPORT_H_
#define SETT_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sett/env.h"
#include "sett/logger.h"

namespace sett::fuzz {

// The process-wide in-memory Env of the fuzz targets.
inline Env* MemoryEnv() {
  static Env* env = NewMemEnv().release();
  return env;
}

// Makes path (in MemoryEnv) hold exactly the input bytes.
inline void PutFile(const std::string& path, const uint8_t* data, size_t size) {
  if (!MemoryEnv()->CreateDirIfMissing(path.substr(0, path.rfind('/'))).ok()) std::abort();
  std::unique_ptr<WritableFile> file;
  if (!MemoryEnv()->NewWritableFile(path, &file).ok()) std::abort();
  if (!file->Append(std::string_view(reinterpret_cast<const char*>(data), size)).ok()) {
    std::abort();
  }
  if (!file->Close().ok()) std::abort();
}

}  // namespace sett::fuzz

#endif  // SETT_FUZZ_FUZZ_SUPPORT_H_
