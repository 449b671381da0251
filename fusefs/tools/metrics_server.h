// MetricsServer serves a mount's figures (what `settfs stats` shows) over HTTP in
// Prometheus's text format, at /metrics, for `settfs mount -o metrics=[ADDR:]PORT`
// (127.0.0.1 when no address is given). The HTTP side is cpp-httplib's.
//
// Names follow Prometheus's conventions: settfs_fuse_ops_total{op="write"},
// settfs_fuse_op_seconds_total{op=...}, settfs_read_bytes_total, settfs_written_bytes_total,
// and the engine's counters as sett_<name>_total (microseconds as _seconds_total).
//
// Thread safety: the server runs its own threads; render is called on them.

#ifndef SETTFS_TOOLS_METRICS_SERVER_H_
#define SETTFS_TOOLS_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "fuse/op_stats.h"
#include "sett/db.h"

namespace httplib {
class Server;
}

namespace settfs {

// The text a scrape gets.
std::string RenderPrometheus(const OpStats& ops, const sett::Metrics& engine);

class MetricsServer {
 public:
  // Listens on address:port; IOError naming them when it cannot.
  static sett::Status Start(const std::string& address, int port,
                            std::function<std::string()> render,
                            std::unique_ptr<MetricsServer>* server);
  ~MetricsServer();  // Stops serving and waits for its threads.

 private:
  MetricsServer();

  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
};

// Splits "[ADDR:]PORT" (127.0.0.1 when there is no address); false when it is not that.
bool ParseListenAddress(const std::string& text, std::string* address, int* port);

}  // namespace settfs

#endif  // SETTFS_TOOLS_METRICS_SERVER_H_
