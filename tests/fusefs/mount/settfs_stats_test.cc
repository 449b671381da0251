// settfs stats through a real mount: the daemon counts the requests it serves and the bytes
// they move, and the command shows rates per interval and totals since the mount.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsStatsTest = MountedTest;

// The number after "\"name\": " in a JSON line, or -1.
double JsonNumber(const std::string& json, const std::string& name) {
  size_t at = json.find("\"" + name + "\": ");
  if (at == std::string::npos) return -1;
  return std::strtod(json.c_str() + at + name.size() + 4, nullptr);
}

TEST_F(SettfsStatsTest, CountsRequestsAndBytesAndShowsRates) {
  std::string data(4 << 20, '\0');
  std::mt19937 rng(1);
  for (char& c : data) c = static_cast<char>(rng());
  sett::test::WriteFile(P("file"), data);
  ::sync();
  const std::string stats = std::string(sett::test::SettfsBinary()) + " stats ";
  std::string out;
  ASSERT_EQ(sett::test::Shell(stats + mountpoint() + " --once --json --interval 0.1", &out), 0)
      << out;
  EXPECT_GE(JsonNumber(out, "written_bytes"), double(data.size())) << out;
  EXPECT_GE(JsonNumber(out, "create"), 1) << out;
  EXPECT_GE(JsonNumber(out, "engine_txn_commits"), 1) << out;

  // 1,000 creates are counted as 1,000.
  const double creates_before = JsonNumber(out, "create");
  for (int i = 0; i < 1000; i++) sett::test::WriteFile(P("f" + std::to_string(i)), "x");
  out.clear();
  ASSERT_EQ(sett::test::Shell(stats + mountpoint() + " --once --json --interval 0.1", &out), 0);
  EXPECT_EQ(JsonNumber(out, "create") - creates_before, 1000) << out;

  // While a writer runs, the interval shows writes per second and bytes per second.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int fd = ::open(P("busy").c_str(), O_CREAT | O_WRONLY, 0644);
    for (off_t off = 0; !stop; off = (off + (1 << 20)) % (64 << 20)) {
      if (::pwrite(fd, data.data(), 1 << 20, off) < 0 || ::fsync(fd) != 0) break;
    }
    ::close(fd);
  });
  out.clear();
  int code = sett::test::Shell(stats + mountpoint() + " --once --json --interval 0.5", &out);
  stop = true;
  writer.join();
  ASSERT_EQ(code, 0) << out;
  EXPECT_GT(JsonNumber(out, "written_bytes_per_second"), 0) << out;
  EXPECT_GT(JsonNumber(out, "ops_per_second"), 0) << out;
  EXPECT_NE(out.find("\"fsync\": {\"per_second\": "), std::string::npos) << out;

  // The table form, and a mount point with no daemon.
  out.clear();
  ASSERT_EQ(sett::test::Shell(stats + mountpoint() + " --count 1 --interval 0.1", &out), 0);
  EXPECT_NE(out.find("ops/s"), std::string::npos) << out;
  ASSERT_EQ(mount_->Unmount(), 0);
  out.clear();
  EXPECT_EQ(sett::test::Shell(stats + mountpoint() + " --once", &out), 1) << out;
  EXPECT_NE(out.find("is it mounted?"), std::string::npos) << out;
}

}  // namespace
}  // namespace settfs
