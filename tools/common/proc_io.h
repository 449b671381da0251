// ProcIo reads this process's I/O counters from /proc/self/io: what the benchmarks report as
// disk traffic and write amplification.

#ifndef SETT_TOOLS_COMMON_PROC_IO_H_
#define SETT_TOOLS_COMMON_PROC_IO_H_

#include <cstdint>

namespace sett::tools {

struct ProcIo {
  uint64_t read_bytes = 0;   // Read from the disk.
  uint64_t write_bytes = 0;  // Sent (or to be sent) to the disk.
  uint64_t wchar = 0;        // Handed to write() and the like.

  // The counters now; zeros where /proc/self/io cannot be read.
  static ProcIo Now();
};

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_PROC_IO_H_
