// DBIter turns the merged stream of internal entries into the user's view (sett/iterator.h):
// for each user key, the newest version at or below the read timestamp, with deleted and
// expired keys hidden, kept within a prefix, in either direction. With all_versions it shows
// every version still kept instead (lsm/version_filter.h), tombstones included.
//
// Forward, the versions of a key arrive newest first, so the first one at or below the read
// timestamp decides. In reverse they arrive oldest first, so the iterator keeps the last one at
// or below the read timestamp. All-versions mode reads a key's versions whole in either
// direction, filters them newest first, and then yields them in the iteration's order.
//
// Long runs of versions cost a seek, not a step per version: after kMaxStepsInRun entries of one
// user key, forward iteration seeks past the run (to the visible version, or to the next key),
// and reverse iteration asks a forward probe over the same sources for the newest visible
// version, then seeks past the rest of the run. So a key rewritten a million times since the
// last compaction costs about what a key written once does.

#ifndef SETT_DB_DB_ITER_H_
#define SETT_DB_DB_ITER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "db/value_resolver.h"
#include "format/key_format.h"
#include "iter/internal_iterator.h"
#include "lsm/version_filter.h"
#include "sett/iterator.h"

namespace sett {

struct DBIterOptions {
  uint64_t read_ts = 0;
  std::string prefix;
  bool reverse = false;
  bool key_only = false;  // Leave values in the value log unread.
  bool all_versions = false;
  ReadSet readers = ReadSet::From(0);  // For all_versions: what compaction would keep.
  int versions_to_keep = 1;
  uint64_t now = 0;  // Seconds since the epoch, for expiry.
  // Reverse only: builds a forward iterator over the same sources, for finding the newest
  // visible version of a key without stepping through its run.
  std::function<std::unique_ptr<InternalIterator>()> new_forward_probe;
  // Reads the value of a key whose version is a merge operand (the operands folded).
  std::function<Status(std::string_view key, uint64_t version, std::string* value)> fold_merges;
  // Receives the number of entries visited (steps and seeks) when the iterator goes.
  std::shared_ptr<std::atomic<uint64_t>> visited_counter;
};

class DBIter : public Iterator {
 public:
  // Entries of one user key passed one by one before a seek skips the rest of its run.
  static constexpr int kMaxStepsInRun = 8;

  // `pin` is kept alive as long as the iterator (the memtables and tables it reads).
  DBIter(std::unique_ptr<InternalIterator> input, std::shared_ptr<const void> pin,
         ValueResolver resolver, DBIterOptions options);
  ~DBIter() override;

  void Rewind() override;
  void Seek(std::string_view key) override;
  bool Valid() const override { return valid_; }
  void Next() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  uint64_t value_size() const override { return value_size_; }
  uint64_t version() const override { return version_; }
  uint8_t user_meta() const override { return raw_.user_meta; }
  uint64_t expires_at() const override { return raw_.expires_at; }
  bool deleted() const override { return raw_.IsDeletedOrExpired(opts_.now); }
  Status status() const override { return status_.ok() ? input_->status() : status_; }

  // The current entry's value struct, value pointer and all (valid until the next move).
  const ValueStruct& raw_value() const { return raw_; }
  const ValueResolver& resolver() const { return resolver_; }

 private:
  struct Version {
    uint64_t version;
    std::string raw;  // Encoded value struct.
  };

  bool InPrefix(std::string_view user_key) const {
    return user_key.substr(0, opts_.prefix.size()) == opts_.prefix;
  }
  bool Decode(ValueStruct* vs);
  // One step of the input, or a skip to target (a seek forward), counted.
  void Step() {
    visited_++;
    input_->Next();
  }
  void SkipTo(std::string_view user_key, uint64_t version);
  void FindForward();
  void FindBackward();
  // Reverse: finds the newest version of key_buffer_ at or below the read timestamp through
  // the forward probe; sets *found and, when found, *version and raw_buffer_.
  bool ProbeNewest(bool* found, uint64_t* version);
  // All-versions mode: reads the next key's versions into pending_ and yields the first.
  void FindVersions();
  void EmitPending();
  // Makes the found entry current: sets value_ (reading the value log unless key_only).
  void Emit(std::string_view user_key, uint64_t version, const ValueStruct& vs);

  std::unique_ptr<InternalIterator> input_;
  std::shared_ptr<const void> pin_;
  const ValueResolver resolver_;
  const DBIterOptions opts_;
  const std::string prefix_end_;

  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
  uint64_t value_size_ = 0;
  uint64_t version_ = 0;
  ValueStruct raw_;
  Status status_;
  std::string skip_key_;  // Forward: the last user key decided.
  bool skip_valid_ = false;
  std::string key_buffer_;  // The current key and value struct, when copied.
  std::string raw_buffer_;
  std::string value_buffer_;  // A value read from the value log.
  std::string internal_key_;
  std::string seek_target_;
  std::string run_key_;  // Forward: the user key of the versions being passed over.
  std::unique_ptr<InternalIterator> probe_;
  uint64_t visited_ = 0;
  std::deque<Version> pending_;  // All-versions mode: the rest of the current key's versions.
};

}  // namespace sett

#endif  // SETT_DB_DB_ITER_H_
