#include "support/pg_server.h"

#include <glob.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace sett::test {
namespace {

std::string ReadLog(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string PgServer::FindBinaries() {
  glob_t found{};
  std::string bin;
  if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &found) == 0 && found.gl_pathc > 0) {
    bin = std::filesystem::path(found.gl_pathv[found.gl_pathc - 1]).parent_path();
  }
  globfree(&found);
  return bin;
}

int PgServer::RunAsOwner(const std::string& command) const {
  // Through a script, so that its redirections too are made as the owner.
  const std::string script = dir_ + "/run.sh";
  {
    std::ofstream out(script, std::ios::trunc);
    out << command << "\n";
  }
  std::string line = (geteuid() == 0 ? "runuser -u postgres -- sh " : "sh ") + script;
  return std::system(line.c_str());
}

std::string PgServer::Start() {
  bin_ = FindBinaries();
  if (bin_.empty()) return "PostgreSQL's server is not installed (scripts/setup.sh installs it)";
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/settfs-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "mkdtemp " + pattern + " failed";
  dir_ = pattern;
  if (geteuid() == 0) {
    struct passwd* pw = getpwnam("postgres");
    if (pw == nullptr) return "there is no postgres user to run the server as";
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return "chown " + dir_ + " failed";
  }
  const std::string log = dir_ + "/log";
  // fsync off: the tests are about settfs over the server, not the server's own durability.
  std::string initdb = bin_ + "/initdb -D " + dir_ +
                       "/data -A trust -U postgres --no-sync -E UTF8 >" + log + " 2>&1";
  if (RunAsOwner(initdb) != 0) return "initdb failed: " + ReadLog(log);
  std::string start = bin_ + "/pg_ctl -D " + dir_ + "/data -l " + log + " -w -o \"-k " + dir_ +
                      " -c listen_addresses= -c fsync=off -c max_connections=200\" start >>" + log +
                      " 2>&1";
  if (RunAsOwner(start) != 0) return "pg_ctl start failed: " + ReadLog(log);
  running_ = true;
  return "";
}

std::string PgServer::Restart() {
  const std::string log = dir_ + "/log";
  std::string restart =
      bin_ + "/pg_ctl -D " + dir_ + "/data -l " + log + " -w -m fast -o \"-k " + dir_ +
      " -c listen_addresses= -c fsync=off -c max_connections=200\" restart >>" + log + " 2>&1";
  return RunAsOwner(restart) == 0 ? "" : "pg_ctl restart failed: " + ReadLog(log);
}

PgServer::~PgServer() {
  if (running_) {
    RunAsOwner(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1");
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PgServer::Uri(const std::string& db) const {
  return "postgresql:///" + db + "?host=" + dir_ + "&user=postgres";
}

std::string PgServer::CreateDatabase(const std::string& db) const {
  std::string command = bin_ + "/psql -q -v ON_ERROR_STOP=1 -d '" + Uri() +
                        "' -c 'CREATE DATABASE " + db + "' >/dev/null 2>&1";
  if (bin_.empty() || RunAsOwner(command) != 0) return "CREATE DATABASE " + db + " failed";
  return "";
}

PgServer* SharedPgServer(std::string* why) {
  static std::unique_ptr<PgServer> server;
  static std::string error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    server = std::make_unique<PgServer>();
    error = server->Start();
    if (!error.empty()) server.reset();
  }
  if (server == nullptr) *why = error;
  return server.get();
}

bool TestsOnPostgres() {
  const char* store = std::getenv("SETTFS_TEST_STORE");
  return store != nullptr && std::string(store) == "postgresql";
}

std::string NewPgDatabase(std::string* why) {
  PgServer* server = SharedPgServer(why);
  if (server == nullptr) return "";
  static std::atomic<int> made{0};
  std::string name = "fs" + std::to_string(made++);
  *why = server->CreateDatabase(name);
  return why->empty() ? server->Uri(name) : "";
}

}  // namespace sett::test
