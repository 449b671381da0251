#include "core/acl.h"

#include "core/codec.h"

namespace settfs {
namespace {

constexpr uint32_t kXattrVersion = 2;
constexpr size_t kEntrySize = 8;
constexpr size_t kMaxEntries = 4096;  // Far beyond what fits in an attribute value.

}  // namespace

bool PosixAcl::Parse(std::string_view value, PosixAcl* acl) {
  if (value.size() < 4 || (value.size() - 4) % kEntrySize != 0) return false;
  if ((value.size() - 4) / kEntrySize > kMaxEntries) return false;
  Reader r(value);
  if (r.U32() != kXattrVersion) return false;
  acl->entries_.clear();
  int owners = 0, groups = 0, others = 0, masks = 0, named = 0;
  while (!r.done()) {
    Entry e;
    e.tag = r.U16();
    e.perm = r.U16();
    e.id = r.U32();
    if (!r.ok() || e.perm > 7) return false;
    if (!acl->entries_.empty()) {
      const Entry& last = acl->entries_.back();
      if (e.tag < last.tag || (e.tag == last.tag && e.id <= last.id)) return false;
    }
    switch (e.tag) {
      case kUserObj:
        owners++;
        break;
      case kGroupObj:
        groups++;
        break;
      case kOther:
        others++;
        break;
      case kMask:
        masks++;
        break;
      case kUser:
      case kGroup:
        named++;
        break;
      default:
        return false;
    }
    if (e.tag != kUser && e.tag != kGroup) e.id = 0;  // Meaningless there; kept canonical.
    acl->entries_.push_back(e);
  }
  return owners == 1 && groups == 1 && others == 1 && masks <= 1 && (named == 0 || masks == 1);
}

std::string PosixAcl::Encode() const {
  std::string out;
  PutU32(&out, kXattrVersion);
  for (const Entry& e : entries_) {
    PutU16(&out, e.tag);
    PutU16(&out, e.perm);
    PutU32(&out, e.tag == kUser || e.tag == kGroup ? e.id : UINT32_MAX);
  }
  return out;
}

bool PosixAcl::IsMinimal() const {
  for (const Entry& e : entries_) {
    if (e.tag != kUserObj && e.tag != kGroupObj && e.tag != kOther) return false;
  }
  return true;
}

size_t PosixAcl::GroupClass() const {
  size_t group = entries_.size();
  for (size_t i = 0; i < entries_.size(); i++) {
    if (entries_[i].tag == kMask) return i;
    if (entries_[i].tag == kGroupObj) group = i;
  }
  return group;
}

uint32_t PosixAcl::ModeBits() const {
  uint32_t bits = 0;
  for (const Entry& e : entries_) {
    if (e.tag == kUserObj) bits |= uint32_t{e.perm} << 6;
    if (e.tag == kOther) bits |= e.perm;
  }
  size_t group = GroupClass();
  if (group < entries_.size()) bits |= uint32_t{entries_[group].perm} << 3;
  return bits;
}

void PosixAcl::Chmod(uint32_t mode) {
  for (Entry& e : entries_) {
    if (e.tag == kUserObj) e.perm = (mode >> 6) & 7;
    if (e.tag == kOther) e.perm = mode & 7;
  }
  size_t group = GroupClass();
  if (group < entries_.size()) entries_[group].perm = (mode >> 3) & 7;
}

PosixAcl PosixAcl::ForNewFile(uint32_t* mode) const {
  PosixAcl acl = *this;
  for (Entry& e : acl.entries_) {
    if (e.tag == kUserObj) e.perm &= (*mode >> 6) & 7;
    if (e.tag == kOther) e.perm &= *mode & 7;
  }
  size_t group = acl.GroupClass();
  if (group < acl.entries_.size()) acl.entries_[group].perm &= (*mode >> 3) & 7;
  *mode = (*mode & ~0777u) | acl.ModeBits();
  return acl;
}

}  // namespace settfs
