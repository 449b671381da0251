#include "core/pg_kv_store.h"

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "core/codec.h"
#include "core/pg_connection.h"

namespace settfs {
namespace {

using Stmt = PgConnection::Stmt;

// Rows fetched per round trip of a scan: few first (most scans stop early: a lookup of a
// directory's first entry, a file's first block), more once the caller keeps going.
constexpr int kFirstPage = 32;
constexpr int kLaterPage = 1024;
// Buffered writes are sent once they hold this much, to bound a transaction's memory.
constexpr size_t kFlushBytes = 8 << 20;

// The first key after every key that starts with prefix; "" when there is none.
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last != 0xff) {
      last++;
      return end;
    }
    end.pop_back();
  }
  return end;
}

class PgKvTxn : public KvTxn {
 public:
  PgKvTxn(PgKvStore* store, std::unique_ptr<PgConnection> conn, bool update, Status begun)
      : store_(store), conn_(std::move(conn)), update_(update), failed_(std::move(begun)) {}
  ~PgKvTxn() override {
    if (conn_ == nullptr) return;
    if (open_) conn_->SendWithoutWaiting("ROLLBACK");
    store_->Release(std::move(conn_));
  }

  Status Get(std::string_view key, std::string* value) override {
    auto pending = pending_.find(key);
    if (pending != pending_.end()) {  // The transaction's own write.
      if (!pending->second.has_value()) return Status::NotFound("");
      *value = *pending->second;
      return Status::OK();
    }
    PgResult r;
    Status s = Exec(Stmt::kGet, {key}, &r);
    if (!s.ok()) return s;
    if (r.rows() == 0) return Status::NotFound("");
    std::string_view v = r.field(0, 0);
    value->assign(v.data(), v.size());
    return Status::OK();
  }
  // Writes wait in the transaction until it next reads a range or commits, and then go in
  // one statement each for upserts and deletes: a 1 MiB write is one round trip, not 256.
  Status Set(std::string_view key, std::string_view value) override {
    if (!update_) return Status::InvalidArgument("write in a read-only transaction");
    return Buffer(key, std::string(value));
  }
  Status Delete(std::string_view key) override {
    if (!update_) return Status::InvalidArgument("delete in a read-only transaction");
    return Buffer(key, std::nullopt);
  }

  Status Scan(std::string_view prefix, std::string_view start, bool keys_only,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return ScanRange(prefix, start, "", keys_only, fn);
  }

  Status ScanRange(std::string_view prefix, std::string_view start, std::string_view stop,
                   bool keys_only,
                   const std::function<bool(std::string_view, std::string_view)>& fn) override {
    Status s = Flush();
    if (!s.ok()) return s;
    std::string end = PrefixEnd(prefix);
    if (!stop.empty() && (end.empty() || stop < end)) end.assign(stop.data(), stop.size());
    std::string from(start.empty() || start < prefix ? prefix : start);
    bool inclusive = true;
    // A bounded range holds what the caller wants: fetch it whole. Else start small, as most
    // scans stop early.
    for (int page = stop.empty() ? kFirstPage : kLaterPage;; page = kLaterPage) {
      PgResult r;
      Status s = ScanPage(from, end, keys_only, page, &r);
      if (!s.ok()) return s;
      for (int i = 0; i < r.rows(); i++) {
        std::string_view k = r.field(i, 0);
        if (!inclusive && k == from) continue;
        if (!fn(k, keys_only ? std::string_view() : r.field(i, 1))) return Status::OK();
      }
      if (r.rows() < page) return Status::OK();
      std::string_view last = r.field(r.rows() - 1, 0);
      from.assign(last.data(), last.size());
      inclusive = false;  // The next page starts at the last key seen: skip it.
    }
  }

  Status ScanBackward(std::string_view prefix, std::string_view start,
                      const std::function<bool(std::string_view)>& fn) override {
    Status s = Flush();
    if (!s.ok()) return s;
    std::string bound;
    bool inclusive = !start.empty();
    if (start.empty()) {
      bound = PrefixEnd(prefix);
      if (bound.empty()) return ScanBackwardUnbounded(prefix, fn);
    } else {
      bound.assign(start.data(), start.size());
    }
    for (int page = kFirstPage;; page = kLaterPage) {
      PgResult r;
      std::string limit = std::to_string(page);
      s = Exec(inclusive ? Stmt::kScanBack : Stmt::kScanBackFrom, {bound, prefix, limit}, &r,
               /*text_params=*/0b100);
      if (!s.ok()) return s;
      for (int i = 0; i < r.rows(); i++) {
        if (!fn(r.field(i, 0))) return Status::OK();
      }
      if (r.rows() < page) return Status::OK();
      std::string_view last = r.field(r.rows() - 1, 0);
      bound.assign(last.data(), last.size());
      inclusive = false;
    }
  }

  bool Doomed() const override { return failed_.IsConflict(); }

  Status Commit(bool sync) override {
    if (!failed_.ok()) return failed_;
    if (!update_) return Status::InvalidArgument("commit of a read-only transaction");
    Status flushed = Flush();
    if (!flushed.ok()) return flushed;
    open_ = false;
    // The notices go out only if the commit does (PostgreSQL sends them at commit).
    std::string sql = store_->NotifySql(topics_);
    sql += sync ? "SET LOCAL synchronous_commit TO on; COMMIT" : "COMMIT";
    Status s = conn_->Run(sql.c_str(), "COMMIT");
    if (!s.ok()) failed_ = s;
    if (s.ok() && !sync) store_->Committed();
    return s;
  }

 private:
  // A prefix made only of 0xff bytes (or none) has no end key: the last key of the table
  // that still starts with it is found by walking down from the top.
  Status ScanBackwardUnbounded(std::string_view prefix,
                               const std::function<bool(std::string_view)>& fn) {
    // The largest key of all: 0xff bytes longer than any key settfs writes.
    std::string top(prefix);
    top.append(4096, '\xff');
    return ScanBackward(prefix, top, fn);
  }

  Status Buffer(std::string_view key, std::optional<std::string> value) {
    if (!failed_.ok()) return failed_;
    NoteTopic(key);
    auto it = pending_.find(key);
    if (it != pending_.end()) {
      pending_bytes_ -= it->second.has_value() ? it->second->size() : 0;
      it->second = std::move(value);
    } else {
      pending_bytes_ += key.size();
      it = pending_.emplace(std::string(key), std::move(value)).first;
    }
    pending_bytes_ += it->second.has_value() ? it->second->size() : 0;
    return pending_bytes_ >= kFlushBytes ? Flush() : Status::OK();
  }

  // Sends the writes waiting in the transaction: one upsert of every pair, one delete of every
  // deleted key (a key is in one of them: the later of its writes won in the buffer).
  Status Flush() {
    if (pending_.empty()) return failed_;
    std::vector<std::string_view> keys, values, deleted;
    for (const auto& [key, value] : pending_) {
      if (value.has_value()) {
        keys.push_back(key);
        values.push_back(*value);
      } else {
        deleted.push_back(key);
      }
    }
    Status s;
    if (!keys.empty()) {
      s = Exec(Stmt::kPutMany, {EncodeByteaArray(keys), EncodeByteaArray(values)}, nullptr);
    }
    if (s.ok() && !deleted.empty()) {
      s = Exec(Stmt::kDeleteMany, {EncodeByteaArray(deleted)}, nullptr);
    }
    pending_.clear();
    pending_bytes_ = 0;
    return s;
  }

  void NoteTopic(std::string_view key) {
    if (!store_->watching()) return;
    std::string topic = store_->TopicOf(key);
    if (!topic.empty()) topics_.insert(std::move(topic));
  }

  Status ScanPage(const std::string& from, const std::string& end, bool keys_only, int page,
                  PgResult* r) {
    std::string limit = std::to_string(page);
    if (end.empty()) {
      return Exec(keys_only ? Stmt::kScanKeysOpen : Stmt::kScanKvOpen, {from, limit}, r, 0b10);
    }
    return Exec(keys_only ? Stmt::kScanKeys : Stmt::kScanKv, {from, end, limit}, r, 0b100);
  }

  // Runs a statement in the transaction; once one fails, the transaction is over on the
  // server, so every later call returns that failure.
  Status Exec(Stmt stmt, const std::vector<std::string_view>& params, PgResult* r,
              unsigned text_params = 0) {
    if (!failed_.ok()) return failed_;
    Status s = conn_->Exec(stmt, params, r, text_params);
    if (!s.ok()) failed_ = s;
    return s;
  }

  PgKvStore* const store_;
  std::unique_ptr<PgConnection> conn_;
  const bool update_;
  bool open_ = true;
  Status failed_;
  std::set<std::string> topics_;  // What the commit changes, to tell other mounts.
  // Writes not sent yet: key -> value, or nullopt for a delete.
  std::map<std::string, std::optional<std::string>, std::less<>> pending_;
  size_t pending_bytes_ = 0;
};

// 16 random hex digits.
std::string RandomId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 16; i++) id.push_back("0123456789abcdef"[random() % 16]);
  return id;
}

constexpr char kChannel[] = "settfs_changes";

}  // namespace

PgKvStore::PgKvStore(std::string uri) : uri_(std::move(uri)), id_(RandomId()) {}

std::string PgKvStore::TopicOf(std::string_view key) const { return topic_of_(key); }

std::string PgKvStore::NotifySql(const std::set<std::string>& topics) const {
  // A payload: this store's id, then topics, one per line. Topics and id are made of
  // [0-9a-z:] alone, so they stand inside quotes as they are.
  std::string sql, payload;
  auto flush = [&] {
    if (payload.size() > id_.size()) {
      sql += std::string("NOTIFY ") + kChannel + ", '" + payload + "';";
    }
    payload = id_;
  };
  payload = id_;
  for (const std::string& topic : topics) {
    if (topic.size() + 1 > kNotifyBytes - id_.size()) continue;  // Cannot be told: too long.
    if (payload.size() + 1 + topic.size() > kNotifyBytes) flush();
    payload += "\n" + topic;
  }
  flush();
  return sql;
}

Status PgKvStore::WatchChanges(std::function<std::string(std::string_view key)> topic_of,
                               std::function<void(std::string_view topic)> changed) {
  if (watching()) return Status::InvalidArgument("already watching " + uri_);
  // Listening before this returns: no commit made after it goes unheard.
  std::unique_ptr<PgConnection> conn;
  Status s = ListenOn(&conn);
  if (!s.ok()) return s;
  topic_of_ = std::move(topic_of);
  changed_ = std::move(changed);
  stop_ = false;
  watching_.store(true, std::memory_order_release);
  listener_ = std::thread([this, first = conn.release()] { Listen(first); });
  return Status::OK();
}

void PgKvStore::StopWatching() {
  stop_ = true;
  if (listener_.joinable()) listener_.join();
  watching_.store(false, std::memory_order_release);
}

Status PgKvStore::ListenOn(std::unique_ptr<PgConnection>* conn) {
  Status s = PgConnection::Connect(uri_, conn);
  if (s.ok()) s = (*conn)->Run((std::string("LISTEN ") + kChannel).c_str());
  return s;
}

void PgKvStore::Listen(PgConnection* first) {
  std::unique_ptr<PgConnection> conn(first);
  while (!stop_) {
    if (conn == nullptr || !conn->ok()) {
      conn.reset();
      if (!ListenOn(&conn).ok()) {  // The server is away: try again in a while.
        conn.reset();
        for (int i = 0; i < 10 && !stop_; i++) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        continue;
      }
    }
    std::vector<std::string> payloads;
    if (!conn->WaitForNotices(100, &payloads).ok()) conn.reset();
    for (const std::string& payload : payloads) Deliver(payload);
  }
}

void PgKvStore::Deliver(const std::string& payload) {
  size_t line = payload.find('\n');
  if (line == std::string::npos || payload.compare(0, line, id_) == 0) return;  // Ours.
  while (line != std::string::npos) {
    size_t next = payload.find('\n', line + 1);
    changed_(std::string_view(payload).substr(
        line + 1, next == std::string::npos ? std::string::npos : next - line - 1));
    line = next;
  }
}

bool PgKvStore::IsUri(const std::string& path) {
  return path.rfind("postgresql://", 0) == 0 || path.rfind("postgres://", 0) == 0;
}

Status PgKvStore::Open(const std::string& uri, std::unique_ptr<PgKvStore>* store) {
  std::unique_ptr<PgKvStore> made(new PgKvStore(uri));
  std::unique_ptr<PgConnection> conn;
  Status s = PgConnection::Connect(uri, &conn);
  // Two first opens racing to make the schema: the loser's CREATE fails; the next try finds it.
  for (int attempt = 0; s.ok() && attempt < 3; attempt++) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
    Status made_schema = made->CreateSchema(conn.get());
    if (made_schema.ok() || attempt == 2) s = made_schema;
    if (made_schema.ok()) break;
  }
  if (s.ok()) s = conn->Prepare();
  if (!s.ok()) return s;
  made->Release(std::move(conn));
  *store = std::move(made);
  return Status::OK();
}

Status PgKvStore::CreateSchema(PgConnection* conn) {
  // Serializable, so that two first mounts racing to make the schema cannot both make it.
  Status s = conn->Run(
      "BEGIN ISOLATION LEVEL SERIALIZABLE;"
      "CREATE TABLE IF NOT EXISTS settfs_kv (k bytea PRIMARY KEY, v bytea NOT NULL);"
      // A new table's values are compressed with lz4 where the server has it: it gives up on
      // incompressible blocks at once, where pglz spends a tenth of a write's time (sequential
      // 1 MiB writes 69-72 -> 86-96 MB/s).
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM settfs_kv LIMIT 1) THEN BEGIN "
      "ALTER TABLE settfs_kv ALTER COLUMN v SET COMPRESSION lz4; "
      "EXCEPTION WHEN OTHERS THEN NULL; END; END IF; END $$;"
      "CREATE SEQUENCE IF NOT EXISTS settfs_ids INCREMENT BY 64 START WITH 1;"
      "CREATE TABLE IF NOT EXISTS settfs_meta (version integer NOT NULL, syncs bigint NOT NULL);"
      "INSERT INTO settfs_meta SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM settfs_meta);"
      "COMMIT",
      "making the settfs tables");
  if (!s.ok()) {
    conn->Run("ROLLBACK").IgnoreError();
    return s;
  }
  // A schema of another version is refused rather than misread.
  s = conn->Run(
      "DO $$ BEGIN IF (SELECT version FROM settfs_meta LIMIT 1) <> 1 THEN "
      "RAISE EXCEPTION 'settfs schema version is not 1'; END IF; END $$",
      "checking the settfs schema's version");
  static_assert(kSchemaVersion == 1, "the statements above name version 1");
  static_assert(kIdBlock == 64, "the sequence above hands out blocks of 64");
  return s;
}

PgKvStore::~PgKvStore() { StopWatching(); }

Status PgKvStore::Acquire(std::unique_ptr<PgConnection>* conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      *conn = std::move(idle_.back());
      idle_.pop_back();
      return Status::OK();
    }
  }
  Status s = PgConnection::Connect(uri_, conn);
  if (s.ok()) s = (*conn)->Prepare();
  return s;
}

void PgKvStore::Release(std::unique_ptr<PgConnection> conn) {
  if (conn == nullptr || !conn->ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kIdleConnections) idle_.push_back(std::move(conn));
}

std::unique_ptr<KvTxn> PgKvStore::Begin(bool update) {
  std::unique_ptr<PgConnection> conn;
  Status s;
  // An idle connection may have died with a server that restarted since: drop it and take
  // another (at worst a fresh one), so that a restart costs no operation an EIO.
  for (size_t attempt = 0; attempt <= kIdleConnections + 1; attempt++) {
    s = Acquire(&conn);
    if (s.ok()) {
      s = conn->Run(update ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                           : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    if (s.ok() || conn == nullptr || conn->ok()) break;
    conn.reset();
  }
  return std::make_unique<PgKvTxn>(this, std::move(conn), update, s);
}

Status PgKvStore::NextId(uint64_t* id) {
  std::lock_guard<std::mutex> lock(ids_mu_);
  if (next_id_ == id_end_) {
    uint64_t first = 0;
    Status s = QueryNumber(PgConnection::Stmt::kNextIds, &first);
    if (!s.ok()) return s;
    next_id_ = first;
    id_end_ = first + kIdBlock;
  }
  *id = next_id_++;
  return Status::OK();
}

Status PgKvStore::QueryNumber(PgConnection::Stmt stmt, uint64_t* number) {
  std::unique_ptr<PgConnection> conn;
  Status s = Acquire(&conn);
  if (!s.ok()) return s;
  PgResult r;
  s = conn->Exec(stmt, {}, &r);
  if (s.ok() && (r.rows() != 1 || r.field(0, 0).size() != 8)) {
    s = Status::IOError("postgresql: a query for a number returned none");
  }
  if (s.ok()) *number = GetBigEndian64(r.field(0, 0));
  Release(std::move(conn));
  return s;
}

Status PgKvStore::Sync() {
  const uint64_t commits = commits_.load(std::memory_order_acquire);
  if (commits == synced_commits_.load(std::memory_order_acquire)) return Status::OK();
  std::unique_ptr<PgConnection> conn;
  Status s = Acquire(&conn);
  // A synchronous commit flushes the server's log up to itself, so every commit before it.
  if (s.ok()) {
    s = conn->Run(
        "BEGIN; SET LOCAL synchronous_commit TO on;"
        "UPDATE settfs_meta SET syncs = syncs + 1; COMMIT");
    if (!s.ok()) conn->Run("ROLLBACK").IgnoreError();
  }
  Release(std::move(conn));
  uint64_t synced = synced_commits_.load(std::memory_order_acquire);
  while (s.ok() && synced < commits &&
         !synced_commits_.compare_exchange_weak(synced, commits, std::memory_order_acq_rel)) {
  }
  return s;
}

Status PgKvStore::Usage(KvUsage* usage) {
  uint64_t bytes = 0;
  Status s = QueryNumber(PgConnection::Stmt::kTableSize, &bytes);
  if (!s.ok()) return s;
  usage->bytes_on_disk = bytes;
  usage->bytes_free = kReportedFree;
  return Status::OK();
}

}  // namespace settfs
