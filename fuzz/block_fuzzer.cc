// Fuzzes the data-block decoder: parsing, decoding every entry, iterating both ways, seeking.

#include <string>

#include "fuzz_support.h"
#include "table/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const sett::Block> block;
  std::string contents(reinterpret_cast<const char*>(data), size);
  if (!sett::Block::Parse(contents, std::make_shared<const std::string>("fuzz block"), 0, &block)
           .ok())
    return 0;
  std::string key;
  std::string_view value;
  for (uint32_t i = 0; i < block->num_entries() && i < 4096; i++)
    block->DecodeEntry(i, &key, &value);
  for (bool reverse : {false, true}) {
    sett::BlockIterator it(block, reverse);
    int n = 0;
    for (it.Rewind(); it.Valid() && n < 4096; it.Next(), n++) key.assign(it.key());
    it.Seek(key);
    it.Seek(std::string_view(contents).substr(0, 16));
  }
  return 0;
}
