#include "lsm/table_file_builder.h"

#include "util/file_names.h"

namespace sett {

TableFileBuilder::~TableFileBuilder() {
  if (finished_ || file_ == nullptr) return;
  // An abandoned table: no MANIFEST names it, and the next open removes what is left.
  file_->Close().IgnoreError();
  env_->RemoveFile(TableFileName(dir_, id_)).IgnoreError();
}

Status TableFileBuilder::Open() {
  Status s = env_->NewWritableFile(TableFileName(dir_, id_), &file_);
  if (!s.ok()) return s;
  TableBuilderOptions options = options_;
  options.cipher.table_id = id_;  // Binds each encrypted block to this table.
  builder_ = std::make_unique<TableBuilder>(options, file_.get());
  return Status::OK();
}

Status TableFileBuilder::Finish(BlockCache* cache, bool map, std::shared_ptr<Table>* table) {
  Status s = builder_->Finish();
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = file_->Close();
  if (s.ok()) {
    s = Table::Open(env_, TableFileName(dir_, id_), id_, cache, map, table, options_.cipher.keys);
  }
  if (s.ok()) finished_ = true;
  return s;
}

}  // namespace sett
