// Printing a DBInfo as text: memtables, levels, value-log files and (optionally) tables.
// Shared by `sett info` and `settfs stat`.

#ifndef SETT_TOOLS_COMMON_INFO_PRINT_H_
#define SETT_TOOLS_COMMON_INFO_PRINT_H_

#include "sett/info.h"

namespace sett::tools {

void PrintInfo(const DBInfo& info, bool list_tables);

}  // namespace sett::tools

#endif  // SETT_TOOLS_COMMON_INFO_PRINT_H_
