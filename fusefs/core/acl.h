// PosixAcl: a POSIX access control list as the kernel hands it to settfs, the value of the
// system.posix_acl_access and system.posix_acl_default attributes (a version, then entries of
// tag, permission bits and id, little-endian), and the rules that tie an ACL to its file's
// mode: the permission bits it implies, how chmod rewrites it, and what a new file inherits
// from its directory's default ACL. The kernel enforces ACLs; settfs keeps them consistent.

#ifndef SETTFS_CORE_ACL_H_
#define SETTFS_CORE_ACL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace settfs {

class PosixAcl {
 public:
  enum Tag : uint16_t {
    kUserObj = 0x01,  // The owner.
    kUser = 0x02,     // A named user.
    kGroupObj = 0x04,
    kGroup = 0x08,  // A named group.
    kMask = 0x10,   // The most any group-class entry grants.
    kOther = 0x20,
  };
  struct Entry {
    uint16_t tag = 0;
    uint16_t perm = 0;  // rwx: 4, 2, 1.
    uint32_t id = 0;    // For kUser and kGroup.
  };
  static constexpr std::string_view kAccessName = "system.posix_acl_access";
  static constexpr std::string_view kDefaultName = "system.posix_acl_default";

  static bool IsAclName(std::string_view name) {
    return name == kAccessName || name == kDefaultName;
  }

  // False when value is malformed or no valid ACL: entries in tag order (named ones by id,
  // each id once), one owner, group and other entry, a mask where there are named entries.
  static bool Parse(std::string_view value, PosixAcl* acl);
  std::string Encode() const;

  // Only owner, group and other entries: the mode says everything, nothing needs storing.
  bool IsMinimal() const;
  // The nine permission bits it implies: owner, mask (or group without one), other.
  uint32_t ModeBits() const;
  // chmod: the owner, mask (or group) and other entries take mode's bits.
  void Chmod(uint32_t mode);
  // The access ACL of a file made with *mode in a directory whose default ACL this is: each
  // class grants at most what the mode asks. *mode keeps its other bits and gets the ACL's.
  PosixAcl ForNewFile(uint32_t* mode) const;

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  // The index of the entry whose bits stand for the group class in the mode: the mask, else
  // the group entry (entries_.size() if neither).
  size_t GroupClass() const;

  std::vector<Entry> entries_;
};

}  // namespace settfs

#endif  // SETTFS_CORE_ACL_H_
