// Helpers shared by the tests: temporary directories, status assertions, file surgery.

#ifndef SETT_TESTS_SUPPORT_TEST_UTIL_H_
#define SETT_TESTS_SUPPORT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sett/status.h"

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    ::sett::Status _s = (expr);                             \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                     \
  do {                                                      \
    ::sett::Status _s = (expr);                             \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

namespace sett::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction
// unless the test failed (then it is kept and its path printed).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Whole-file helpers; they fail the test on error.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);
uint64_t FileSize(const std::string& path);
// Flips the bits of one byte.
void FlipByte(const std::string& path, uint64_t offset);
// Bytes of the regular files directly in dir. A file that vanishes meanwhile (a DB renames and
// removes its files as it works) counts as 0 instead of failing the test.
uint64_t DirectoryBytes(const std::string& dir);
// Names in dir that end with suffix, sorted.
std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix);

// The seed for randomized tests: $SETT_TEST_SEED when set, else `fallback`.
uint64_t TestSeed(uint64_t fallback);

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_TEST_UTIL_H_
