#include "db/db_iter.h"

namespace sett {
namespace {

// The smallest key greater than every key that starts with prefix, or "" when none exists.
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

}  // namespace

DBIter::DBIter(std::unique_ptr<InternalIterator> input, std::shared_ptr<const void> pin,
               ValueResolver resolver, uint64_t read_ts, std::string prefix, bool reverse,
               bool key_only, uint64_t now)
    : input_(std::move(input)),
      pin_(std::move(pin)),
      resolver_(std::move(resolver)),
      read_ts_(read_ts),
      prefix_(std::move(prefix)),
      prefix_end_(PrefixSuccessor(prefix_)),
      reverse_(reverse),
      key_only_(key_only),
      now_(now) {}

void DBIter::Rewind() {
  skip_valid_ = false;
  status_ = Status::OK();
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

void DBIter::Seek(std::string_view key) {
  skip_valid_ = false;
  status_ = Status::OK();
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

void DBIter::Next() {
  if (!reverse_) {
    input_->Next();
    FindForward();
  } else {
    FindBackward();
  }
}

bool DBIter::Decode(ValueStruct* vs) {
  if (DecodeValueStruct(input_->value(), vs)) return true;
  status_ =
      Status::Corruption("malformed value struct of key '" + std::string(UserKey(input_->key())) +
                         "' version " + std::to_string(VersionOf(input_->key())));
  valid_ = false;
  return false;
}

void DBIter::Emit(std::string_view user_key, uint64_t version, const ValueStruct& vs) {
  key_ = user_key;
  version_ = version;
  raw_ = vs;
  internal_key_.clear();
  AppendInternalKey(&internal_key_, user_key, version);
  value_size_ = ValueResolver::ValueSize(internal_key_, vs);
  if (!ValueResolver::IsPointer(vs)) {
    value_ = vs.value;
  } else if (key_only_) {
    value_ = std::string_view();
  } else {
    status_ = resolver_.Resolve(internal_key_, vs, &value_buffer_);
    if (!status_.ok()) return;  // Stops the iterator: valid_ stays false.
    value_ = value_buffer_;
  }
  valid_ = true;
}

void DBIter::FindForward() {
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
    Emit(skip_key_, VersionOf(ikey), vs);
    return;
  }
}

void DBIter::FindBackward() {
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
    uint64_t found_version = 0;
    for (; input_->Valid() && UserKey(input_->key()) == key_buffer_; input_->Next()) {
      uint64_t version = VersionOf(input_->key());
      if (version > read_ts_) continue;
      ValueStruct vs;
      if (!Decode(&vs)) return;
      raw_buffer_.assign(input_->value().data(), input_->value().size());
      found_version = version;
      found = true;
    }
    if (!found) continue;
    ValueStruct chosen;
    DecodeValueStruct(raw_buffer_, &chosen);  // Decoded once already.
    if (!chosen.IsDeletedOrExpired(now_)) {
      Emit(key_buffer_, found_version, chosen);
      return;
    }
  }
}

}  // namespace sett
