#include "fuse/op_stats.h"

namespace settfs {

const char* FuseOpName(FuseOp op) {
  static const char* const kNames[] = {
      "lookup",   "forget",          "getattr",    "setattr",     "readlink",
      "mknod",    "mkdir",           "symlink",    "link",        "unlink",
      "rmdir",    "rename",          "access",     "open",        "create",
      "read",     "write",           "flush",      "release",     "fsync",
      "opendir",  "readdir",         "releasedir", "fsyncdir",    "statfs",
      "setxattr", "getxattr",        "listxattr",  "removexattr", "fallocate",
      "lseek",    "copy_file_range", "ioctl"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<size_t>(FuseOp::kCount),
                "a name for every operation");
  return kNames[static_cast<size_t>(op)];
}

std::vector<OpStats::OpCount> OpStats::Ops() const {
  std::vector<OpCount> out;
  for (size_t i = 0; i < ops_.size(); i++) {
    uint64_t count = ops_[i].count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    out.push_back({static_cast<FuseOp>(i), count, ops_[i].nanos.load(std::memory_order_relaxed)});
  }
  return out;
}

std::string OpStats::Lines() const {
  std::string out;
  for (const OpCount& op : Ops()) {
    out += std::string("op ") + FuseOpName(op.op) + " " + std::to_string(op.count) + " " +
           std::to_string(op.nanos) + "\n";
  }
  out += "read_bytes " + std::to_string(read_bytes()) + "\n";
  out += "written_bytes " + std::to_string(written_bytes()) + "\n";
  return out;
}

}  // namespace settfs
