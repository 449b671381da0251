// Crash test: a child process writes with sync on and reports every acknowledged batch through
// a pipe; the parent SIGKILLs it at a random moment, reopens, and checks that every
// acknowledged batch is there, whole, with the right values. Small memtables and levels make
// the kill land during flushes and compactions too.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/kill_child.h"
#include "support/test_util.h"
#include "util/random.h"

namespace sett {
namespace {

Options CrashOptions(const std::string& dir, bool encrypted) {
  Options options;
  if (encrypted) options.encryption_key = std::string(32, 'c');
  options.dir = dir;
  options.logger = StderrLogger(LogLevel::kError);
  options.sync_writes = true;
  options.memtable_size = 128 << 10;
  options.base_table_size = 64 << 10;
  options.base_level_size = 256 << 10;
  options.num_level_zero_tables = 2;
  options.num_level_zero_tables_stall = 8;
  return options;
}

std::string BatchKey(uint32_t round, uint32_t batch, int j) {
  return "r" + std::to_string(round) + "/b" + std::to_string(batch) + "/" + std::to_string(j);
}
std::string BatchValue(uint32_t round, uint32_t batch, int j) {
  return std::string(50 + (batch * 13 + j) % 300,
                     static_cast<char>('a' + (round + batch + j) % 26));
}
constexpr int kKeysPerBatch = 4;

// The child: writes batches forever, reporting each acknowledged one. Never returns.
[[noreturn]] void Writer(const std::string& dir, bool encrypted, uint32_t round, int fd) {
  std::unique_ptr<DB> db;
  if (!DB::Open(CrashOptions(dir, encrypted), &db).ok()) _exit(3);
  for (uint32_t b = 0;; b++) {
    WriteBatch batch;
    for (int j = 0; j < kKeysPerBatch; j++)
      batch.Put(BatchKey(round, b, j), BatchValue(round, b, j));
    if (!db->Write(WriteOptions(), batch).ok()) _exit(4);
    if (write(fd, &b, sizeof(b)) != sizeof(b)) _exit(5);
  }
}

void AcknowledgedWritesSurviveSigkill(bool encrypted) {
  test::TempDir dir;
  Random rnd(test::TestSeed(static_cast<uint64_t>(time(nullptr))));
  const int rounds = 12;
  std::vector<uint32_t> acked(rounds, 0);  // Batches acknowledged per round.

  for (int round = 0; round < rounds; round++) {
    test::KilledChild child =
        test::KillChildAfter([&](int fd) { Writer(dir.path(), encrypted, round, fd); },
                             std::chrono::milliseconds(100 + rnd.Uniform(400)));
    ASSERT_TRUE(child.killed) << "the writer exited by itself with " << child.exit_code;
    for (size_t at = 0; at + sizeof(uint32_t) <= child.output.size(); at += sizeof(uint32_t)) {
      uint32_t b;
      std::memcpy(&b, child.output.data() + at, sizeof(b));
      acked[round] = b + 1;
    }
    ASSERT_GT(acked[round], 0u) << "round " << round << " acknowledged nothing";

    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(CrashOptions(dir.path(), encrypted), &db));
    for (int r = 0; r <= round; r++) {
      for (uint32_t batch = 0; batch <= acked[r]; batch++) {
        int present = 0;
        for (int j = 0; j < kKeysPerBatch; j++) {
          std::string value;
          Status s = db->Get(ReadOptions(), BatchKey(r, batch, j), &value);
          ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
          if (s.ok()) {
            ASSERT_EQ(value, BatchValue(r, batch, j)) << BatchKey(r, batch, j);
            present++;
          }
        }
        if (batch < acked[r]) {
          ASSERT_EQ(present, kKeysPerBatch) << "acknowledged batch " << batch << " of round " << r
                                            << " is missing after the kill";
        } else {
          // The batch in flight when the kill came: all or nothing.
          ASSERT_TRUE(present == 0 || present == kKeysPerBatch) << "batch " << batch << " in part";
        }
      }
    }
    ASSERT_OK(db->VerifyChecksums());
    ASSERT_OK(db->Close());
  }
}

TEST(DBCrashTest, AcknowledgedWritesSurviveSigkill) { AcknowledgedWritesSurviveSigkill(false); }

TEST(DBCrashTest, AcknowledgedWritesSurviveSigkillEncrypted) {
  AcknowledgedWritesSurviveSigkill(true);
}

}  // namespace
}  // namespace sett
