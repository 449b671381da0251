#include "tools/common/proc_io.h"

#include <fstream>
#include <string>

namespace sett::tools {

ProcIo ProcIo::Now() {
  ProcIo io;
  std::ifstream in("/proc/self/io");
  std::string name;
  uint64_t value;
  while (in >> name >> value) {
    if (name == "read_bytes:") io.read_bytes = value;
    if (name == "write_bytes:") io.write_bytes = value;
    if (name == "wchar:") io.wchar = value;
  }
  return io;
}

}  // namespace sett::tools
