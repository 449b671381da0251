#include "db/merge_read.h"

#include "format/key_format.h"
#include "lsm/merge_fold.h"

namespace sett {

Status FoldVersions(InternalIterator* it, std::string_view user_key, const MergeFunction& fn,
                    uint64_t now, const ValueResolver& resolver, std::string* value,
                    uint64_t* visited) {
  MergeFold fold;
  std::string base;
  bool have_base = false;
  for (; it->Valid() && UserKey(it->key()) == user_key; it->Next()) {
    ++*visited;
    ValueStruct vs;
    if (!DecodeValueStruct(it->value(), &vs)) {
      return Status::Corruption("malformed value struct of key '" + std::string(user_key) +
                                "' version " + std::to_string(VersionOf(it->key())));
    }
    if (vs.IsDeletedOrExpired(now)) break;
    if (vs.IsMerge() && !ValueResolver::IsPointer(vs)) {
      fold.AddOperand(vs.value);
      continue;
    }
    Status s = resolver.Resolve(it->key(), vs, &base);
    if (!s.ok()) return s;
    if (vs.IsMerge()) {  // Operands are kept in the tree; read one from the log all the same.
      fold.AddOperand(base);
      continue;
    }
    have_base = true;
    break;
  }
  if (!it->status().ok()) return it->status();
  *value =
      fold.Onto(fn, user_key, have_base ? std::optional<std::string_view>(base) : std::nullopt);
  return Status::OK();
}

}  // namespace sett
