#include "tools/common/info_print.h"

#include <cstdio>

#include "tools/common/format.h"

namespace sett::tools {

void PrintInfo(const DBInfo& info, bool list_tables) {
  std::printf("latest version  %llu\n", static_cast<unsigned long long>(info.latest_version));
  std::printf("manifest        %s\n", HumanBytes(info.manifest_size).c_str());

  std::printf("\nmemtables\n");
  for (const MemTableInfo& m : info.memtables) {
    std::printf("  %-9s log %06llu.mem %10s   %9llu entries   %10s in memory\n",
                m.is_mutable ? "mutable" : "immutable", static_cast<unsigned long long>(m.wal_id),
                HumanBytes(m.wal_size).c_str(), static_cast<unsigned long long>(m.num_entries),
                HumanBytes(m.memory).c_str());
  }

  std::printf("\nlevels          tables        size      target   score\n");
  uint64_t total = 0;
  int total_tables = 0;
  for (const LevelInfo& l : info.levels) {
    total += l.size;
    total_tables += l.num_tables;
    std::string target = l.level == 0 ? "-" : HumanBytes(l.target_size);
    std::printf("  L%d%-12s %6d  %10s  %10s  %6.2f\n", l.level, l.is_base ? " (base)" : "",
                l.num_tables, HumanBytes(l.size).c_str(), target.c_str(), l.score);
  }
  std::printf("  total          %6d  %10s\n", total_tables, HumanBytes(total).c_str());

  std::printf("\nvalue log       size       garbage\n");
  uint64_t log_total = 0, garbage_total = 0;
  for (const ValueLogFileInfo& v : info.value_log_files) {
    log_total += v.size;
    garbage_total += v.discard_bytes;
    std::printf("  %06u.vlog %10s  %10s  %5.1f%%%s\n", v.id, HumanBytes(v.size).c_str(),
                HumanBytes(v.discard_bytes).c_str(), 100 * v.discard_ratio,
                v.is_head ? "  (head)" : "");
  }
  std::printf("  total       %10s  %10s\n", HumanBytes(log_total).c_str(),
              HumanBytes(garbage_total).c_str());

  if (!list_tables) return;
  std::printf("\ntables\n");
  for (const TableInfo& t : info.tables) {
    std::printf(
        "  L%d %06llu.sst %10s  %9llu entries  %7llu deletes  versions %llu..%llu  [%s .. %s]\n",
        t.level, static_cast<unsigned long long>(t.id), HumanBytes(t.file_size).c_str(),
        static_cast<unsigned long long>(t.num_entries),
        static_cast<unsigned long long>(t.num_deletes),
        static_cast<unsigned long long>(t.min_version),
        static_cast<unsigned long long>(t.max_version), EscapeKey(t.smallest_key).c_str(),
        EscapeKey(t.largest_key).c_str());
  }
}

}  // namespace sett::tools
