// Fuzzes backup loading (DB::Load) into an in-memory database, emptied now and then.

#include <sstream>

#include "fuzz_support.h"
#include "sett/db.h"
#include "sett/iterator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sett::DB* db = [] {
    sett::Options options;
    options.in_memory = true;
    options.logger = sett::NullLogger();
    options.num_compactors = 0;
    std::unique_ptr<sett::DB> opened;
    if (!sett::DB::Open(options, &opened).ok()) std::abort();
    return opened.release();
  }();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  if (db->Load(in).ok()) {
    auto it = db->NewIterator(sett::ReadOptions());
    int n = 0;
    for (it->Rewind(); it->Valid() && n < 1000; it->Next(), n++) {
    }
  }
  // Emptying the DB costs a flush's worth of work; doing it every input made this target the
  // slowest by 100x, and what earlier inputs left does not change how a backup is parsed.
  static int loaded = 0;
  if (++loaded % 256 == 0 && !db->DropAll().ok()) std::abort();
  return 0;
}
