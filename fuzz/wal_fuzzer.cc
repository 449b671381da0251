// Fuzzes write-ahead-log replay: record framing, torn-tail and corruption detection, entry
// decoding into a memtable; read-only, then with truncation at corruption.

#include "fuzz_support.h"
#include "memtable/memtable.h"
#include "memtable/wal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/fuzz/000001.mem";
  for (auto recovery :
       {sett::WalRecovery::kFailOnCorruption, sett::WalRecovery::kTruncateAtCorruption}) {
    sett::fuzz::PutFile(path, data, size);
    sett::MemTable mem(1, 4096);
    sett::WalReplayStats stats;
    bool read_only = recovery == sett::WalRecovery::kFailOnCorruption;
    // Errors are right answers to damaged input; only a crash or a hang is a finding.
    sett::ReplayWal(sett::fuzz::MemoryEnv(), path, recovery, read_only, sett::NullLogger(), nullptr,
                    &mem, &stats)
        .IgnoreError();
  }
  return 0;
}
