// An encrypted settfs through a real mount: settfs mkfs --encrypt, mount -o keyfile=, files
// that never reach the disk in clear, and the key asked for by every command.

#include <sys/stat.h>
#include <unistd.h>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

const std::string kMarker = "SETTFS-PLAINTEXT-MARKER";

class SettfsEncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(mountpoint().c_str(), 0755), 0);
    sett::test::WriteFile(key(), std::string(64, 'a') + "\n");  // 32 bytes, as hex.
    ASSERT_EQ(::chmod(key().c_str(), 0600), 0);
  }
  std::string settfs() const { return std::string(sett::test::SettfsBinary()) + " "; }
  std::string key() const { return dir_.Join("key"); }
  std::string dbdir() const { return dir_.Join("db"); }
  std::string mountpoint() const { return dir_.Join("mnt"); }
  // Database files that hold needle in clear.
  std::vector<std::string> FilesHolding(const std::string& needle) {
    std::vector<std::string> found;
    for (const std::string& name : sett::test::ListFiles(dbdir(), "")) {
      if (sett::test::ReadFile(dbdir() + "/" + name).find(needle) != std::string::npos) {
        found.push_back(name);
      }
    }
    return found;
  }

  sett::test::TempDir dir_;
};

TEST_F(SettfsEncryptionTest, NothingOfTheFilesReachesTheDiskInClear) {
  std::string out;
  ASSERT_EQ(sett::test::Shell(settfs() + "mkfs " + dbdir() + " --encrypt", &out), 2) << out;
  EXPECT_NE(out.find("--key-file"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(
      sett::test::Shell(settfs() + "mkfs " + dbdir() + " --encrypt --key-file " + key(), &out), 0)
      << out;
  EXPECT_NE(out.find("encrypted"), std::string::npos) << out;

  std::string big;
  for (int i = 0; i < 20000; i++) big += kMarker + " line " + std::to_string(i) + "\n";
  {
    sett::test::SettfsMount mount(dbdir(), mountpoint(), "keyfile=" + key());
    ASSERT_TRUE(mount.mounted()) << mount.Log();
    sett::test::WriteFile(mount.Join("big.txt"), big);
    sett::test::WriteFile(mount.Join(kMarker + "-name"), kMarker + " small\n");
    ASSERT_EQ(sett::test::Shell("cp -a /usr/include/linux " + mount.Join("linux")), 0);
    ::sync();
    std::vector<std::string> while_mounted = FilesHolding(kMarker);
    EXPECT_TRUE(while_mounted.empty()) << while_mounted.front();
    ASSERT_EQ(mount.Unmount(), 0) << mount.Log();
  }
  EXPECT_TRUE(FilesHolding(kMarker).empty());
  EXPECT_TRUE(FilesHolding("#ifndef _LINUX").empty()) << "the copied headers neither";

  // Every command needs the key; with it, the tree is whole.
  out.clear();
  EXPECT_NE(sett::test::Shell(settfs() + "fsck " + dbdir(), &out), 0);
  EXPECT_NE(out.find("is encrypted"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(sett::test::Shell(settfs() + "fsck " + dbdir() + " --key-file " + key(), &out), 0)
      << out;
  out.clear();
  EXPECT_EQ(sett::test::Shell(settfs() + "stat " + dbdir() + " --key-file " + key(), &out), 0)
      << out;
  sett::test::SettfsMount mount(dbdir(), mountpoint(), "keyfile=" + key());
  ASSERT_TRUE(mount.mounted()) << mount.Log();
  EXPECT_EQ(sett::test::ReadFile(mount.Join("big.txt")), big);
  EXPECT_EQ(sett::test::Shell("diff -r /usr/include/linux " + mount.Join("linux")), 0);
  ASSERT_EQ(mount.Unmount(), 0) << mount.Log();
}

TEST_F(SettfsEncryptionTest, AKeyFileOthersCanReadIsRefused) {
  ASSERT_EQ(::chmod(key().c_str(), 0644), 0);
  std::string out;
  EXPECT_EQ(
      sett::test::Shell(settfs() + "mkfs " + dbdir() + " --encrypt --key-file " + key(), &out), 1)
      << out;
  EXPECT_NE(out.find("accessible by others"), std::string::npos) << out;
  EXPECT_FALSE(sett::test::Shell("test -e " + dbdir() + "/KEYREGISTRY") == 0);
}

}  // namespace
}  // namespace settfs
