#include "db/db_iter.h"

#include "db/key_format.h"

namespace sett {
namespace {

// The smallest key greater than every key that starts with prefix, or "" when none exists.
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

class DBIter : public Iterator {
 public:
  DBIter(std::unique_ptr<InternalIterator> input, std::shared_ptr<const void> pin, uint64_t read_ts,
         std::string prefix, bool reverse, uint64_t now)
      : input_(std::move(input)),
        pin_(std::move(pin)),
        read_ts_(read_ts),
        prefix_(std::move(prefix)),
        prefix_end_(PrefixSuccessor(prefix_)),
        reverse_(reverse),
        now_(now) {}

  void Rewind() override {
    skip_valid_ = false;
    if (!reverse_) {
      if (prefix_.empty()) {
        input_->Rewind();
      } else {
        input_->Seek(InternalKey(prefix_, read_ts_));
      }
      FindForward();
    } else {
      if (prefix_end_.empty()) {
        input_->Rewind();
      } else {
        input_->Seek(InternalKey(prefix_end_, kMaxVersion));
      }
      FindBackward();
    }
  }

  void Seek(std::string_view key) override {
    skip_valid_ = false;
    if (!reverse_) {
      if (key < prefix_) key = prefix_;
      input_->Seek(InternalKey(key, read_ts_));
      FindForward();
    } else {
      if (!prefix_end_.empty() && key >= prefix_end_) {
        input_->Seek(InternalKey(prefix_end_, kMaxVersion));
      } else {
        // Version 0 sorts last among a key's versions: every version of key is <= this.
        input_->Seek(InternalKey(key, 0));
      }
      FindBackward();
    }
  }

  bool Valid() const override { return valid_; }

  void Next() override {
    if (!reverse_) {
      input_->Next();
      FindForward();
    } else {
      FindBackward();
    }
  }

  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  uint64_t version() const override { return version_; }
  Status status() const override { return status_.ok() ? input_->status() : status_; }

 private:
  bool InPrefix(std::string_view user_key) const {
    return user_key.substr(0, prefix_.size()) == prefix_;
  }

  // Decodes the current input value; on a malformed one, stops the iterator with an error.
  bool Decode(ValueStruct* vs) {
    if (DecodeValueStruct(input_->value(), vs)) return true;
    status_ =
        Status::Corruption("malformed value struct of key '" + std::string(UserKey(input_->key())) +
                           "' version " + std::to_string(VersionOf(input_->key())));
    valid_ = false;
    return false;
  }

  // From the current input position, finds the next visible entry going forward.
  void FindForward() {
    valid_ = false;
    for (; input_->Valid(); input_->Next()) {
      std::string_view ikey = input_->key();
      std::string_view user_key = UserKey(ikey);
      if (!InPrefix(user_key)) return;  // Sorted: nothing after this can match.
      if (VersionOf(ikey) > read_ts_) continue;
      if (skip_valid_ && user_key == skip_key_) continue;  // An older version of a done key.
      skip_key_.assign(user_key.data(), user_key.size());
      skip_valid_ = true;
      ValueStruct vs;
      if (!Decode(&vs)) return;
      if (vs.IsDeletedOrExpired(now_)) continue;
      key_ = skip_key_;
      value_ = vs.value;
      version_ = VersionOf(ikey);
      valid_ = true;
      return;
    }
  }

  // Reads whole user keys backwards (their versions arrive oldest first) until one has a
  // visible newest version at or below the read timestamp.
  void FindBackward() {
    valid_ = false;
    while (input_->Valid()) {
      std::string_view user_key = UserKey(input_->key());
      if (!InPrefix(user_key)) {
        if (user_key < prefix_) return;  // Below the prefix range: done.
        input_->Next();                  // Above it (the seek landed on the successor).
        continue;
      }
      key_buffer_.assign(user_key.data(), user_key.size());
      bool found = false;
      ValueStruct chosen;
      for (; input_->Valid() && UserKey(input_->key()) == key_buffer_; input_->Next()) {
        uint64_t version = VersionOf(input_->key());
        if (version > read_ts_) continue;
        ValueStruct vs;
        if (!Decode(&vs)) return;
        chosen = vs;
        value_buffer_.assign(vs.value.data(), vs.value.size());
        version_ = version;
        found = true;
      }
      if (found && !chosen.IsDeletedOrExpired(now_)) {
        key_ = key_buffer_;
        value_ = value_buffer_;
        valid_ = true;
        return;
      }
    }
  }

  std::unique_ptr<InternalIterator> input_;
  std::shared_ptr<const void> pin_;
  const uint64_t read_ts_;
  const std::string prefix_;
  const std::string prefix_end_;
  const bool reverse_;
  const uint64_t now_;

  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
  uint64_t version_ = 0;
  std::string skip_key_;  // Forward: the last user key decided.
  bool skip_valid_ = false;
  Status status_;
  std::string key_buffer_;  // Reverse: the current key and value, copied.
  std::string value_buffer_;
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> input,
                                        std::shared_ptr<const void> pin, uint64_t read_ts,
                                        std::string prefix, bool reverse, uint64_t now) {
  return std::make_unique<DBIter>(std::move(input), std::move(pin), read_ts, std::move(prefix),
                                  reverse, now);
}

}  // namespace sett
