// TableFileBuilder writes one new table file: it creates NNNNNN.sst, feeds a TableBuilder,
// and on Finish fsyncs and closes the file and opens it for reading. Flushes and compactions
// both write their tables through it. The caller fsyncs the directory before the table is
// recorded in the MANIFEST.
//
// Thread safety: one thread at a time.

#ifndef SETT_LSM_TABLE_FILE_BUILDER_H_
#define SETT_LSM_TABLE_FILE_BUILDER_H_

#include <memory>
#include <string>

#include "sett/env.h"
#include "table/block_cache.h"
#include "table/table.h"
#include "table/table_builder.h"

namespace sett {

class TableFileBuilder {
 public:
  TableFileBuilder(Env* env, std::string dir, uint64_t id, const TableBuilderOptions& options)
      : env_(env), dir_(std::move(dir)), id_(id), options_(options) {}
  // Deletes the file unless Finish succeeded.
  ~TableFileBuilder();

  Status Open();
  Status Add(std::string_view key, std::string_view value) { return builder_->Add(key, value); }
  // Completes the table, makes it durable and opens it (using cache) into *table.
  Status Finish(BlockCache* cache, bool map, std::shared_ptr<Table>* table);

  uint64_t id() const { return id_; }
  uint64_t FileSize() const { return builder_->FileSize(); }
  bool empty() const { return builder_->empty(); }

 private:
  Env* const env_;
  const std::string dir_;
  const uint64_t id_;
  const TableBuilderOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  bool finished_ = false;
};

}  // namespace sett

#endif  // SETT_LSM_TABLE_FILE_BUILDER_H_
