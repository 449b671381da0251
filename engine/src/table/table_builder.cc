#include "table/table_builder.h"

#include "format/key_format.h"
#include "util/coding.h"
#include "util/hash.h"

namespace sett {

TableBuilder::TableBuilder(const TableBuilderOptions& options, WritableFile* file)
    : options_(options), file_(file), bloom_(options.bloom_bits_per_key) {}

Status TableBuilder::Add(std::string_view key, std::string_view value) {
  if (!status_.ok()) return status_;
  uint64_t version = VersionOf(key);
  if (props_.num_entries == 0) {
    props_.smallest.assign(key.data(), key.size());
    props_.min_version = props_.max_version = version;
    bloom_.AddHash(KeyHash(UserKey(key)));
  } else if (SameUserKey(key, last_key_)) {
    props_.num_older_versions++;
  } else {
    bloom_.AddHash(KeyHash(UserKey(key)));
  }
  props_.num_entries++;
  props_.min_version = std::min(props_.min_version, version);
  props_.max_version = std::max(props_.max_version, version);
  ValueStruct vs;
  if (DecodeValueStruct(value, &vs) && vs.IsDelete()) props_.num_deletes++;
  last_key_.assign(key.data(), key.size());

  data_block_.Add(key, value);
  if (data_block_.EstimatedSize() >= options_.block_size) return FlushDataBlock();
  return Status::OK();
}

BlockHandle TableBuilder::WriteBlock(std::string_view contents, Compression compression) {
  BlockHandle handle;
  handle.offset = offset_ + pending_.size();
  size_t start = pending_.size();
  Status s = AppendStoredBlock(contents, compression, options_.zstd_level, options_.cipher,
                               handle.offset, &pending_);
  if (!s.ok() && status_.ok()) status_ = s;  // Finish reports it.
  handle.size = pending_.size() - start - kBlockTrailerSize;
  return handle;
}

Status TableBuilder::FlushDataBlock() {
  if (data_block_.empty()) return Status::OK();
  std::string base_key(data_block_.base_key());
  BlockHandle handle = WriteBlock(data_block_.Finish(), options_.compression);
  data_block_.Reset();
  if (!status_.ok()) return status_;
  PutLengthPrefixed(&index_entries_, base_key);
  PutVarint64(&index_entries_, handle.offset);
  PutVarint64(&index_entries_, handle.size);
  num_blocks_++;
  status_ = file_->Append(pending_);
  offset_ += pending_.size();
  pending_.clear();
  return status_;
}

Status TableBuilder::Finish() {
  Status s = FlushDataBlock();
  if (!s.ok()) return s;
  Footer footer;
  footer.bloom = WriteBlock(bloom_.Finish(), Compression::kNone);

  std::string index;
  PutVarint32(&index, num_blocks_);
  index.append(index_entries_);
  PutLengthPrefixed(&index, props_.smallest);
  PutLengthPrefixed(&index, props_.largest = last_key_);
  PutVarint64(&index, props_.num_entries);
  PutVarint64(&index, props_.num_deletes);
  PutVarint64(&index, props_.num_older_versions);
  PutVarint64(&index, props_.min_version);
  PutVarint64(&index, props_.max_version);
  footer.index = WriteBlock(index, Compression::kNone);
  if (!status_.ok()) return status_;

  pending_.append(EncodeFooter(footer));
  status_ = file_->Append(pending_);
  offset_ += pending_.size();
  pending_.clear();
  if (status_.ok()) status_ = file_->Flush();
  return status_;
}

}  // namespace sett
