// What the kernel's mount table (/proc/self/mountinfo) says about settfs mounts, and the
// absolute paths that settfs commands compare against it.

#ifndef SETTFS_TOOLS_MOUNT_TABLE_H_
#define SETTFS_TOOLS_MOUNT_TABLE_H_

#include <string>

namespace settfs {

// path made absolute (resolved through symbolic links when it exists).
std::string Absolute(const std::string& path);

// Whether a settfs filesystem is mounted on mountpoint (absolute) now; its database
// directory, as the daemon named it (fsname), in *dbdir when given.
bool FindSettfsMount(const std::string& mountpoint, std::string* dbdir = nullptr);

// The database directory a command's TARGET names: the one mounted there when TARGET is a
// settfs mount point, else TARGET itself (made absolute).
std::string DatabaseDirOf(const std::string& target);

// Undoes the octal escapes (\040 for a space) of a path in /proc/self/mountinfo.
std::string UnescapeMountPath(const std::string& field);

}  // namespace settfs

#endif  // SETTFS_TOOLS_MOUNT_TABLE_H_
