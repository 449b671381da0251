// ReadCountingEnv counts the positioned reads (RandomAccessFile::Read) made of files whose
// names end with a given suffix, so that a test can bound the I/O a feature does. Memory maps
// pass straight through and are not counted.

#ifndef SETT_TESTS_SUPPORT_READ_COUNTING_ENV_H_
#define SETT_TESTS_SUPPORT_READ_COUNTING_ENV_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "sett/env.h"

namespace sett {
namespace test {

class ReadCountingEnv : public EnvWrapper {
 public:
  // Counts reads of files whose path ends with suffix (every file when it is empty).
  explicit ReadCountingEnv(std::string suffix = "")
      : EnvWrapper(Env::Default()), suffix_(std::move(suffix)) {}

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override {
    Status s = target()->NewRandomAccessFile(path, result);
    bool counted = path.size() >= suffix_.size() &&
                   path.compare(path.size() - suffix_.size(), suffix_.size(), suffix_) == 0;
    if (s.ok() && counted) *result = std::make_unique<CountingFile>(std::move(*result), &reads);
    return s;
  }

  std::atomic<int> reads{0};

 private:
  class CountingFile : public RandomAccessFile {
   public:
    CountingFile(std::unique_ptr<RandomAccessFile> base, std::atomic<int>* reads)
        : base_(std::move(base)), reads_(reads) {}
    Status Read(uint64_t offset, size_t n, char* scratch, std::string_view* result) const override {
      (*reads_)++;
      return base_->Read(offset, n, scratch, result);
    }
    const std::string& path() const override { return base_->path(); }

   private:
    std::unique_ptr<RandomAccessFile> base_;
    std::atomic<int>* reads_;
  };

  const std::string suffix_;
};

}  // namespace test
}  // namespace sett

#endif  // SETT_TESTS_SUPPORT_READ_COUNTING_ENV_H_
