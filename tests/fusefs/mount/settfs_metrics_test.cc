// settfs mount -o metrics=PORT through a real mount: /metrics answers in Prometheus's text
// format with the requests served and the bytes written, other paths get 404, and a port in
// use fails the mount with a message.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

// A port nobody listens on now.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The whole HTTP/1.0 response to GET path on 127.0.0.1:port, or "" when none came.
std::string HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) response.append(buf, n);
    }
  }
  ::close(fd);
  return response;
}

// The value on the line that starts with `series `, or -1.
double Series(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::strtod(text.c_str() + at + series.size() + 2, nullptr);
}

class SettfsMetricsTest : public MountedTest {
 protected:
  void SetUp() override {
    port_ = FreePort();
    ASSERT_GT(port_, 0);
    MountedTest::SetUp();
  }
  std::string MountOptions() const override { return "metrics=" + std::to_string(port_); }
  int port_ = -1;
};

TEST_F(SettfsMetricsTest, ServesPrometheusTextWithRequestsAndBytes) {
  sett::test::WriteFile(P("file"), std::string(1 << 20, 'x'));
  ::sync();
  std::string response = HttpGet(port_, "/metrics");
  ASSERT_NE(response.find("200 OK"), std::string::npos) << response;
  EXPECT_NE(response.find("text/plain; version=0.0.4"), std::string::npos) << response;
  EXPECT_NE(response.find("# TYPE settfs_fuse_ops_total counter"), std::string::npos);
  EXPECT_GE(Series(response, "settfs_fuse_ops_total{op=\"create\"}"), 1) << response;
  EXPECT_GE(Series(response, "settfs_fuse_ops_total{op=\"write\"}"), 1) << response;
  EXPECT_GT(Series(response, "settfs_fuse_op_seconds_total{op=\"write\"}"), 0) << response;
  EXPECT_GE(Series(response, "settfs_written_bytes_total"), 1 << 20) << response;
  EXPECT_GE(Series(response, "sett_txn_commits_total"), 1) << response;
  EXPECT_GE(Series(response, "sett_write_stall_seconds_total"), 0) << response;
  EXPECT_NE(HttpGet(port_, "/other").find("404"), std::string::npos);
  // 1,000 creates are counted as 1,000.
  const double before = Series(response, "settfs_fuse_ops_total{op=\"create\"}");
  for (int i = 0; i < 1000; i++) sett::test::WriteFile(P("f" + std::to_string(i)), "x");
  response = HttpGet(port_, "/metrics");
  EXPECT_EQ(Series(response, "settfs_fuse_ops_total{op=\"create\"}") - before, 1000) << response;

  // Another mount asking for the same port is refused, saying why.
  std::string other = dir_.Join("other-mnt"), out;
  ASSERT_EQ(::mkdir(other.c_str(), 0755), 0);
  EXPECT_EQ(sett::test::Shell(std::string(sett::test::SettfsBinary()) +
                                  " mount -o metrics=" + std::to_string(port_) + " " +
                                  dir_.Join("other-db") + " " + other + " 2>&1",
                              &out),
            1)
      << out;
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << out;
  EXPECT_FALSE(sett::test::IsSettfsMounted(other));
  if (sett::test::IsSettfsMounted(other)) sett::test::Shell("fusermount3 -u " + other);
}

}  // namespace
}  // namespace settfs
