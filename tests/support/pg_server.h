// PgServer runs a private PostgreSQL for one test process: a cluster made by initdb in a fresh
// temporary directory, listening only on a unix socket there, with trust authentication; it
// is stopped and removed on destruction. As root the server runs as the postgres user, since
// PostgreSQL refuses to run as root.
//
// Tests of the PostgreSQL store skip (with a message) only where the server binaries are not
// installed; scripts/setup.sh installs them.

#ifndef SETT_TESTS_SUPPORT_PG_SERVER_H_
#define SETT_TESTS_SUPPORT_PG_SERVER_H_

#include <string>

namespace sett::test {

class PgServer {
 public:
  // The directory of initdb and pg_ctl, or "" when PostgreSQL's server is not installed.
  static std::string FindBinaries();

  PgServer() = default;
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Makes the cluster and starts the server; "" on success, else what failed (with the log).
  std::string Start();
  // A libpq URI of database db on this server, as the superuser.
  std::string Uri(const std::string& db = "postgres") const;
  // Stops the server (fast: connections are cut) and starts it again; "" or what failed.
  std::string Restart();
  // Makes a fresh database; "" on success, else what failed.
  std::string CreateDatabase(const std::string& db) const;

 private:
  // Runs a command line as the server's user; its exit status.
  int RunAsOwner(const std::string& command) const;

  std::string bin_;
  std::string dir_;
  bool running_ = false;
};

// One server for the whole test process, started on first use; nullptr (and *why) when it
// cannot run.
PgServer* SharedPgServer(std::string* why);

// Whether SETTFS_TEST_STORE=postgresql asks the fixtures of the filesystem's tests to keep
// their filesystem on PostgreSQL (tests/CMakeLists.txt registers some tests so a second time).
bool TestsOnPostgres();
// A fresh database on the shared server: its URI, or "" and *why.
std::string NewPgDatabase(std::string* why);

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_PG_SERVER_H_
