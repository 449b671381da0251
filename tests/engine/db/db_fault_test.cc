// The DB on a failing disk (FaultInjectionEnv): power lost at random moments (also during
// flushes, compactions and value-log GC), random EIO on every kind of operation, a full disk
// while tables are written, and failing reads. Every write acknowledged as durable survives,
// nothing appears that was never written, and the DB works again once the faults stop.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/fault_injection_env.h"
#include "util/random.h"

namespace sett {
namespace {

// The writes of a round, and what each key held before it. A write synced and acknowledged
// makes itself and everything written before it durable (the log is one sequence); later
// writes, and writes that failed, may or may not survive.
class Model {
 public:
  using Value = std::optional<std::string>;  // nullopt: deleted

  size_t Begin(const std::string& key, Value value) {
    writes_.push_back(Write{key, std::move(value), false});
    return writes_.size() - 1;
  }
  void Acknowledge(size_t index, bool synced) {
    writes_[index].acked = true;
    if (synced) durable_upto_ = index + 1;
  }
  void AcknowledgeAllAsDurable() { durable_upto_ = writes_.size(); }

  // Whether `got` is a value the key may hold now.
  bool Allows(const std::string& key, const Value& got) const {
    size_t from = 0;
    bool base_allowed = true;
    for (size_t i = 0; i < durable_upto_; i++) {
      if (writes_[i].key == key && writes_[i].acked) {
        from = i;
        base_allowed = false;
      }
    }
    if (base_allowed) {
      auto it = base_.find(key);
      if (got == (it == base_.end() ? Value() : it->second)) return true;
    }
    for (size_t i = from; i < writes_.size(); i++) {
      if (writes_[i].key == key && writes_[i].value == got) return true;
    }
    return false;
  }

  // The key's history, for failure messages.
  std::string Describe(const std::string& key) const {
    std::string out;
    auto it = base_.find(key);
    out += "before: " + (it == base_.end() || !it->second ? "nothing" : it->second->substr(0, 12));
    for (size_t i = 0; i < writes_.size(); i++) {
      if (writes_[i].key != key) continue;
      out += "; #" + std::to_string(i) + " " +
             (writes_[i].value ? writes_[i].value->substr(0, 12) : "delete") +
             (writes_[i].acked ? " acked" : " failed");
    }
    return out + "; durable up to #" + std::to_string(durable_upto_) + " of " +
           std::to_string(writes_.size());
  }

  std::set<std::string> Keys() const {
    std::set<std::string> keys;
    for (const auto& [key, value] : base_) keys.insert(key);
    for (const auto& w : writes_) keys.insert(w.key);
    return keys;
  }

  // Starts a new round from what the DB was seen to hold.
  void Rebase(std::map<std::string, Value> observed) {
    base_ = std::move(observed);
    writes_.clear();
    durable_upto_ = 0;
  }

 private:
  struct Write {
    std::string key;
    Value value;
    bool acked;
  };
  std::map<std::string, Value> base_;
  std::vector<Write> writes_;
  size_t durable_upto_ = 0;
};

class DBFaultTest : public ::testing::Test {
 protected:
  Options SmallOptions() {
    Options options;
    options.dir = dir_.path();
    options.env = &env_;
    options.logger = NullLogger();  // the failures are expected
    options.memtable_size = 64 << 10;
    options.base_table_size = 32 << 10;
    options.base_level_size = 128 << 10;
    options.num_level_zero_tables = 2;
    options.num_level_zero_tables_stall = 6;
    options.value_threshold = 256;
    options.value_log_file_size = 256 << 10;
    if (encrypted_) options.encryption_key = std::string(24, 'e');
    return options;
  }

  void PowerLossKeepsEveryWriteAcknowledgedAsDurable();
  void RandomIoErrorsLoseNothingAcknowledged();

  static std::string Key(uint64_t i) { return "key" + std::to_string(10000 + i); }
  static std::string ValueFor(uint64_t round, uint64_t i, size_t size) {
    std::string v = std::to_string(round) + ":" + std::to_string(i) + ":";
    v.resize(std::max(size, v.size()), static_cast<char>('a' + i % 26));
    return v;
  }

  // One random write through db, recorded in model first (so a failed one counts as maybe
  // applied). Returns its status.
  Status RandomWrite(DB* db, Random* rnd, uint64_t round, uint64_t i, double sync_fraction) {
    std::string key = Key(rnd->Uniform(400));
    bool sync = rnd->Uniform(1000) < sync_fraction * 1000;
    WriteOptions wo;
    wo.sync = sync;
    Status s;
    if (rnd->Uniform(8) == 0) {
      size_t index = model_.Begin(key, std::nullopt);
      s = db->Delete(wo, key);
      if (s.ok()) model_.Acknowledge(index, sync);
    } else {
      std::string value = ValueFor(round, i, rnd->Uniform(4) == 0 ? 300 + rnd->Uniform(3000) : 40);
      size_t index = model_.Begin(key, value);
      s = db->Put(wo, key, value);
      if (s.ok()) model_.Acknowledge(index, sync);
    }
    return s;
  }

  // Checks every key against the model, and that no other key exists; rebases the model on
  // what was read.
  void VerifyAndRebase(DB* db, const std::string& when) {
    std::map<std::string, Model::Value> observed;
    for (const std::string& key : model_.Keys()) {
      std::string value;
      Status s = db->Get(ReadOptions(), key, &value);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << when << ": " << key << ": " << s.ToString();
      Model::Value got = s.ok() ? Model::Value(value) : std::nullopt;
      ASSERT_TRUE(model_.Allows(key, got))
          << when << ": " << key << " holds " << (got ? got->substr(0, 40) : "nothing")
          << ", which is not its durable value nor a later write: " << model_.Describe(key);
      if (got) observed[key] = got;
    }
    auto it = db->NewIterator(ReadOptions());
    size_t seen = 0;
    for (it->Rewind(); it->Valid(); it->Next()) {
      ASSERT_TRUE(observed.count(std::string(it->key()))) << when << ": stray " << it->key();
      seen++;
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(seen, observed.size()) << when;
    model_.Rebase(std::move(observed));
  }

  test::TempDir dir_;
  FaultInjectionEnv env_{Env::Default()};
  bool encrypted_ = false;  // SmallOptions opens an encrypted DB.
  Model model_;
};

void DBFaultTest::PowerLossKeepsEveryWriteAcknowledgedAsDurable() {
  uint64_t seed = test::TestSeed(static_cast<uint64_t>(time(nullptr)));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with SETT_TEST_SEED)");
  Random rnd(seed);
  const int rounds = 16;
  uint64_t writes = 0;
  for (int round = 0; round < rounds; round++) {
    std::string when = "round " + std::to_string(round);
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(SmallOptions(), &db));
    if (round > 0) {
      ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), when + ", after reopening"));
    }
    std::atomic<bool> stop{false};
    std::thread writer([&, writer_seed = rnd.Next()] {
      Random wrnd(writer_seed);
      for (uint64_t i = 0; !stop; i++) {
        if (!RandomWrite(db.get(), &wrnd, round, i, 0.2).ok()) break;
        writes++;
        if (i % 300 == 299) db->RunValueLogGC(0.3).IgnoreError();  // GC too may be cut short
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rnd.Uniform(200)));
    env_.LosePower();
    stop = true;
    writer.join();
    db.reset();  // Closing fails: nothing reaches the disk any more.
    auto loss =
        round % 2 ? FaultInjectionEnv::Loss::kRandomPrefix : FaultInjectionEnv::Loss::kAllUnsynced;
    ASSERT_OK(env_.DropUnsyncedData(loss, rnd.Next()));
  }
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "at the end"));
  ASSERT_OK(db->VerifyChecksums());
  std::printf("%d power losses, %llu writes\n", rounds, static_cast<unsigned long long>(writes));
  EXPECT_GT(writes, 1000u);
}

void DBFaultTest::RandomIoErrorsLoseNothingAcknowledged() {
  uint64_t seed = test::TestSeed(static_cast<uint64_t>(time(nullptr)));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with SETT_TEST_SEED)");
  Random rnd(seed);
  for (int round = 0; round < 4; round++) {
    std::string when = "round " + std::to_string(round);
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(SmallOptions(), &db));
    env_.FailRandomly(FaultInjectionEnv::kAnyOp & ~FaultInjectionEnv::kRead, EIO, 0.02, rnd.Next());
    int failed = 0;
    for (uint64_t i = 0; i < 3000; i++) {
      Status s = RandomWrite(db.get(), &rnd, round, i, 0.3);
      if (!s.ok()) {
        failed++;
        EXPECT_TRUE(s.IsIOError()) << s.ToString();
        EXPECT_NE(s.ToString().find(dir_.path()), std::string::npos)
            << "the error names the file: " << s.ToString();
      }
    }
    env_.ClearFaults();
    EXPECT_GT(failed, 0) << when;
    // Healthy again: writes go through (background work may need a retry to catch up).
    Status s;
    for (int attempt = 0; attempt < 100; attempt++) {
      s = RandomWrite(db.get(), &rnd, round, 1000000 + attempt, 1.0);
      if (s.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_OK(s);
    ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), when + ", live"));
    // Then the power goes: what was durable stays.
    for (uint64_t i = 0; i < 200; i++) ASSERT_OK(RandomWrite(db.get(), &rnd, round, i, 0.5));
    env_.LosePower();
    db.reset();
    ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced, rnd.Next()));
    ASSERT_OK(DB::Open(SmallOptions(), &db));
    ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), when + ", after the power loss"));
    ASSERT_OK(db->Close());
  }
}

TEST_F(DBFaultTest, PowerLossKeepsEveryWriteAcknowledgedAsDurable) {
  PowerLossKeepsEveryWriteAcknowledgedAsDurable();
}

TEST_F(DBFaultTest, PowerLossKeepsEveryWriteAcknowledgedAsDurableEncrypted) {
  encrypted_ = true;
  PowerLossKeepsEveryWriteAcknowledgedAsDurable();
}

TEST_F(DBFaultTest, RandomIoErrorsLoseNothingAcknowledgedAndTheDbRecovers) {
  RandomIoErrorsLoseNothingAcknowledged();
}

TEST_F(DBFaultTest, RandomIoErrorsLoseNothingAcknowledgedAndTheDbRecoversEncrypted) {
  encrypted_ = true;
  RandomIoErrorsLoseNothingAcknowledged();
}

TEST_F(DBFaultTest, DiskFullWhileWritingTablesHoldsWritesBackThenCatchesUp) {
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  env_.FailOps(FaultInjectionEnv::kWrite | FaultInjectionEnv::kOpen, ENOSPC, ".sst", 0, 0);
  Random rnd(7);
  Status first_error;
  for (uint64_t i = 0; i < 20000 && first_error.ok(); i++) {
    first_error = RandomWrite(db.get(), &rnd, 0, i, 0.0);
  }
  ASSERT_FALSE(first_error.ok()) << "writes stall and then fail while no table can be written";
  EXPECT_EQ(first_error.error_number(), ENOSPC) << first_error.ToString();
  EXPECT_NE(first_error.ToString().find(".sst"), std::string::npos) << first_error.ToString();
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "while the disk is full"));

  env_.ClearFaults();
  Status s;
  for (int attempt = 0; attempt < 100; attempt++) {
    s = RandomWrite(db.get(), &rnd, 1, attempt, 0.0);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_OK(s);
  for (uint64_t i = 0; i < 3000; i++) ASSERT_OK(RandomWrite(db.get(), &rnd, 2, i, 0.0));
  ASSERT_OK(db->Close());
  model_.AcknowledgeAllAsDurable();  // a clean close keeps every acknowledged write
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "after reopening"));
}

TEST_F(DBFaultTest, ReadErrorsAreReportedNeverMissingOrWrong) {
  Options options = SmallOptions();
  options.block_cache_size = 0;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  const int n = 2000;
  for (int i = 0; i < n; i++) {
    ASSERT_OK(db->Put(WriteOptions(), Key(i), ValueFor(0, i, i % 3 == 0 ? 1000 : 40)));
  }
  ASSERT_OK(db->Flush());
  for (const char* kind : {".sst", ".vlog"}) {
    SCOPED_TRACE(kind);
    env_.FailOps(FaultInjectionEnv::kRead, EIO, kind, 0, 0);
    int errors = 0;
    for (int i = 0; i < n; i++) {
      std::string value;
      Status s = db->Get(ReadOptions(), Key(i), &value);
      if (s.ok()) {
        ASSERT_EQ(value, ValueFor(0, i, i % 3 == 0 ? 1000 : 40)) << Key(i);
      } else {
        ASSERT_TRUE(s.IsIOError()) << Key(i) << ": " << s.ToString();
        ASSERT_EQ(s.error_number(), EIO);
        errors++;
      }
    }
    EXPECT_GT(errors, n / 4);
    auto it = db->NewIterator(ReadOptions());
    for (it->Rewind(); it->Valid(); it->Next()) {
    }
    EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
    env_.ClearFaults();
    for (int i = 0; i < n; i++) {
      std::string value;
      ASSERT_OK(db->Get(ReadOptions(), Key(i), &value));
    }
  }
}

TEST_F(DBFaultTest, TornWalWriteThenPowerLossKeepsTheSyncedPrefix) {
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  Random rnd(11);
  WriteOptions synced;
  synced.sync = true;
  for (int i = 0; i < 50; i++) {
    size_t index = model_.Begin(Key(i), ValueFor(0, i, 40));
    ASSERT_OK(db->Put(synced, Key(i), ValueFor(0, i, 40)));
    model_.Acknowledge(index, true);
  }
  env_.TearNextWrite(".mem", EIO);
  size_t index = model_.Begin(Key(1), ValueFor(1, 1, 40));
  Status s = db->Put(synced, Key(1), ValueFor(1, 1, 40));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  (void)index;
  env_.LosePower();
  db.reset();
  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kRandomPrefix, 3));
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "after the torn write"));
}

// A memtable switch leaves its log unsynced, so a power loss can cut one log's tail while the
// next one reached the disk whole. Recovery stops at the tear: the keys, written in order
// without a sync, come back as a prefix, never with a hole. Flushes fail meanwhile, so the
// logs are all still there when the power goes.
TEST_F(DBFaultTest, ALogTornBeforeAWholeLaterOneLeavesAPrefix) {
  const int n = 1200;  // About four memtables of 64 KiB.
  int longest = 0;
  for (uint64_t seed = 1; seed <= 12; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Options options = SmallOptions();
    options.dir = dir_.path() + "/seed" + std::to_string(seed);
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, &db));
    env_.FailOps(FaultInjectionEnv::kOpen, EIO, ".sst");
    for (int i = 0; i < n; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), ValueFor(0, i, 40)));
    env_.LosePower();
    db.reset();
    env_.ClearFaults();
    ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kRandomPrefix, seed));
    ASSERT_OK(DB::Open(options, &db));
    std::string value;
    int present = 0;
    while (present < n && db->Get(ReadOptions(), Key(present), &value).ok()) {
      ASSERT_EQ(value, ValueFor(0, present, 40)) << Key(present);
      present++;
    }
    for (int i = present; i < n; i++) {
      ASSERT_TRUE(db->Get(ReadOptions(), Key(i), &value).IsNotFound())
          << Key(i) << " survived while " << Key(present) << " was lost";
    }
    longest = std::max(longest, present);
    db.reset();
  }
  EXPECT_GT(longest, 0) << "no seed kept anything: the test proves nothing";
}

// A failed append breaks its log, which the next write retires for a new one. The broken log is
// cut to its whole records first: were it left with a torn tail, recovery would take that for
// a power loss and drop the later log, synced writes and all.
TEST_F(DBFaultTest, SyncedWritesAfterAFailedAppendSurviveAPowerLoss) {
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  WriteOptions synced;
  synced.sync = true;
  env_.FailOps(FaultInjectionEnv::kOpen, EIO, ".sst");  // Both logs stay till the power loss.
  for (int i = 0; i < 50; i++) ASSERT_OK(db->Put(synced, Key(i), ValueFor(0, i, 40)));
  env_.TearNextWrite(".mem", EIO);
  Status s = db->Put(synced, Key(50), ValueFor(0, 50, 40));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  for (int i = 51; i < 100; i++) ASSERT_OK(db->Put(synced, Key(i), ValueFor(0, i, 40)));
  env_.LosePower();
  db.reset();
  env_.ClearFaults();
  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  ASSERT_OK(DB::Open(SmallOptions(), &db));
  for (int i = 0; i < 100; i++) {
    std::string value;
    Status got = db->Get(ReadOptions(), Key(i), &value);
    if (i == 50) {
      EXPECT_TRUE(got.IsNotFound()) << "the failed write came back: " << got.ToString();
      continue;
    }
    ASSERT_OK(got);
    EXPECT_EQ(value, ValueFor(0, i, 40)) << Key(i);
  }
}

// A synced write of a value bound for the value log costs one fsync, the log's: its record
// holds a copy of the value, which replay takes when the value log lost it.
TEST_F(DBFaultTest, SyncedLargeValuesCostOneFsyncAndSurvivePowerLoss) {
  Options options = SmallOptions();
  options.memtable_size = 8 << 20;  // No memtable switch (which syncs) during the test.
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  WriteOptions synced;
  synced.sync = true;
  const uint64_t before = env_.file_syncs();
  for (int i = 0; i < 100; i++) {
    size_t index = model_.Begin(Key(i), ValueFor(0, i, 1024));
    ASSERT_OK(db->Put(synced, Key(i), ValueFor(0, i, 1024)));
    model_.Acknowledge(index, true);
  }
  EXPECT_EQ(env_.file_syncs() - before, 100u);
  // An unsynced large value is in no log copy: the next synced write syncs the value log too.
  size_t index = model_.Begin(Key(200), ValueFor(0, 200, 1024));
  ASSERT_OK(db->Put(WriteOptions(), Key(200), ValueFor(0, 200, 1024)));
  model_.Acknowledge(index, false);
  const uint64_t middle = env_.file_syncs();
  index = model_.Begin(Key(201), "small");
  ASSERT_OK(db->Put(synced, Key(201), "small"));
  model_.Acknowledge(index, true);
  EXPECT_EQ(env_.file_syncs() - middle, 2u);
  for (int i = 0; i < 20; i++) {  // Then one each again.
    index = model_.Begin(Key(300 + i), ValueFor(1, i, 2048));
    ASSERT_OK(db->Put(synced, Key(300 + i), ValueFor(1, i, 2048)));
    model_.Acknowledge(index, true);
  }
  EXPECT_EQ(env_.file_syncs() - middle, 22u);
  env_.LosePower();
  db.reset();
  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  ASSERT_OK(DB::Open(options, &db));
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "after the power loss"));
  std::string value;
  ASSERT_OK(db->Get(ReadOptions(), Key(7), &value));
  EXPECT_EQ(value, ValueFor(0, 7, 1024));
  // The values taken from the log's copies live on through flushes, compaction and GC.
  ASSERT_OK(db->Flatten());
  db->RunValueLogGC(0.01).IgnoreError();  // Nothing to collect is fine too.
  ASSERT_OK(db->VerifyChecksums());
  db.reset();
  ASSERT_OK(DB::Open(options, &db));
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "after reopening"));
}

// A value-log write fails, then the fsync that closes that file fails too: the values written
// before, acknowledged but not yet synced, still become durable with the next synced write,
// which may only be acknowledged once they are.
TEST_F(DBFaultTest, AFailedValueLogFsyncIsMadeGoodBeforeAnySyncedWrite) {
  Options options = SmallOptions();
  options.memtable_size = 8 << 20;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  for (int i = 0; i < 10; i++) {
    size_t index = model_.Begin(Key(i), ValueFor(0, i, 1024));
    ASSERT_OK(db->Put(WriteOptions(), Key(i), ValueFor(0, i, 1024)));
    model_.Acknowledge(index, false);
  }
  env_.FailOps(FaultInjectionEnv::kWrite, EIO, ".vlog", 0, 1);
  size_t index = model_.Begin(Key(20), ValueFor(0, 20, 1024));
  EXPECT_TRUE(db->Put(WriteOptions(), Key(20), ValueFor(0, 20, 1024)).IsIOError());
  env_.FailOps(FaultInjectionEnv::kSync, EIO, ".vlog", 0, 1);
  WriteOptions synced;
  synced.sync = true;
  Status s;
  for (int attempt = 0; attempt < 5; attempt++) {
    index = model_.Begin(Key(21), ValueFor(0, 21, 1024));
    s = db->Put(synced, Key(21), ValueFor(0, 21, 1024));
    if (s.ok()) break;
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
  }
  ASSERT_OK(s);
  model_.Acknowledge(index, true);
  env_.LosePower();
  db.reset();
  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  ASSERT_OK(DB::Open(options, &db));
  ASSERT_NO_FATAL_FAILURE(VerifyAndRebase(db.get(), "after the power loss"));
  std::string value;
  ASSERT_OK(db->Get(ReadOptions(), Key(3), &value));
  EXPECT_EQ(value, ValueFor(0, 3, 1024));
}

}  // namespace
}  // namespace sett
