#include "control_channel.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace settfs {
namespace {

using sett::Status;

constexpr size_t kMaxRequest = 4096;

// "\0settfs-<hash of dbdir>": an abstract socket name.
sockaddr_un AddressFor(const std::string& dbdir, socklen_t* length) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  char name[64];
  int n = std::snprintf(name, sizeof name, "settfs-%016llx",
                        static_cast<unsigned long long>(XXH64(dbdir.data(), dbdir.size(), 0)));
  std::memcpy(addr.sun_path + 1, name, n);
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  return addr;
}

bool WriteAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads up to the first newline (false if the peer stops first or sends more than max).
bool ReadLine(int fd, size_t max, std::string* out) {
  char buf[4096];
  while (out->size() < max) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out->append(buf, static_cast<size_t>(n));
    if (out->find('\n') != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Status ControlServer::Start(const std::string& dbdir, Handler handler,
                            std::unique_ptr<ControlServer>* server) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("control socket", errno);
  socklen_t length;
  sockaddr_un addr = AddressFor(dbdir, &length);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EADDRINUSE) return Status::Busy("another settfs daemon serves " + dbdir);
    return Status::IOError("binding the control socket of " + dbdir, err);
  }
  if (::listen(fd, 8) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError("listening on the control socket of " + dbdir, err);
  }
  server->reset(new ControlServer(fd, std::move(handler)));
  return Status::OK();
}

ControlServer::ControlServer(int fd, Handler handler) : fd_(fd), handler_(std::move(handler)) {
  thread_ = std::thread([this] { Serve(); });
}

ControlServer::~ControlServer() {
  ::shutdown(fd_, SHUT_RDWR);  // Wakes accept.
  thread_.join();
  ::close(fd_);
}

void ControlServer::Serve() {
  while (true) {
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // Shut down.
    }
    Answer(client);
    ::close(client);
  }
}

void ControlServer::Answer(int client) {
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 ||
      (peer.uid != 0 && peer.uid != ::getuid())) {
    WriteAll(client, "error 1 permission denied: only the mount's owner and root may ask\n");
    return;
  }
  timeval timeout{10, 0};  // A client that never finishes its line does not hold the channel.
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string request;
  if (!ReadLine(client, kMaxRequest, &request)) {
    WriteAll(client, "error 2 the request must be one line of at most 4096 bytes\n");
    return;
  }
  request.resize(request.find('\n'));
  handler_(request, [client](std::string_view bytes) { return WriteAll(client, bytes); });
}

Status SendControlRequest(const std::string& dbdir, const std::string& request,
                          const ControlWriter& sink) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("control socket", errno);
  socklen_t length;
  sockaddr_un addr = AddressFor(dbdir, &length);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    int err = errno;
    ::close(fd);
    if (err == ECONNREFUSED || err == ENOENT) {
      return Status::NotFound("no settfs daemon serves " + dbdir);
    }
    return Status::IOError("connecting to the settfs daemon of " + dbdir, err);
  }
  // Anyone may bind an abstract name first: talk only to a daemon run by root or by the owner
  // of the database directory.
  ucred peer{};
  socklen_t size = sizeof peer;
  struct stat dir;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 ||
      ::stat(dbdir.c_str(), &dir) != 0 || (peer.uid != 0 && peer.uid != dir.st_uid)) {
    ::close(fd);
    return Status::IOError("the control socket of " + dbdir + " is held by user " +
                           std::to_string(peer.uid) + ", who owns neither it nor the system");
  }
  Status s;
  if (!WriteAll(fd, request + "\n")) {
    s = Status::IOError("talking to the settfs daemon of " + dbdir, errno);
  }
  char buf[1 << 16];
  while (s.ok()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = Status::IOError("reading from the settfs daemon of " + dbdir, errno);
    if (n <= 0) break;
    if (!sink(std::string_view(buf, static_cast<size_t>(n)))) break;
  }
  ::close(fd);
  return s;
}

Status SendControlRequest(const std::string& dbdir, const std::string& request,
                          std::string* answer) {
  answer->clear();
  return SendControlRequest(dbdir, request, [answer](std::string_view bytes) {
    answer->append(bytes);
    return answer->size() < (64u << 20);
  });
}

}  // namespace settfs
