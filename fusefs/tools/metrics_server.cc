#include "metrics_server.h"

#include <httplib.h>

#include <sstream>

namespace settfs {

using sett::Status;

namespace {

void Family(std::ostringstream* out, const std::string& name, const char* help) {
  *out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
}

}  // namespace

std::string RenderPrometheus(const OpStats& ops, const sett::Metrics& engine) {
  std::ostringstream out;
  out.precision(9);
  const std::vector<OpStats::OpCount> counts = ops.Ops();
  Family(&out, "settfs_fuse_ops_total", "FUSE requests served, by kind.");
  for (const auto& op : counts) {
    out << "settfs_fuse_ops_total{op=\"" << FuseOpName(op.op) << "\"} " << op.count << "\n";
  }
  Family(&out, "settfs_fuse_op_seconds_total", "Time spent serving FUSE requests, by kind.");
  for (const auto& op : counts) {
    out << "settfs_fuse_op_seconds_total{op=\"" << FuseOpName(op.op) << "\"} "
        << static_cast<double>(op.nanos) / 1e9 << "\n";
  }
  Family(&out, "settfs_read_bytes_total", "Bytes of file data read through the mount.");
  out << "settfs_read_bytes_total " << ops.read_bytes() << "\n";
  Family(&out, "settfs_written_bytes_total", "Bytes of file data written through the mount.");
  out << "settfs_written_bytes_total " << ops.written_bytes() << "\n";
  // The engine's counters, one family each, from its own "name value" lines.
  std::istringstream lines(engine.ToString());
  std::string name;
  uint64_t value;
  while (lines >> name >> value) {
    const std::string micros = "_micros";
    const bool in_micros = name.size() > micros.size() &&
                           name.compare(name.size() - micros.size(), micros.size(), micros) == 0;
    const std::string metric =
        in_micros ? "sett_" + name.substr(0, name.size() - micros.size()) + "_seconds_total"
                  : "sett_" + name + "_total";
    Family(&out, metric, ("The engine's " + name + " counter (sett::Metrics).").c_str());
    out << metric << " ";
    if (in_micros) {
      out << static_cast<double>(value) / 1e6 << "\n";
    } else {
      out << value << "\n";
    }
  }
  return out.str();
}

bool ParseListenAddress(const std::string& text, std::string* address, int* port) {
  size_t colon = text.rfind(':');
  *address = colon == std::string::npos ? "127.0.0.1" : text.substr(0, colon);
  std::string digits = colon == std::string::npos ? text : text.substr(colon + 1);
  if (address->empty() || digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *port = std::stoi(digits);
  return *port > 0 && *port < 65536;
}

MetricsServer::MetricsServer() : http_(std::make_unique<httplib::Server>()) {}

Status MetricsServer::Start(const std::string& address, int port,
                            std::function<std::string()> render,
                            std::unique_ptr<MetricsServer>* server) {
  std::unique_ptr<MetricsServer> made(new MetricsServer());
  // httplib's default also sets SO_REUSEPORT, with which a second mount could share the port
  // and answer half the scrapes: a port in use must fail the mount instead.
  made->http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  made->http_->Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), "text/plain; version=0.0.4");
  });
  if (!made->http_->bind_to_port(address, port)) {
    return Status::IOError("cannot listen on " + address + ":" + std::to_string(port) +
                           " for metrics (in use, or not an address of this machine)");
  }
  httplib::Server* http = made->http_.get();
  made->thread_ = std::thread([http] { http->listen_after_bind(); });
  *server = std::move(made);
  return Status::OK();
}

MetricsServer::~MetricsServer() {
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace settfs
