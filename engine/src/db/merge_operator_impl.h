// MergeOperatorImpl is the handle DB::GetMergeOperator returns (sett/merge.h): it holds its
// key's function in the DB's MergeRegistry, and a thread that every interval reads the key's
// folded value and writes it back as a plain value, in a transaction (one that conflicts with
// a merge committed meanwhile and is simply tried again next round), so that the operands a
// read folds stay few however long the handle lives.
//
// Thread safety: Add and Get may be called concurrently. Stop before the DB closes.

#ifndef SETT_DB_MERGE_OPERATOR_IMPL_H_
#define SETT_DB_MERGE_OPERATOR_IMPL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "db/merge_registry.h"
#include "sett/db.h"

namespace sett {

class MergeOperatorImpl : public MergeOperator {
 public:
  // REQUIRES: key held in registry by the caller; Stop releases it.
  MergeOperatorImpl(DB* db, MergeRegistry* registry, std::string key,
                    std::chrono::milliseconds interval);
  ~MergeOperatorImpl() override { Stop(); }

  Status Add(std::string_view operand) override;
  Status Get(std::string* value) override;
  void Stop() override;

 private:
  void FoldLoop();
  // Writes the folded value back as a plain value, when operands were added since last time.
  Status FoldOnce();

  DB* const db_;
  MergeRegistry* const registry_;
  const std::string key_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;
  std::atomic<uint64_t> added_{0};  // Operands added since the last fold.
  std::thread folder_;
};

}  // namespace sett

#endif  // SETT_DB_MERGE_OPERATOR_IMPL_H_
