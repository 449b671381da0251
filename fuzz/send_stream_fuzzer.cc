// Fuzzes the reader of settfs send streams (fusefs/tools/send_stream.h), which receive runs on
// whatever arrives on its standard input: the input is written to a file, opened, verified,
// and walked when it verifies. Nothing may crash, hang or read out of bounds.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "send_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/send_stream_fuzzer." + std::to_string(::getpid());
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return 0;
  std::fwrite(data, 1, size, out);
  std::fclose(out);
  std::unique_ptr<settfs::StreamReader> reader;
  if (!settfs::StreamReader::Open(path, &reader).ok()) return 0;
  if (!reader->Verify().ok()) return 0;
  size_t records = 0;
  reader
      ->ForEach([&](const settfs::KeyChange&) {
        records++;
        return sett::Status::OK();
      })
      .IgnoreError();  // Verified: the walk only counts.
  return 0;
}
