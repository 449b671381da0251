#include "db/value_resolver.h"

namespace sett {

Status ValueResolver::Resolve(std::string_view internal_key, const ValueStruct& vs,
                              std::string* value) const {
  if (!IsPointer(vs)) {
    value->assign(vs.value.data(), vs.value.size());
    return Status::OK();
  }
  ValuePointer ptr;
  if (!DecodeValuePointer(vs.value, &ptr)) {
    return Status::Corruption("malformed value pointer of key '" +
                              std::string(UserKey(internal_key)) + "' version " +
                              std::to_string(VersionOf(internal_key)));
  }
  std::shared_ptr<const VlogFile> file;
  auto it = files_->find(ptr.file_id);
  if (it != files_->end()) {
    file = it->second;
  } else if (vlog_ != nullptr) {
    std::shared_ptr<const VlogSet> current = vlog_->files();
    auto cur = current->find(ptr.file_id);
    if (cur != current->end()) file = cur->second;
  }
  if (file == nullptr) {
    std::string name = vlog_ != nullptr ? VlogFileName(vlog_->dir(), ptr.file_id)
                                        : "number " + std::to_string(ptr.file_id);
    return Status::Corruption("value of key '" + std::string(UserKey(internal_key)) + "' version " +
                              std::to_string(VersionOf(internal_key)) + " is in value-log file " +
                              name + ", which does not exist");
  }
  return file->Read(ptr, internal_key, value);
}

Status ValueResolver::Resolve(std::string_view user_key, uint64_t version, const ValueStruct& vs,
                              std::string* value) const {
  if (!IsPointer(vs)) {
    value->assign(vs.value.data(), vs.value.size());
    return Status::OK();
  }
  thread_local std::string internal_key;
  internal_key.clear();
  AppendInternalKey(&internal_key, user_key, version);
  return Resolve(internal_key, vs, value);
}

uint64_t ValueResolver::ValueSize(std::string_view internal_key, const ValueStruct& vs) {
  if (!IsPointer(vs)) return vs.value.size();
  ValuePointer ptr;
  if (!DecodeValuePointer(vs.value, &ptr) ||
      ptr.length < kVlogEntryOverhead + internal_key.size()) {
    return 0;
  }
  if (ptr.compressed()) return ptr.value_size;
  return ptr.length - kVlogEntryOverhead - internal_key.size();
}

}  // namespace sett
