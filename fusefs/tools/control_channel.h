// The control channel between settfs commands and a running settfs daemon, so that a command
// can act on a mounted filesystem (whose database the daemon holds locked): a Unix stream
// socket in the abstract namespace, named after the database directory, so that it needs no
// file (none is left behind by a killed daemon) and its name never outgrows sun_path.
//
// One request per connection: the command sends one line, the daemon answers with lines and
// closes. Only the daemon's own user and root may ask, and a command talks only to a daemon
// run by root or by the owner of the database directory (SO_PEERCRED both ways: any user could
// bind the name first).
//
// Thread safety: ControlServer runs its own thread; handler is called on it, one request at a
// time.

#ifndef SETTFS_TOOLS_CONTROL_CHANNEL_H_
#define SETTFS_TOOLS_CONTROL_CHANNEL_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "sett/status.h"

namespace settfs {

// Hands bytes of an answer on; false when the other side has gone.
using ControlWriter = std::function<bool(std::string_view bytes)>;

class ControlServer {
 public:
  // Takes a request line (without its newline) and writes the answer.
  using Handler = std::function<void(const std::string& request, const ControlWriter& write)>;

  // Listens for the daemon of dbdir (an absolute path). Busy when another daemon listens.
  static sett::Status Start(const std::string& dbdir, Handler handler,
                            std::unique_ptr<ControlServer>* server);
  ~ControlServer();  // Stops listening and waits for the thread.

 private:
  ControlServer(int fd, Handler handler);
  void Serve();
  void Answer(int client);

  const int fd_;
  const Handler handler_;
  std::thread thread_;
};

// Sends request to the daemon of dbdir (an absolute path) and hands its answer to sink as it
// comes (sink returns false to stop). NotFound when no daemon listens for dbdir.
sett::Status SendControlRequest(const std::string& dbdir, const std::string& request,
                                const ControlWriter& sink);
// The same, keeping the whole answer.
sett::Status SendControlRequest(const std::string& dbdir, const std::string& request,
                                std::string* answer);

}  // namespace settfs

#endif  // SETTFS_TOOLS_CONTROL_CHANNEL_H_
