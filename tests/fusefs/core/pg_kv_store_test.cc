// PgKvStore against a private PostgreSQL server (support/pg_server.h): the KvStore contract
// the filesystem core relies on, with binary keys, scans that page, snapshots, conflicts
// reported as Conflict whichever statement meets them, ids unique across stores, and the
// schema's version.

#include "core/pg_kv_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/pg_server.h"
#include "support/test_util.h"

namespace settfs {
namespace {

class PgKvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sett::test::PgServer::FindBinaries().empty()) {
      GTEST_SKIP() << "PostgreSQL's server binaries are not installed";
    }
    std::string why;
    server_ = sett::test::SharedPgServer(&why);
    ASSERT_NE(server_, nullptr) << why;
    ASSERT_OK(PgKvStore::Open(server_->Uri(), &store_));
  }

  void Put(const std::string& key, const std::string& value) {
    std::unique_ptr<KvTxn> txn = store_->Begin(true);
    ASSERT_OK(txn->Set(key, value));
    ASSERT_OK(txn->Commit(false));
  }
  std::vector<std::string> Keys(KvTxn* txn, const std::string& prefix, const std::string& start,
                                size_t limit = SIZE_MAX) {
    std::vector<std::string> keys;
    EXPECT_OK(txn->Scan(prefix, start, true, [&](std::string_view k, std::string_view) {
      keys.emplace_back(k);
      return keys.size() < limit;
    }));
    return keys;
  }
  std::vector<std::string> KeysBackward(KvTxn* txn, const std::string& prefix,
                                        const std::string& start) {
    std::vector<std::string> keys;
    EXPECT_OK(txn->ScanBackward(prefix, start, [&](std::string_view k) {
      keys.emplace_back(k);
      return true;
    }));
    return keys;
  }

  sett::test::PgServer* server_ = nullptr;
  std::unique_ptr<PgKvStore> store_;
};

TEST_F(PgKvStoreTest, BinaryKeysAndValuesRoundTrip) {
  const std::string key("k\0\xff\x01", 4);
  const std::string value("\0\x80v\xff", 4);
  Put(key, value);
  Put(std::string("k\0", 2), "short");
  std::unique_ptr<KvTxn> txn = store_->Begin(false);
  std::string got;
  ASSERT_OK(txn->Get(key, &got));
  EXPECT_EQ(got, value);
  ASSERT_OK(txn->Get(std::string("k\0", 2), &got));
  EXPECT_EQ(got, "short");
  EXPECT_TRUE(txn->Get("k", &got).IsNotFound());
  EXPECT_TRUE(txn->Set("x", "y").IsInvalidArgument()) << "a reader cannot write";

  std::unique_ptr<KvTxn> del = store_->Begin(true);
  ASSERT_OK(del->Delete(key));
  ASSERT_OK(del->Delete("never there"));
  ASSERT_OK(del->Commit(true));
  std::unique_ptr<KvTxn> after = store_->Begin(false);
  EXPECT_TRUE(after->Get(key, &got).IsNotFound());
}

// Scans keep to their prefix, start where asked, page through more rows than one round trip
// holds, and stop when told; a prefix of 0xff bytes has no end key and still works.
TEST_F(PgKvStoreTest, ScansKeepToThePrefixAndPage) {
  std::unique_ptr<KvTxn> txn = store_->Begin(true);
  for (int i = 0; i < 3000; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "p%05d", i);
    ASSERT_OK(txn->Set(key, std::string("v") + key));
  }
  ASSERT_OK(txn->Set("o", "before"));
  ASSERT_OK(txn->Set("q", "after"));
  ASSERT_OK(txn->Set("\xff\xff", "top"));
  ASSERT_OK(txn->Set(std::string("\xff\xff\xff\0", 4), "higher"));
  ASSERT_OK(txn->Commit(false));

  std::unique_ptr<KvTxn> r = store_->Begin(false);
  std::vector<std::string> all = Keys(r.get(), "p", "");
  ASSERT_EQ(all.size(), 3000u);
  EXPECT_EQ(all.front(), "p00000");
  EXPECT_EQ(all.back(), "p02999");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 3000u) << "no row twice";
  EXPECT_EQ(Keys(r.get(), "p", "p01500").size(), 1500u);
  EXPECT_EQ(Keys(r.get(), "p", "p0150").front(), "p01500");
  EXPECT_EQ(Keys(r.get(), "p", "", 5).size(), 5u);
  int values = 0;
  ASSERT_OK(r->Scan("p0299", "", false, [&](std::string_view k, std::string_view v) {
    EXPECT_EQ(std::string(v), "v" + std::string(k));
    values++;
    return true;
  }));
  EXPECT_EQ(values, 10);
  EXPECT_EQ(Keys(r.get(), "\xff\xff", "").size(), 2u);

  std::vector<std::string> back = KeysBackward(r.get(), "p", "");
  ASSERT_EQ(back.size(), 3000u);
  EXPECT_EQ(back.front(), "p02999");
  EXPECT_EQ(back.back(), "p00000");
  std::vector<std::string> from = KeysBackward(r.get(), "p", "p01000");
  ASSERT_EQ(from.size(), 1001u);
  EXPECT_EQ(from.front(), "p01000");
  EXPECT_EQ(KeysBackward(r.get(), "p", "p01000x").front(), "p01000");
  std::vector<std::string> top = KeysBackward(r.get(), "\xff\xff", "");
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top.front(), std::string("\xff\xff\xff\0", 4));
}

// A reader sees the state as of its first statement and nothing committed after it.
TEST_F(PgKvStoreTest, ReadersSeeOneSnapshot) {
  Put("a", "1");
  std::unique_ptr<KvTxn> reader = store_->Begin(false);
  std::string got;
  ASSERT_OK(reader->Get("a", &got));
  Put("a", "2");
  Put("b", "new");
  ASSERT_OK(reader->Get("a", &got));
  EXPECT_EQ(got, "1");
  EXPECT_TRUE(reader->Get("b", &got).IsNotFound());
}

// Two read-modify-write transactions on one key: the second to commit loses with Conflict,
// and its write is not there. Write skew (each reads what the other writes) fails one too:
// serializable, not only snapshot isolation.
TEST_F(PgKvStoreTest, LostRacesAreConflicts) {
  Put("n", "0");
  std::unique_ptr<KvTxn> t1 = store_->Begin(true);
  std::unique_ptr<KvTxn> t2 = store_->Begin(true);
  std::string v1, v2;
  ASSERT_OK(t1->Get("n", &v1));
  ASSERT_OK(t2->Get("n", &v2));
  ASSERT_OK(t1->Set("n", "1"));
  ASSERT_OK(t1->Commit(false));
  Status s = t2->Set("n", "2");
  if (s.ok()) s = t2->Commit(false);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_TRUE(t2->Commit(false).IsConflict()) << "a doomed transaction stays doomed";
  std::unique_ptr<KvTxn> r = store_->Begin(false);
  ASSERT_OK(r->Get("n", &v1));
  EXPECT_EQ(v1, "1");

  Put("x", "0");
  Put("y", "0");
  std::unique_ptr<KvTxn> a = store_->Begin(true);
  std::unique_ptr<KvTxn> b = store_->Begin(true);
  ASSERT_OK(a->Get("x", &v1));
  ASSERT_OK(b->Get("y", &v2));
  ASSERT_OK(a->Set("y", "a"));
  ASSERT_OK(b->Set("x", "b"));
  Status sa = a->Commit(false);
  Status sb = b->Commit(false);
  EXPECT_TRUE(sa.ok() != sb.ok()) << sa.ToString() << " / " << sb.ToString();
  EXPECT_TRUE(sa.IsConflict() || sb.IsConflict());
}

// Ids are unique across stores on one database (two mounts) and threads, and never handed
// out again by a store opened later.
TEST_F(PgKvStoreTest, IdsAreUniqueAcrossStoresAndReopens) {
  std::unique_ptr<PgKvStore> other;
  ASSERT_OK(PgKvStore::Open(server_->Uri(), &other));
  std::mutex mu;
  std::set<uint64_t> seen;
  std::atomic<int> duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      PgKvStore* s = t % 2 == 0 ? store_.get() : other.get();
      for (int i = 0; i < 300; i++) {
        uint64_t id;
        ASSERT_OK(s->NextId(&id));
        std::lock_guard<std::mutex> lock(mu);
        if (!seen.insert(id).second) duplicates++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates.load(), 0);
  uint64_t highest = *seen.rbegin();
  other.reset();
  ASSERT_OK(PgKvStore::Open(server_->Uri(), &other));
  uint64_t id;
  ASSERT_OK(other->NextId(&id));
  EXPECT_GT(id, highest);
}

TEST_F(PgKvStoreTest, SyncUsageAndErrors) {
  Put("big", std::string(1 << 20, 'z'));
  ASSERT_OK(store_->Sync());
  KvUsage usage;
  ASSERT_OK(store_->Usage(&usage));
  EXPECT_GT(usage.bytes_on_disk, 0u);
  EXPECT_EQ(usage.bytes_free, PgKvStore::kReportedFree);

  std::unique_ptr<PgKvStore> none;
  Status s = PgKvStore::Open(server_->Uri("no_such_db"), &none);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("no_such_db"), std::string::npos) << s.ToString();
  EXPECT_TRUE(PgKvStore::IsUri("postgresql:///db?host=/run/postgresql"));
  EXPECT_TRUE(PgKvStore::IsUri("postgres://host/db"));
  EXPECT_FALSE(PgKvStore::IsUri("/var/lib/settfs"));
}

// Commits tell the other watching stores the topics of what they wrote, however many (the
// notices are split to fit), only once committed, and never the writer itself.
TEST_F(PgKvStoreTest, WatchersAreToldOfOthersCommits) {
  std::unique_ptr<PgKvStore> other;
  ASSERT_OK(PgKvStore::Open(server_->Uri(), &other));
  std::mutex mu;
  std::set<std::string> told_here, told_there;
  auto topic_of = [](std::string_view key) {
    return key.substr(0, 1) == "k" ? std::string(key) : std::string();
  };
  auto collect = [&mu](std::set<std::string>* into) {
    return [&mu, into](std::string_view topic) {
      std::lock_guard<std::mutex> lock(mu);
      into->emplace(topic);
    };
  };
  ASSERT_OK(store_->WatchChanges(topic_of, collect(&told_here)));
  ASSERT_OK(other->WatchChanges(topic_of, collect(&told_there)));

  std::unique_ptr<KvTxn> txn = store_->Begin(true);
  for (int i = 0; i < 2000; i++) ASSERT_OK(txn->Set("k" + std::to_string(i), "v"));
  ASSERT_OK(txn->Set("untold", "v"));
  ASSERT_OK(txn->Commit(false));
  std::unique_ptr<KvTxn> lost = store_->Begin(true);
  ASSERT_OK(lost->Set("klost", "v"));
  lost.reset();  // Rolled back: nothing to tell.

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (told_there.size() >= 2000) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  store_->StopWatching();
  other->StopWatching();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(told_there.size(), 2000u);
  EXPECT_EQ(told_there.count("k1999"), 1u);
  EXPECT_EQ(told_there.count("klost"), 0u);
  EXPECT_EQ(told_there.count("untold"), 0u);
  EXPECT_TRUE(told_here.empty()) << "a store is not told of its own commits";
}

// Mounts starting at once on a fresh database all get the one schema (their races to make it
// are retried).
TEST_F(PgKvStoreTest, FirstOpensRacingAllSucceed) {
  ASSERT_EQ(server_->CreateDatabase("racing"), "");
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int i = 0; i < 4; i++) {
    threads.emplace_back([&] {
      std::unique_ptr<PgKvStore> store;
      Status s = PgKvStore::Open(server_->Uri("racing"), &store);
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        failed++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
}

// A server that restarts under a store: the pooled connections it cut are dropped and
// replaced, and no transaction after the restart fails. (Runs last: it restarts the process's
// server.)
TEST_F(PgKvStoreTest, ZServerRestartCostsNoTransaction) {
  Put("r", "before");
  {
    std::vector<std::unique_ptr<KvTxn>> open;  // Four connections into the pool.
    for (int i = 0; i < 4; i++) open.push_back(store_->Begin(false));
    std::string got;
    for (auto& txn : open) ASSERT_OK(txn->Get("r", &got));
  }
  ASSERT_EQ(server_->Restart(), "");
  for (int i = 0; i < 8; i++) {
    std::unique_ptr<KvTxn> txn = store_->Begin(i % 2 == 0);
    std::string got;
    Status s = txn->Get("r", &got);
    ASSERT_TRUE(s.ok()) << "transaction " << i << " after the restart: " << s.ToString();
    EXPECT_EQ(got, "before");
  }
  Put("r", "after");
}

// A database whose settfs schema is of another version is refused, not misread.
TEST_F(PgKvStoreTest, RefusesAnotherSchemaVersion) {
  ASSERT_EQ(server_->CreateDatabase("future"), "");
  std::unique_ptr<PgKvStore> store;
  ASSERT_OK(PgKvStore::Open(server_->Uri("future"), &store));
  store.reset();
  std::string sql = "psql -q -d '" + server_->Uri("future") +
                    "' -c 'UPDATE settfs_meta SET version = 2' >/dev/null 2>&1";
  ASSERT_EQ(std::system((sett::test::PgServer::FindBinaries() + "/" + sql).c_str()), 0);
  Status s = PgKvStore::Open(server_->Uri("future"), &store);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("schema version"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace settfs
