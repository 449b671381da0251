// Fuzzes MANIFEST replay: record framing and edit decoding, and the checks that the edits
// describe a consistent tree.

#include "fuzz_support.h"
#include "lsm/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sett::fuzz::PutFile("/fuzz-manifest/MANIFEST", data, size);
  std::unique_ptr<sett::Manifest> manifest;
  // Any error is a right answer to damaged input; only a crash or a hang is a finding.
  sett::Manifest::Open(sett::fuzz::MemoryEnv(), "/fuzz-manifest", /*read_only=*/true,
                       /*create=*/false, 7, sett::NullLogger(), &manifest)
      .IgnoreError();
  return 0;
}
