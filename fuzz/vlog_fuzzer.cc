// Fuzzes value-log recovery: opening a log whose head is the input (header check, scan for
// the torn tail, truncation), then scanning every entry and reading it back through a pointer
// as the tree would hold one (decompressing what says it is compressed, bounded by a size
// the pointer gives, here taken from the entry's own bytes).

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
        const std::string key(entry.key);
        const uint32_t length =
            static_cast<uint32_t>(sett::VlogEntrySize(key.size(), entry.value.size()));
        sett::ValuePointer ptr{id, offset, length};
        if (sett::VlogCodec(entry.flags) != sett::Compression::kNone) {
          ptr.value_size = static_cast<uint32_t>(entry.value.size() * 4 + 1);
        }
        std::string value;
        file->Read(ptr, key, &value).IgnoreError();
      }
    }
  }
  return 0;
}
