// Fuzzes the table reader on a whole file: open (footer, index, filter, properties), iterate
// both ways, seek, verify.

#include "fuzz_support.h"
#include "table/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/fuzz/000001.sst";
  sett::fuzz::PutFile(path, data, size);
  std::shared_ptr<sett::Table> table;
  if (!sett::Table::Open(sett::fuzz::MemoryEnv(), path, 1, nullptr, /*map=*/false, &table).ok())
    return 0;
  std::string last;
  for (bool reverse : {false, true}) {
    auto it = table->NewIterator(reverse, false);
    int n = 0;
    for (it->Rewind(); it->Valid() && n < 100000; it->Next(), n++) last.assign(it->key());
    it->Seek(last);
  }
  bool found;
  std::string key, value;
  // Errors are right answers to damaged input; only a crash or a hang is a finding.
  table->Seek(last, false, &found, &key, &value).IgnoreError();
  table->Verify().IgnoreError();
  return 0;
}
