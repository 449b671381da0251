#include "kv_commands.h"

#include <cstdio>

#include "open_db.h"
#include "tools/common/format.h"
#include "tools/common/progress.h"

namespace sett::tools {
namespace {

struct KvArgs {
  std::string dir, key, value, prefix;
  std::string snapshot;  // Read at this named snapshot; empty: the latest state.
  uint64_t limit = 0;
  bool hex = false;
  bool sync = false;
};

std::string Show(std::string_view bytes, bool hex) {
  if (!hex) return EscapeKey(bytes, SIZE_MAX);
  std::string out;
  char buf[4];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", c);
    out += buf;
  }
  return out;
}

// The read options of a command: at args.snapshot when given.
Status ReadOptionsFor(DB* db, const KvArgs& args, ReadOptions* ro) {
  if (args.snapshot.empty()) return Status::OK();
  SnapshotInfo info;
  Status s = db->FindSnapshot(args.snapshot, &info);
  ro->read_ts = info.read_ts;
  return s;
}

int RunGet(const KvArgs& args) {
  auto db = OpenForCommand("get", args.dir, OpenMode::kReadOnly);
  if (db == nullptr) return 1;
  std::string value;
  uint64_t version;
  ReadOptions ro;
  Status s = ReadOptionsFor(db.get(), args, &ro);
  if (!s.ok()) {
    std::fprintf(stderr, "sett get: %s\n", s.ToString().c_str());
    return CloseForCommand("get", std::move(db), 1);
  }
  s = db->Get(ro, args.key, &value, &version);
  int code = 0;
  if (s.ok()) {
    std::printf("%s\n", Show(value, args.hex).c_str());
  } else if (s.IsNotFound()) {
    std::fprintf(stderr, "sett get: %s: not found\n", EscapeKey(args.key, SIZE_MAX).c_str());
    code = 3;
  } else {
    std::fprintf(stderr, "sett get: %s\n", s.ToString().c_str());
    code = 1;
  }
  return CloseForCommand("get", std::move(db), code);
}

int RunWrite(const std::string& command, const KvArgs& args, bool remove) {
  auto db = OpenForCommand(command, args.dir, OpenMode::kCreate);
  if (db == nullptr) return 1;
  WriteOptions wo;
  wo.sync = args.sync;
  Status s = remove ? db->Delete(wo, args.key) : db->Put(wo, args.key, args.value);
  int code = 0;
  if (!s.ok()) {
    std::fprintf(stderr, "sett %s: %s\n", command.c_str(), s.ToString().c_str());
    code = 1;
  }
  return CloseForCommand(command, std::move(db), code);
}

int RunScan(const KvArgs& args) {
  auto db = OpenForCommand("scan", args.dir, OpenMode::kReadOnly);
  if (db == nullptr) return 1;
  ReadOptions ro;
  Status s = ReadOptionsFor(db.get(), args, &ro);
  if (!s.ok()) {
    std::fprintf(stderr, "sett scan: %s\n", s.ToString().c_str());
    return CloseForCommand("scan", std::move(db), 1);
  }
  ro.prefix = args.prefix;
  ro.prefetch_values = true;
  auto it = db->NewIterator(ro);
  uint64_t n = 0;
  Progress progress("scanning", args.limit);
  for (it->Rewind(); it->Valid() && (args.limit == 0 || n < args.limit); it->Next(), n++) {
    std::printf("%s\t%s\n", Show(it->key(), args.hex).c_str(), Show(it->value(), args.hex).c_str());
    progress.Update(n + 1);
  }
  progress.Finish();
  int code = 0;
  if (!it->status().ok()) {
    std::fprintf(stderr, "sett scan: %s\n", it->status().ToString().c_str());
    code = 1;
  }
  it.reset();
  return CloseForCommand("scan", std::move(db), code);
}

}  // namespace

void AddKvCommands(CLI::App* app, int* exit_code) {
  auto get = std::make_shared<KvArgs>();
  CLI::App* g = app->add_subcommand("get", "Print a key's value (exit status 3 when absent)");
  g->add_option("dir", get->dir, "Database directory")->required();
  g->add_option("key", get->key, "Key")->required();
  g->add_flag("--hex", get->hex, "Print the value in hex (default: escaped text)");
  g->add_option("--snapshot", get->snapshot, "Read at this named snapshot (sett snapshot)");
  g->callback([get, exit_code] { *exit_code = RunGet(*get); });

  auto set = std::make_shared<KvArgs>();
  CLI::App* s = app->add_subcommand("set", "Set a key to a value (creates the database if needed)");
  s->add_option("dir", set->dir, "Database directory")->required();
  s->add_option("key", set->key, "Key")->required();
  s->add_option("value", set->value, "Value")->required();
  s->add_flag("--sync", set->sync, "fsync before returning");
  s->callback([set, exit_code] { *exit_code = RunWrite("set", *set, false); });

  auto del = std::make_shared<KvArgs>();
  CLI::App* d = app->add_subcommand("del", "Delete a key");
  d->add_option("dir", del->dir, "Database directory")->required();
  d->add_option("key", del->key, "Key")->required();
  d->add_flag("--sync", del->sync, "fsync before returning");
  d->callback([del, exit_code] { *exit_code = RunWrite("del", *del, true); });

  auto scan = std::make_shared<KvArgs>();
  CLI::App* sc = app->add_subcommand("scan", "Print keys and values in order, one per line");
  sc->add_option("dir", scan->dir, "Database directory")->required();
  sc->add_option("--prefix", scan->prefix, "Only keys that start with this");
  sc->add_option("--limit", scan->limit, "Stop after this many keys (0: all)");
  sc->add_flag("--hex", scan->hex, "Print keys and values in hex");
  sc->add_option("--snapshot", scan->snapshot, "Read at this named snapshot (sett snapshot)");
  sc->callback([scan, exit_code] { *exit_code = RunScan(*scan); });
}

}  // namespace sett::tools
