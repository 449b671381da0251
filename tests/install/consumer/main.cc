// A program outside the project that uses an installed sett: opens a database, writes, reads
// back, and prints what it read and the library's version.

#include <sett/db.h>
#include <sett/version.h>

#include <cstdio>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  sett::Options options;
  options.dir = argv[1];
  std::unique_ptr<sett::DB> db;
  sett::Status s = sett::DB::Open(options, &db);
  if (s.ok()) s = db->Put(sett::WriteOptions(), "greeting", "hello from an installed sett");
  std::string value;
  if (s.ok()) s = db->Get(sett::ReadOptions(), "greeting", &value);
  if (s.ok()) s = db->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%s (sett %s)\n", value.c_str(), SETT_VERSION_STRING);
  return 0;
}
