// load_bench: one bulk load of --num sorted keys (16 bytes) with --value-size byte values into
// a new sett DB, through write batches of --batch keys (then a flush, so that both end with
// every key in a table) or through a StreamWriter. Prints a JSON line per method and the
// speedup.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "CLI/CLI.hpp"
#include "sett/db.h"

namespace {

using Clock = std::chrono::steady_clock;

void Check(const sett::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

std::string Key(uint64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "k%015llu", static_cast<unsigned long long>(i));
  return buf;
}

std::unique_ptr<sett::DB> OpenNew(const std::string& dir) {
  std::filesystem::remove_all(dir);
  sett::Options options;
  options.dir = dir;
  std::unique_ptr<sett::DB> db;
  Check(sett::DB::Open(options, &db), "open");
  return db;
}

double LoadWithBatches(const std::string& dir, uint64_t num, size_t value_size, size_t batch) {
  auto db = OpenNew(dir);
  std::string value(value_size, 'v');
  auto start = Clock::now();
  sett::WriteBatch wb;
  for (uint64_t i = 0; i < num; i++) {
    wb.Put(Key(i), value);
    if (wb.Count() == batch || i + 1 == num) {
      Check(db->Write(sett::WriteOptions(), wb), "write");
      wb.Clear();
    }
  }
  Check(db->Flush(), "flush");
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Check(db->Close(), "close");
  return seconds;
}

double LoadWithStreamWriter(const std::string& dir, uint64_t num, size_t value_size, size_t batch) {
  auto db = OpenNew(dir);
  std::string value(value_size, 'v');
  auto start = Clock::now();
  std::unique_ptr<sett::StreamWriter> writer;
  Check(db->NewStreamWriter(&writer), "stream writer");
  std::vector<sett::KV> kvs;
  for (uint64_t i = 0; i < num; i++) {
    kvs.push_back(sett::KV{Key(i), value});
    if (kvs.size() == batch || i + 1 == num) {
      Check(writer->Write(kvs), "stream write");
      kvs.clear();
    }
  }
  Check(writer->Finish(), "finish");
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Check(db->Close(), "close");
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t num = 10000000;
  size_t value_size = 100, batch = 1000;
  CLI::App app{"load_bench: a bulk load through write batches and through a StreamWriter"};
  app.add_option("--dir", dir, "Scratch directory (replaced)")->required();
  app.add_option("--num", num, "Keys")->capture_default_str();
  app.add_option("--value-size", value_size, "Bytes per value")->capture_default_str();
  app.add_option("--batch", batch, "Keys per batch")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  double batches = LoadWithBatches(dir, num, value_size, batch);
  std::printf("{\"method\":\"batches\",\"num\":%llu,\"value_size\":%zu,\"seconds\":%.2f}\n",
              static_cast<unsigned long long>(num), value_size, batches);
  double stream = LoadWithStreamWriter(dir, num, value_size, batch);
  std::printf("{\"method\":\"stream_writer\",\"num\":%llu,\"value_size\":%zu,\"seconds\":%.2f}\n",
              static_cast<unsigned long long>(num), value_size, stream);
  std::printf("{\"speedup\":%.2f}\n", batches / stream);
  std::filesystem::remove_all(dir);
  return 0;
}
