#include "table/table.h"

#include <algorithm>

#include "util/coding.h"

namespace sett {
namespace {

// Walks a table's data blocks one after another, in either direction.
class TableIterator : public InternalIterator {
 public:
  // The index stays pinned while the iterator lives.
  TableIterator(std::shared_ptr<const Table> table, bool reverse, bool fill_cache)
      : table_(std::move(table)), reverse_(reverse), fill_cache_(fill_cache) {
    status_ = table_->Index(&index_);
  }

  bool Valid() const override { return block_it_ != nullptr && block_it_->Valid(); }

  void Rewind() override {
    int64_t n = index_ != nullptr ? index_->num_blocks() : 0;
    LoadBlock(reverse_ ? n - 1 : 0);
    if (block_it_ != nullptr) block_it_->Rewind();
    SkipExhaustedBlocks();
  }

  void Seek(std::string_view target) override {
    if (index_ == nullptr) return;
    int64_t i = index_->FindBlock(target);
    if (!reverse_ && i < 0) i = 0;
    LoadBlock(i);
    if (block_it_ != nullptr) block_it_->Seek(target);
    SkipExhaustedBlocks();
  }

  // Within the current block no block is read again.
  void SkipTo(std::string_view target) override {
    int64_t i = index_->FindBlock(target);
    if (!reverse_ && i < 0) i = 0;
    if (i != block_index_ || block_it_ == nullptr) return Seek(target);
    block_it_->Seek(target);
    SkipExhaustedBlocks();
  }

  void Next() override {
    block_it_->Next();
    SkipExhaustedBlocks();
  }

  std::string_view key() const override { return block_it_->key(); }
  std::string_view value() const override { return block_it_->value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    return block_it_ != nullptr ? block_it_->status() : Status::OK();
  }

 private:
  void LoadBlock(int64_t i) {
    block_it_.reset();
    block_index_ = i;
    if (!status_.ok() || i < 0 || i >= index_->num_blocks()) return;
    std::shared_ptr<const Block> block;
    status_ = table_->ReadDataBlock(*index_, static_cast<uint32_t>(i), fill_cache_, &block);
    if (status_.ok()) block_it_ = std::make_unique<BlockIterator>(std::move(block), reverse_);
  }

  // Moves to the next block while the current one is used up (and healthy).
  void SkipExhaustedBlocks() {
    while (block_it_ != nullptr && !block_it_->Valid() && block_it_->status().ok()) {
      LoadBlock(reverse_ ? block_index_ - 1 : block_index_ + 1);
      if (block_it_ != nullptr) block_it_->Rewind();
    }
  }

  const std::shared_ptr<const Table> table_;
  const bool reverse_;
  const bool fill_cache_;
  std::shared_ptr<const TableIndex> index_;
  int64_t block_index_ = -1;
  std::unique_ptr<BlockIterator> block_it_;
  Status status_;
};

// Reads a table through a memory map of the whole file: a read is a view into the mapping, with
// no system call and no copy. A table never changes once written, so the mapping never grows,
// and it needs no open file descriptor.
class MappedTableFile : public RandomAccessFile {
 public:
  MappedTableFile(std::string path, std::unique_ptr<MappedFile> map)
      : path_(std::move(path)), map_(std::move(map)) {}

  Status Read(uint64_t offset, size_t n, char*, std::string_view* result) const override {
    // As a pread would: fewer bytes at the end of the file, none past it.
    uint64_t length = map_->length();
    if (offset >= length) {
      *result = std::string_view();
    } else {
      *result = std::string_view(map_->data() + offset, std::min<uint64_t>(n, length - offset));
    }
    return Status::OK();
  }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::unique_ptr<MappedFile> map_;
};

}  // namespace

Status Table::Open(Env* env, const std::string& path, uint64_t id, BlockCache* cache, bool map,
                   std::shared_ptr<Table>* table, KeyRegistry* keys) {
  uint64_t size;
  Status s = env->GetFileSize(path, &size);
  if (!s.ok()) return s;
  if (size < kFooterSize) {
    return Status::Corruption(path + ": " + std::to_string(size) +
                              " bytes is too short for a table");
  }
  std::unique_ptr<RandomAccessFile> file;
  s = env->NewRandomAccessFile(path, &file);
  if (!s.ok()) return s;
  std::unique_ptr<MappedFile> mapping;
  // Without a mapping (an Env that cannot map, or no address space left) reads are preads.
  if (map && env->MapFile(path, size, &mapping).ok()) {
    file = std::make_unique<MappedTableFile>(file->path(), std::move(mapping));
  }
  char footer_buf[kFooterSize];
  std::string_view footer_data;
  s = file->Read(size - kFooterSize, kFooterSize, footer_buf, &footer_data);
  if (!s.ok()) return s;
  Footer footer;
  s = DecodeFooter(footer_data, path, size, &footer);
  if (!s.ok()) return s;

  std::shared_ptr<Table> t(new Table(env, std::move(file), id, size, cache));
  t->cipher_ = BlockCipher{keys, id};
  t->index_handle_ = footer.index;
  t->bloom_handle_ = footer.bloom;
  auto index = std::make_shared<TableIndex>();
  s = t->LoadIndex(index.get(), &t->props_);
  if (!s.ok()) return s;
  if (cache != nullptr && cache->caches_indexes()) {
    cache->InsertIndex(t->cache_id_, std::move(index));
  } else {
    t->pinned_index_ = std::move(index);
  }
  *table = std::move(t);
  return Status::OK();
}

Status Table::LoadIndex(TableIndex* index, TableProperties* props) const {
  std::string contents, bloom;
  Status s = ReadBlock(*file_, index_handle_, &contents, cipher_);
  if (s.ok()) s = ReadBlock(*file_, bloom_handle_, &bloom, cipher_);
  if (!s.ok()) return s;
  return TableIndex::Parse(std::move(contents), std::move(bloom), path(), file_size_, index, props);
}

Status Table::ReadIndex(std::shared_ptr<const TableIndex>* index) const {
  auto loaded = std::make_shared<TableIndex>();
  Status s = LoadIndex(loaded.get(), nullptr);
  if (!s.ok()) return s;
  cache_->InsertIndex(cache_id_, loaded);
  *index = std::move(loaded);
  return Status::OK();
}

Status Table::Index(std::shared_ptr<const TableIndex>* index) const {
  if (pinned_index_ != nullptr) {
    *index = pinned_index_;
    return Status::OK();
  }
  *index = cache_->LookupIndex(cache_id_);
  return *index != nullptr ? Status::OK() : ReadIndex(index);
}

uint32_t Table::num_blocks() const {
  std::shared_ptr<const TableIndex> index;
  return Index(&index).ok() ? index->num_blocks() : 0;
}

bool Table::MayContain(uint64_t key_hash) const {
  std::shared_ptr<const TableIndex> index;
  return !Index(&index).ok() || index->MayContain(key_hash);
}

Table::~Table() {
  // A file that stays is no longer in the MANIFEST: the next open removes it.
  if (obsolete_.load(std::memory_order_acquire)) env_->RemoveFile(path()).IgnoreError();
}

Status Table::ReadDataBlock(const TableIndex& index, uint32_t i, bool fill_cache,
                            std::shared_ptr<const Block>* block) const {
  const BlockHandle& h = index.handle(i);
  if (cache_ != nullptr) {
    *block = cache_->Lookup(cache_id_, h.offset);
    if (*block != nullptr) return Status::OK();
  }
  std::string contents;
  Status s = ReadBlock(*file_, h, &contents, cipher_);
  if (!s.ok()) return s;
  s = Block::Parse(std::move(contents), file_name_, h.offset, block);
  if (!s.ok()) return s;
  if (cache_ != nullptr && fill_cache) cache_->Insert(cache_id_, h.offset, *block);
  return Status::OK();
}

Status Table::Seek(std::string_view target, bool fill_cache, bool* found, std::string* key,
                   std::string* value) const {
  *found = false;
  std::shared_ptr<const TableIndex> index;
  Status status = Index(&index);
  if (!status.ok()) return status;
  int64_t i = std::max<int64_t>(index->FindBlock(target), 0);
  for (; i < index->num_blocks(); i++) {
    std::shared_ptr<const Block> block;
    Status s = ReadDataBlock(*index, static_cast<uint32_t>(i), fill_cache, &block);
    if (!s.ok()) return s;
    BlockIterator it(std::move(block), /*reverse=*/false);
    it.Seek(target);
    if (!it.status().ok()) return it.status();
    if (it.Valid()) {
      *found = true;
      key->assign(it.key().data(), it.key().size());
      value->assign(it.value().data(), it.value().size());
      return Status::OK();
    }
  }
  return Status::OK();
}

std::unique_ptr<InternalIterator> Table::NewIterator(bool reverse, bool fill_cache) const {
  return std::make_unique<TableIterator>(shared_from_this(), reverse, fill_cache);
}

Status Table::Verify() const {
  std::string previous;
  uint64_t entries = 0;
  std::shared_ptr<const TableIndex> index;
  Status status = Index(&index);
  if (!status.ok()) return status;
  for (uint32_t i = 0; i < index->num_blocks(); i++) {
    std::shared_ptr<const Block> block;
    Status s = ReadDataBlock(*index, i, /*fill_cache=*/false, &block);
    if (!s.ok()) return s;
    std::string key;
    std::string_view value;
    for (uint32_t e = 0; e < block->num_entries(); e++) {
      ValueStruct vs;
      if (!block->DecodeEntry(e, &key, &value) || !DecodeValueStruct(value, &vs)) {
        return Status::Corruption(block->where() + ": damaged entry " + std::to_string(e));
      }
      if ((e == 0 && key != index->first_key(i)) ||
          (entries > 0 && CompareInternalKeys(previous, key) >= 0)) {
        return Status::Corruption(block->where() + ": entry " + std::to_string(e) +
                                  " is out of order");
      }
      previous = key;
      entries++;
    }
  }
  if (entries != props_.num_entries || previous != props_.largest) {
    return Status::Corruption(path() + ": properties do not match the data (" +
                              std::to_string(entries) + " entries found, " +
                              std::to_string(props_.num_entries) + " recorded)");
  }
  return Status::OK();
}

}  // namespace sett
