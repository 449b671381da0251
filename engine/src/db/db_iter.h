// DBIter turns the merged stream of internal entries into the user's view (sett/iterator.h):
// for each user key, the newest version at or below the read timestamp, with deleted and
// expired keys hidden, kept within a prefix, in either direction.
//
// Forward, the versions of a key arrive newest first, so the first one at or below the read
// timestamp decides. In reverse they arrive oldest first, so the iterator reads all of a key's
// versions and keeps the last one at or below the read timestamp.

#ifndef SETT_DB_DB_ITER_H_
#define SETT_DB_DB_ITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "db/key_format.h"
#include "db/value_resolver.h"
#include "iter/internal_iterator.h"
#include "sett/iterator.h"

namespace sett {

class DBIter : public Iterator {
 public:
  // `pin` is kept alive as long as the iterator (the memtables and tables it reads). With
  // key_only, values in the value log are not read (value() is empty for them).
  DBIter(std::unique_ptr<InternalIterator> input, std::shared_ptr<const void> pin,
         ValueResolver resolver, uint64_t read_ts, std::string prefix, bool reverse, bool key_only,
         uint64_t now);

  void Rewind() override;
  void Seek(std::string_view key) override;
  bool Valid() const override { return valid_; }
  void Next() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  uint64_t value_size() const override { return value_size_; }
  uint64_t version() const override { return version_; }
  Status status() const override { return status_.ok() ? input_->status() : status_; }

  // The current entry's value struct, value pointer and all (valid until the next move).
  const ValueStruct& raw_value() const { return raw_; }
  const ValueResolver& resolver() const { return resolver_; }

 private:
  bool InPrefix(std::string_view user_key) const {
    return user_key.substr(0, prefix_.size()) == prefix_;
  }
  bool Decode(ValueStruct* vs);
  void FindForward();
  void FindBackward();
  // Makes the found entry current: sets value_ (reading the value log unless key_only).
  void Emit(std::string_view user_key, uint64_t version, const ValueStruct& vs);

  std::unique_ptr<InternalIterator> input_;
  std::shared_ptr<const void> pin_;
  const ValueResolver resolver_;
  const uint64_t read_ts_;
  const std::string prefix_;
  const std::string prefix_end_;
  const bool reverse_;
  const bool key_only_;
  const uint64_t now_;

  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
  uint64_t value_size_ = 0;
  uint64_t version_ = 0;
  ValueStruct raw_;
  Status status_;
  std::string skip_key_;  // Forward: the last user key decided.
  bool skip_valid_ = false;
  std::string key_buffer_;  // Reverse: the current key and value struct, copied.
  std::string raw_buffer_;
  std::string value_buffer_;  // A value read from the value log.
  std::string internal_key_;
};

}  // namespace sett

#endif  // SETT_DB_DB_ITER_H_
