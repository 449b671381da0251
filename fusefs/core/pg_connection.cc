#include "core/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>

#include "core/codec.h"

namespace settfs {
namespace {

constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kByteaArrayOid = 1001;

struct StatementSpec {
  const char* name;
  const char* sql;
  std::vector<Oid> types;
};

// In the order of PgConnection::Stmt.
const StatementSpec kStatements[] = {
    {"get", "SELECT v FROM settfs_kv WHERE k = $1", {kByteaOid}},
    {"put_many",
     "INSERT INTO settfs_kv (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
     "ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
     {kByteaArrayOid, kByteaArrayOid}},
    {"delete_many", "DELETE FROM settfs_kv WHERE k = ANY($1::bytea[])", {kByteaArrayOid}},
    {"scan_kv",
     "SELECT k, v FROM settfs_kv WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3",
     {kByteaOid, kByteaOid, kInt8Oid}},
    {"scan_kv_open",
     "SELECT k, v FROM settfs_kv WHERE k >= $1 ORDER BY k LIMIT $2",
     {kByteaOid, kInt8Oid}},
    {"scan_k",
     "SELECT k FROM settfs_kv WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3",
     {kByteaOid, kByteaOid, kInt8Oid}},
    {"scan_k_open",
     "SELECT k FROM settfs_kv WHERE k >= $1 ORDER BY k LIMIT $2",
     {kByteaOid, kInt8Oid}},
    {"scan_back",
     "SELECT k FROM settfs_kv WHERE k <= $1 AND k >= $2 ORDER BY k DESC LIMIT $3",
     {kByteaOid, kByteaOid, kInt8Oid}},
    {"scan_back_from",
     "SELECT k FROM settfs_kv WHERE k < $1 AND k >= $2 ORDER BY k DESC LIMIT $3",
     {kByteaOid, kByteaOid, kInt8Oid}},
    {"next_ids", "SELECT nextval('settfs_ids')", {}},
    // Table, index and TOAST (where large values live).
    {"table_size", "SELECT pg_total_relation_size('settfs_kv')", {}},
};
static_assert(sizeof(kStatements) / sizeof(kStatements[0]) ==
              static_cast<size_t>(PgConnection::Stmt::kCount));

// The server's message without its trailing newline.
std::string ServerMessage(const PGconn* conn, const PGresult* result) {
  const char* m = result != nullptr ? PQresultErrorMessage(result) : "";
  if (m == nullptr || *m == '\0') m = PQerrorMessage(conn);
  std::string message = m != nullptr ? m : "";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

}  // namespace

std::string EncodeByteaArray(const std::vector<std::string_view>& items) {
  // ndim, has-null flag, element type, then (length, lower bound) per dimension, then each
  // element as its length and bytes.
  std::string out;
  size_t bytes = 20;
  for (std::string_view item : items) bytes += 4 + item.size();
  out.reserve(bytes);
  PutBigEndian32(&out, 1);
  PutBigEndian32(&out, 0);
  PutBigEndian32(&out, kByteaOid);
  PutBigEndian32(&out, static_cast<uint32_t>(items.size()));
  PutBigEndian32(&out, 1);
  for (std::string_view item : items) {
    PutBigEndian32(&out, static_cast<uint32_t>(item.size()));
    out.append(item.data(), item.size());
  }
  return out;
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

int PgResult::rows() const { return result_ != nullptr ? PQntuples(result_) : 0; }

std::string_view PgResult::field(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<size_t>(PQgetlength(result_, row, column)));
}

Status PgConnection::Connect(const std::string& uri, std::unique_ptr<PgConnection>* conn) {
  PGconn* raw = PQconnectdb(uri.c_str());
  if (raw == nullptr) return Status::IOError("connecting to " + uri + ": out of memory");
  std::unique_ptr<PgConnection> made(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::IOError("connecting to " + uri + ": " + ServerMessage(raw, nullptr));
  }
  // Commits wait for the server's log only when asked (PgKvStore's Commit(sync) and Sync).
  // Notices ("relation already exists, skipping") are not for settfs's users.
  Status s = made->Run("SET synchronous_commit TO off; SET client_min_messages TO warning");
  if (s.ok()) *conn = std::move(made);
  return s;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

Status PgConnection::Prepare() {
  for (const StatementSpec& spec : kStatements) {
    PGresult* r = PQprepare(conn_, spec.name, spec.sql, static_cast<int>(spec.types.size()),
                            spec.types.data());
    Status s = Check(r, spec.name, false);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status PgConnection::Run(const char* sql, const char* what) {
  Drain();
  return Check(PQexec(conn_, sql), what != nullptr ? what : sql, false);
}

void PgConnection::SendWithoutWaiting(const char* sql) {
  Drain();
  unanswered_ = PQsendQuery(conn_, sql) == 1;
}

void PgConnection::Drain() {
  if (!unanswered_) return;
  unanswered_ = false;
  while (PGresult* r = PQgetResult(conn_)) PQclear(r);  // A failure shows in ok() after.
}

Status PgConnection::Exec(Stmt stmt, const std::vector<std::string_view>& params, PgResult* result,
                          unsigned text_params) {
  const StatementSpec& spec = kStatements[static_cast<int>(stmt)];
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  std::vector<std::string> texts;  // Text parameters need their terminating NUL.
  texts.reserve(params.size());
  for (size_t i = 0; i < params.size(); i++) {
    if ((text_params >> i) & 1) {
      texts.emplace_back(params[i]);
      values[i] = texts.back().c_str();
      formats[i] = 0;
    } else {
      values[i] = params[i].data();
      lengths[i] = static_cast<int>(params[i].size());
      formats[i] = 1;
    }
  }
  Drain();
  PGresult* r = PQexecPrepared(conn_, spec.name, static_cast<int>(params.size()), values.data(),
                               lengths.data(), formats.data(), /*resultFormat=*/1);
  Status s = Check(r, spec.name, true);
  if (s.ok() && result != nullptr) *result = PgResult(r);
  if (!s.ok() || result == nullptr) PQclear(r);
  return s;
}

Status PgConnection::WaitForNotices(int timeout_ms, std::vector<std::string>* payloads) {
  Drain();
  const int fd = PQsocket(conn_);
  if (fd < 0) return Status::IOError("postgresql: waiting for notices: no connection");
  struct pollfd want = {fd, POLLIN, 0};
  int ready = ::poll(&want, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) {
    return Status::IOError("postgresql: waiting for notices: poll", errno);
  }
  if (ready > 0 && PQconsumeInput(conn_) == 0) {
    return Status::IOError("postgresql: waiting for notices: " + ServerMessage(conn_, nullptr));
  }
  while (PGnotify* notice = PQnotifies(conn_)) {
    payloads->emplace_back(notice->extra != nullptr ? notice->extra : "");
    PQfreemem(notice);
  }
  return Status::OK();
}

Status PgConnection::Check(PGresult* result, const char* what, bool want_rows) {
  ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || (want_rows && status == PGRES_TUPLES_OK)) {
    if (!want_rows) PQclear(result);
    return Status::OK();
  }
  // Copied out: the field lives in the result, which is freed below.
  const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field != nullptr ? field : "";
  std::string message = std::string("postgresql: ") + what + ": " + ServerMessage(conn_, result);
  if (!want_rows && result != nullptr) PQclear(result);
  // 40001 serialization_failure, 40P01 deadlock_detected: another transaction won.
  if (state == "40001" || state == "40P01") return Status::Conflict(message);
  return Status::IOError(message);
}

}  // namespace settfs
