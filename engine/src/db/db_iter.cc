#include "db/db_iter.h"

#include <algorithm>
#include <vector>

#include "lsm/version_filter.h"

namespace sett {

DBIter::DBIter(std::unique_ptr<InternalIterator> input, std::shared_ptr<const void> pin,
               ValueResolver resolver, DBIterOptions options)
    : input_(std::move(input)),
      pin_(std::move(pin)),
      resolver_(std::move(resolver)),
      opts_(std::move(options)),
      prefix_end_(PrefixSuccessor(opts_.prefix)) {}

void DBIter::Rewind() {
  skip_valid_ = false;
  pending_.clear();
  status_ = Status::OK();
  if (!opts_.reverse) {
    if (opts_.prefix.empty()) {
      input_->Rewind();
    } else {
      input_->Seek(InternalKey(opts_.prefix, opts_.read_ts));
    }
  } else {
    if (prefix_end_.empty()) {
      input_->Rewind();
    } else {
      input_->Seek(InternalKey(prefix_end_, kMaxVersion));
    }
  }
  Next();
}

void DBIter::Seek(std::string_view key) {
  skip_valid_ = false;
  pending_.clear();
  status_ = Status::OK();
  if (!opts_.reverse) {
    if (key < opts_.prefix) key = opts_.prefix;
    input_->Seek(InternalKey(key, opts_.read_ts));
  } else if (!prefix_end_.empty() && key >= prefix_end_) {
    input_->Seek(InternalKey(prefix_end_, kMaxVersion));
  } else {
    // Version 0 sorts last among a key's versions: every version of key is <= this.
    input_->Seek(InternalKey(key, 0));
  }
  Next();
}

void DBIter::Next() {
  if (opts_.all_versions) {
    if (!pending_.empty()) {
      EmitPending();
    } else {
      FindVersions();
    }
  } else if (!opts_.reverse) {
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
  if (vs.IsMerge() && opts_.fold_merges != nullptr) {  // All versions too: the value then.
    status_ = opts_.fold_merges(user_key, version, &value_buffer_);
    if (!status_.ok()) return;
    value_ = value_buffer_;
    value_size_ = value_buffer_.size();
  } else if (!ValueResolver::IsPointer(vs) || vs.IsDelete()) {
    value_ = vs.value;
  } else if (opts_.key_only) {
    value_ = std::string_view();
  } else {
    status_ = resolver_.Resolve(internal_key_, vs, &value_buffer_);
    if (!status_.ok()) return;  // Stops the iterator: valid_ stays false.
    value_ = value_buffer_;
  }
  valid_ = true;
}

DBIter::~DBIter() {
  if (opts_.visited_counter != nullptr) {
    opts_.visited_counter->fetch_add(visited_, std::memory_order_relaxed);
  }
}

void DBIter::SkipTo(std::string_view user_key, uint64_t version) {
  visited_++;
  seek_target_.clear();
  AppendInternalKey(&seek_target_, user_key, version);
  input_->SkipTo(seek_target_);
}

void DBIter::FindForward() {
  valid_ = false;
  // The input rests on the entry yielded last; step past it, then past its older versions.
  // (Each entry is counted once, where it is looked at.)
  if (skip_valid_ && input_->Valid()) input_->Next();
  int steps = 0;  // Entries of one user key passed over in a row.
  while (input_->Valid()) {
    std::string_view ikey = input_->key();
    std::string_view user_key = UserKey(ikey);
    if (!InPrefix(user_key)) return;  // Sorted: nothing after this can match.
    visited_++;
    bool decided = skip_valid_ && user_key == skip_key_;  // An older version of a done key.
    if (decided || VersionOf(ikey) > opts_.read_ts) {
      if (!decided && user_key != run_key_) {  // Versions newer than the read: a new run.
        run_key_.assign(user_key.data(), user_key.size());
        steps = 0;
      }
      if (++steps <= kMaxStepsInRun) {
        input_->Next();
        continue;
      }
      // A long run: seek past the older versions of a done key (version 0 sorts after every
      // version), or to the newest visible version of this one.
      steps = 0;
      std::string key(user_key);
      SkipTo(key, decided ? 0 : opts_.read_ts);
      // Version 0 itself may exist: step over it.
      if (decided && input_->Valid() && UserKey(input_->key()) == skip_key_) input_->Next();
      continue;
    }
    steps = 0;
    skip_key_.assign(user_key.data(), user_key.size());
    skip_valid_ = true;
    ValueStruct vs;
    if (!Decode(&vs)) return;
    if (vs.IsDeletedOrExpired(opts_.now)) {
      input_->Next();
      continue;
    }
    Emit(skip_key_, VersionOf(ikey), vs);
    return;
  }
}

bool DBIter::ProbeNewest(bool* found, uint64_t* version) {
  if (probe_ == nullptr) probe_ = opts_.new_forward_probe();
  visited_++;
  probe_->Seek(InternalKey(key_buffer_, opts_.read_ts));
  *found = probe_->Valid() && UserKey(probe_->key()) == key_buffer_;
  if (!probe_->status().ok()) {
    status_ = probe_->status();
    return false;
  }
  if (!*found) return true;
  *version = VersionOf(probe_->key());
  raw_buffer_.assign(probe_->value().data(), probe_->value().size());
  ValueStruct vs;
  if (DecodeValueStruct(raw_buffer_, &vs)) return true;
  status_ = Status::Corruption("malformed value struct of key '" + key_buffer_ + "' version " +
                               std::to_string(*version));
  return false;
}

void DBIter::FindBackward() {
  valid_ = false;
  while (input_->Valid()) {
    std::string_view user_key = UserKey(input_->key());
    if (!InPrefix(user_key)) {
      if (user_key < opts_.prefix) return;  // Below the prefix range: done.
      Step();                               // Above it (the seek landed on the successor).
      continue;
    }
    key_buffer_.assign(user_key.data(), user_key.size());
    bool found = false;
    uint64_t found_version = 0;
    int steps = 0;
    while (input_->Valid() && UserKey(input_->key()) == key_buffer_) {
      if (++steps > kMaxStepsInRun && opts_.new_forward_probe != nullptr) {
        // A long run: the probe finds the newest visible version; then seek past the run
        // (version kMaxVersion sorts before every version) and step over what is left of it.
        if (!ProbeNewest(&found, &found_version)) return;
        SkipTo(key_buffer_, kMaxVersion);
        while (input_->Valid() && UserKey(input_->key()) == key_buffer_) Step();
        break;
      }
      uint64_t version = VersionOf(input_->key());
      if (version <= opts_.read_ts) {
        ValueStruct vs;
        if (!Decode(&vs)) return;
        raw_buffer_.assign(input_->value().data(), input_->value().size());
        found_version = version;
        found = true;
      }
      Step();
    }
    if (!found) continue;
    ValueStruct chosen;
    DecodeValueStruct(raw_buffer_, &chosen);  // Decoded once already.
    if (!chosen.IsDeletedOrExpired(opts_.now)) {
      Emit(key_buffer_, found_version, chosen);
      return;
    }
  }
}

void DBIter::FindVersions() {
  valid_ = false;
  while (input_->Valid()) {
    std::string_view user_key = UserKey(input_->key());
    if (!InPrefix(user_key)) {
      bool beyond = opts_.reverse ? user_key < opts_.prefix : user_key > opts_.prefix;
      if (beyond) return;
      Step();
      continue;
    }
    key_buffer_.assign(user_key.data(), user_key.size());
    std::vector<Version> versions;  // In input order.
    for (; input_->Valid() && UserKey(input_->key()) == key_buffer_; Step()) {
      uint64_t version = VersionOf(input_->key());
      if (version > opts_.read_ts) continue;
      ValueStruct vs;
      if (!Decode(&vs)) return;
      versions.push_back(Version{version, std::string(input_->value())});
    }
    if (opts_.reverse) std::reverse(versions.begin(), versions.end());  // Newest first.
    VersionFilter filter(&opts_.readers, opts_.versions_to_keep, opts_.now, false);
    for (size_t i = 0; i < versions.size(); i++) {
      ValueStruct vs;
      DecodeValueStruct(versions[i].raw, &vs);
      if (!filter.Keep(versions[i].version, vs, i == 0)) continue;
      if (opts_.reverse) {
        pending_.push_front(std::move(versions[i]));
      } else {
        pending_.push_back(std::move(versions[i]));
      }
    }
    if (!pending_.empty()) {
      EmitPending();
      return;
    }
  }
}

void DBIter::EmitPending() {
  valid_ = false;
  raw_buffer_ = std::move(pending_.front().raw);
  uint64_t version = pending_.front().version;
  pending_.pop_front();
  ValueStruct vs;
  DecodeValueStruct(raw_buffer_, &vs);
  Emit(key_buffer_, version, vs);
}

}  // namespace sett
