// A whole tree as the comparisons of the mounted tests see it: for each path, its type and
// mode, size, link count, contents (or symlink target) and user.* extended attributes.

#ifndef SETT_TESTS_FUSEFS_MOUNT_TREE_WALK_H_
#define SETT_TESTS_FUSEFS_MOUNT_TREE_WALK_H_

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_util.h"

namespace settfs {

// What one path is, everything the comparison looks at.
struct TreeNode {
  mode_t mode = 0;
  off_t size = 0;
  nlink_t nlink = 0;
  std::string content;  // Files: the bytes; symlinks: the target.
  std::map<std::string, std::string> xattrs;

  bool operator==(const TreeNode& o) const {
    return mode == o.mode && size == o.size && nlink == o.nlink && content == o.content &&
           xattrs == o.xattrs;
  }
  std::string Describe() const {
    std::ostringstream out;
    out << "mode " << std::oct << mode << std::dec << " size " << size << " nlink " << nlink
        << " xattrs " << xattrs.size() << " content " << content.size() << " bytes";
    return out.str();
  }
};

inline void Walk(const std::string& root, const std::string& rel,
                 std::map<std::string, TreeNode>* tree) {
  std::string path = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(path.c_str());
  ASSERT_NE(d, nullptr) << path << ": " << strerror(errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names) {
    std::string child_rel = rel.empty() ? name : rel + "/" + name;
    std::string child = root + "/" + child_rel;
    struct stat st;
    ASSERT_EQ(::lstat(child.c_str(), &st), 0) << child;
    TreeNode node;
    node.mode = st.st_mode;
    node.nlink = st.st_nlink;
    if (S_ISREG(st.st_mode)) {
      node.size = st.st_size;
      node.content = sett::test::ReadFile(child);
    } else if (S_ISLNK(st.st_mode)) {
      node.size = st.st_size;
      char target[4096];
      ssize_t n = ::readlink(child.c_str(), target, sizeof(target));
      node.content.assign(target, n > 0 ? static_cast<size_t>(n) : 0);
    }
    if (!S_ISLNK(st.st_mode)) {
      char names_buf[4096];
      ssize_t n = ::llistxattr(child.c_str(), names_buf, sizeof(names_buf));
      for (ssize_t i = 0; i < n;) {
        std::string key(names_buf + i);
        i += static_cast<ssize_t>(key.size()) + 1;
        if (key.rfind("user.", 0) != 0) continue;  // The host may add security.* ones.
        char value[512];
        ssize_t v = ::lgetxattr(child.c_str(), key.c_str(), value, sizeof(value));
        node.xattrs[key] = std::string(value, v > 0 ? static_cast<size_t>(v) : 0);
      }
    }
    (*tree)[child_rel] = node;
    if (S_ISDIR(st.st_mode)) Walk(root, child_rel, tree);
  }
}

}  // namespace settfs

#endif  // SETT_TESTS_FUSEFS_MOUNT_TREE_WALK_H_
