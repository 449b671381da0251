#include "bank_command.h"

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "open_db.h"
#include "tools/common/progress.h"
#include "tools/common/tool_random.h"

namespace sett::tools {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kInitialBalance = 100;

struct BankArgs {
  std::string dir;
  int accounts = 10000;
  int threads = 8;
  int readers = 2;
  double duration = 60;
  double reopen_every = 0;
  uint64_t seed = 0;
};

std::string AccountKey(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "bank/%08d", i);
  return buf;
}

Status ReadBalance(Txn* txn, const std::string& key, uint64_t* balance) {
  Item item;
  Status s = txn->Get(key, &item);
  if (!s.ok()) return s;
  *balance = std::stoull(item.ValueCopy());
  return Status::OK();
}

class Bank {
 public:
  explicit Bank(const BankArgs& args) : args_(args) {}

  int Run() {
    db_ = OpenForCommand("bank", args_.dir, OpenMode::kCreate);
    if (db_ == nullptr) return 1;
    if (!Setup()) return Finish(1);
    expected_ = static_cast<uint64_t>(args_.accounts) * kInitialBalance;
    if (!CheckTotal("at the start")) return Finish(1);

    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < args_.threads; t++) threads.emplace_back([this, t] { Transfer(t); });
    for (int r = 0; r < args_.readers; r++) threads.emplace_back([this] { Audit(); });
    Progress progress("bank", 0);
    auto next_reopen = start + std::chrono::duration<double>(args_.reopen_every);
    while (!stop_ && Seconds(start) < args_.duration) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      progress.Update(transfers_.load());
      if (args_.reopen_every > 0 && Clock::now() >= next_reopen) {
        Reopen();
        next_reopen = Clock::now() + std::chrono::duration<double>(args_.reopen_every);
      }
    }
    stop_ = true;
    for (auto& t : threads) t.join();
    progress.Finish();
    bool ok = violations_ == 0 && errors_ == 0 && CheckTotal("at the end");
    std::printf("bank: %d accounts, %d transfer threads, %d readers, %.0f s: %" PRIu64
                " transfers, %" PRIu64 " conflicts retried, %" PRIu64 " totals checked, %" PRIu64
                " reopens, %" PRIu64 " violations, %" PRIu64 " errors\n",
                args_.accounts, args_.threads, args_.readers, Seconds(start), transfers_.load(),
                conflicts_.load(), audits_.load(), reopens_.load(), violations_.load(),
                errors_.load());
    return Finish(ok ? 0 : 1);
  }

 private:
  static double Seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  }

  int Finish(int code) {
    if (db_ == nullptr) return code;
    return CloseForCommand("bank", std::move(db_), code);
  }

  // Creates the accounts that do not exist yet.
  bool Setup() {
    for (int i = 0; i < args_.accounts; i += 1000) {
      WriteBatch batch;
      for (int j = i; j < std::min(args_.accounts, i + 1000); j++) {
        std::string value;
        if (db_->Get(ReadOptions(), AccountKey(j), &value).IsNotFound()) {
          batch.Put(AccountKey(j), std::to_string(kInitialBalance));
        }
      }
      Status s = db_->Write(WriteOptions(), batch);
      if (!s.ok()) {
        std::fprintf(stderr, "sett bank: creating accounts: %s\n", s.ToString().c_str());
        return false;
      }
    }
    return true;
  }

  void Transfer(int thread) {
    ToolRandom rnd(args_.seed * 1000 + thread + 1);
    while (!stop_) {
      int from = static_cast<int>(rnd.Uniform(args_.accounts));
      int to = static_cast<int>(rnd.Uniform(args_.accounts - 1));
      if (to >= from) to++;
      uint64_t pick = rnd.Next();
      std::shared_lock<std::shared_mutex> lock = Enter();
      while (!stop_) {  // The same transfer until it commits.
        Status s = db_->Update([&](Txn* txn) {
          uint64_t a, b;
          Status r = ReadBalance(txn, AccountKey(from), &a);
          if (r.ok()) r = ReadBalance(txn, AccountKey(to), &b);
          if (!r.ok() || a == 0) return r;
          uint64_t amount = 1 + pick % a;
          r = txn->Set(AccountKey(from), std::to_string(a - amount));
          if (r.ok()) r = txn->Set(AccountKey(to), std::to_string(b + amount));
          return r;
        });
        if (s.ok()) {
          transfers_++;
          break;
        }
        if (s.IsConflict()) {
          conflicts_++;
          continue;
        }
        Error("transfer", s);
        return;
      }
    }
  }

  void Audit() {
    while (!stop_) {
      std::shared_lock<std::shared_mutex> lock = Enter();
      Sum(nullptr);
    }
  }

  // Sums all balances in one read-only transaction; false (and a violation) on a wrong total.
  bool Sum(const char* when) {
    std::unique_ptr<Txn> txn = db_->NewTransaction(false);
    ReadOptions ro;
    ro.prefix = "bank/";
    auto it = txn->NewIterator(ro);
    uint64_t total = 0;
    int accounts = 0;
    for (it->Rewind(); it->Valid(); it->Next(), accounts++) {
      total += std::stoull(std::string(it->value()));
    }
    if (!it->status().ok()) {
      Error("audit", it->status());
      return false;
    }
    audits_++;
    if (total == expected_ && accounts == args_.accounts) return true;
    violations_++;
    std::fprintf(stderr,
                 "sett bank: VIOLATION%s%s at read timestamp %" PRIu64 ": total %" PRIu64
                 " over %d accounts, expected %" PRIu64 " over %d\n",
                 when != nullptr ? " " : "", when != nullptr ? when : "", txn->read_ts(), total,
                 accounts, expected_, args_.accounts);
    stop_ = true;
    return false;
  }

  bool CheckTotal(const char* when) { return Sum(when); }

  // Workers hold this while they use the database; a pending reopen holds new ones back (the
  // lock alone would let a steady stream of workers starve it).
  std::shared_lock<std::shared_mutex> Enter() {
    while (reopening_ && !stop_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return std::shared_lock<std::shared_mutex>(reopen_mu_);
  }

  void Reopen() {
    reopening_ = true;
    std::unique_lock<std::shared_mutex> lock(reopen_mu_);
    reopening_ = false;
    Status s = db_->Close();
    db_.reset();
    if (!s.ok()) {
      Error("close", s);
      return;
    }
    db_ = OpenForCommand("bank", args_.dir, OpenMode::kReadWrite);
    if (db_ == nullptr) {
      errors_++;
      stop_ = true;
      return;
    }
    reopens_++;
    Sum("after reopening");
  }

  void Error(const char* what, const Status& s) {
    errors_++;
    stop_ = true;
    std::fprintf(stderr, "sett bank: %s: %s\n", what, s.ToString().c_str());
  }

  const BankArgs args_;
  std::unique_ptr<DB> db_;
  std::shared_mutex reopen_mu_;  // Workers share it; a reopen takes it alone.
  uint64_t expected_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> reopening_{false};
  std::atomic<uint64_t> transfers_{0}, conflicts_{0}, audits_{0}, reopens_{0}, violations_{0},
      errors_{0};
};

}  // namespace

void AddBankCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<BankArgs>();
  CLI::App* cmd = app->add_subcommand(
      "bank", "The bank test: concurrent transfers, and audits that the total never changes");
  cmd->add_option("dir", args->dir, "Database directory (created when missing)")->required();
  cmd->add_option("--accounts", args->accounts, "Accounts")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000000));
  cmd->add_option("--threads", args->threads, "Transfer threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--readers", args->readers, "Threads that audit the total")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  cmd->add_option("--duration", args->duration, "Seconds to run")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--reopen-every", args->reopen_every,
                  "Close and reopen the database every this many seconds (0: never)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the transfers")->capture_default_str();
  cmd->callback([args, exit_code] { *exit_code = Bank(*args).Run(); });
}

}  // namespace sett::tools
