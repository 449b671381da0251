// Fuzzes value-log recovery: opening a log whose head is the input (header check, scan for
// the torn tail, truncation), then scanning every entry.

#include "fuzz_support.h"
#include "vlog/value_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sett::fuzz::PutFile("/fuzz-vlog/000001.vlog", data, size);
  for (bool read_only : {true, false}) {
    sett::ValueLog vlog(sett::fuzz::MemoryEnv(), "/fuzz-vlog", 1 << 20, sett::NullLogger());
    if (!vlog.Open(read_only, sett::VlogCheckpoint{}).ok()) continue;
    for (const auto& [id, file] : *vlog.files()) {
      sett::VlogScanner scanner(*file, vlog.FileSize(id));
      sett::VlogEntry entry;
      uint64_t offset;
      while (scanner.Next(&entry, &offset)) {
      }
    }
  }
  return 0;
}
