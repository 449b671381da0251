// PgConnection is one libpq connection with the statements PgKvStore runs prepared on it, and
// the translation of libpq's results into Status: a serialization failure or deadlock becomes
// Conflict, anything else IOError naming the statement and the server's message.
//
// Parameters and results travel in binary (keys and values are bytea, taken as they are).
//
// Thread safety: one thread at a time.

#ifndef SETTFS_CORE_PG_CONNECTION_H_
#define SETTFS_CORE_PG_CONNECTION_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sett/status.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace settfs {

using sett::Status;

// The binary form of a one-dimensional bytea[] of items, a statement's array parameter.
std::string EncodeByteaArray(const std::vector<std::string_view>& items);

// A result that frees itself.
class PgResult {
 public:
  explicit PgResult(PGresult* result = nullptr) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  ~PgResult();

  int rows() const;
  std::string_view field(int row, int column) const;

 private:
  PGresult* result_;
};

class PgConnection {
 public:
  // The prepared statements (see kStatements in the .cc for their SQL).
  enum class Stmt {
    kGet,
    kPutMany,     // upsert of the pairs of two bytea arrays
    kDeleteMany,  // delete of the keys of a bytea array
    kScanKv,      // k >= $1 AND k < $2 ORDER BY k LIMIT $3, keys and values
    kScanKvOpen,  // k >= $1 ORDER BY k LIMIT $2
    kScanKeys,    // the same two, keys only
    kScanKeysOpen,
    kScanBack,      // $2 <= k AND k <= $1 ORDER BY k DESC LIMIT $3, keys
    kScanBackFrom,  // $2 <= k AND k < $1 ORDER BY k DESC LIMIT $3, keys
    kNextIds,
    kTableSize,
    kCount
  };

  // Connects and prepares nothing yet (Prepare does, once the schema exists).
  static Status Connect(const std::string& uri, std::unique_ptr<PgConnection>* conn);
  ~PgConnection();

  Status Prepare();
  // Runs sql (one or more statements, no parameters) and discards what it returns; errors
  // name `what` (default: the SQL itself).
  Status Run(const char* sql, const char* what = nullptr);
  // Runs a prepared statement; params are bytea, except that a param whose text_param bit is
  // set is sent as text (numbers).
  Status Exec(Stmt stmt, const std::vector<std::string_view>& params, PgResult* result,
              unsigned text_params = 0);

  // Sends sql (whose outcome does not matter: ROLLBACK) without waiting for the answer, which
  // the next call on this connection takes first: a round trip saved for each ending reader.
  void SendWithoutWaiting(const char* sql);

  // Waits up to timeout_ms for notices (NOTIFY) on the channels this connection LISTENs to,
  // and appends the payloads of those that came.
  Status WaitForNotices(int timeout_ms, std::vector<std::string>* payloads);

  // Whether the connection still works (false after the server went away).
  bool ok() const;

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Status Check(PGresult* result, const char* what, bool want_rows);
  // Takes the answers of what SendWithoutWaiting sent.
  void Drain();

  PGconn* conn_;
  bool unanswered_ = false;
};

}  // namespace settfs

#endif  // SETTFS_CORE_PG_CONNECTION_H_
