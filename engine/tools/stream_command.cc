#include "stream_command.h"

#include <cstdio>
#include <memory>

#include "open_db.h"
#include "tools/common/format.h"
#include "tools/common/key_file.h"
#include "tools/common/progress.h"

namespace sett::tools {
namespace {

struct StreamArgs {
  std::string dir, out;
  std::string compression = "snappy";
  int zstd_level = 3;
  size_t block_size = 4096;
  std::string out_key_file;
};

int RunStream(const StreamArgs& args) {
  Options out_options;
  if (!ParseCompression(args.compression, &out_options.compression)) {
    std::fprintf(stderr, "sett stream: unknown compression '%s' (none, snappy or zstd)\n",
                 args.compression.c_str());
    return 2;
  }
  out_options.zstd_level = args.zstd_level;
  out_options.block_size = args.block_size;
  if (!args.out_key_file.empty()) {
    std::string error;
    if (!ReadKeyFile(args.out_key_file, &out_options.encryption_key, &error)) {
      std::fprintf(stderr, "sett stream: %s\n", error.c_str());
      return 2;
    }
  }
  auto source = OpenForCommand("stream", args.dir, OpenMode::kReadOnly);
  if (source == nullptr) return 1;
  auto target = OpenForCommand("stream", args.out, OpenMode::kCreate, &out_options);
  if (target == nullptr) return CloseForCommand("stream", std::move(source), 1);
  std::unique_ptr<StreamWriter> writer;
  Status s = target->NewStreamWriter(&writer);
  uint64_t keys = 0, bytes = 0;
  if (s.ok()) {
    Progress progress("streaming (keys)", 0);
    s = source->Stream(StreamOptions(), [&](const std::vector<KV>& batch) {
      for (const KV& kv : batch) bytes += kv.key.size() + kv.value.size();
      keys += batch.size();
      progress.Update(keys);
      return writer->Write(batch);
    });
    if (s.ok()) s = writer->Finish();
  }
  writer.reset();  // An unfinished load is abandoned: nothing of it stays.
  int code = 0;
  if (!s.ok()) {
    std::fprintf(stderr, "sett stream: %s -> %s: %s\n", args.dir.c_str(), args.out.c_str(),
                 s.ToString().c_str());
    code = 1;
  } else {
    std::printf("streamed %llu keys (%s) from %s into %s\n", static_cast<unsigned long long>(keys),
                HumanBytes(bytes).c_str(), args.dir.c_str(), args.out.c_str());
  }
  code = CloseForCommand("stream", std::move(target), code);
  return CloseForCommand("stream", std::move(source), code);
}

}  // namespace

void AddStreamCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<StreamArgs>();
  CLI::App* cmd = app->add_subcommand(
      "stream", "Copy the newest version of every key into a new, empty database (bulk load)");
  cmd->add_option("dir", args->dir, "Database to copy")->required();
  cmd->add_option("--out", args->out, "New database directory (created; must hold no data)")
      ->required();
  cmd->add_option("--compression", args->compression, "Table compression: none, snappy or zstd")
      ->capture_default_str();
  cmd->add_option("--zstd-level", args->zstd_level, "zstd level (1 to 19)")
      ->capture_default_str()
      ->check(CLI::Range(1, 19));
  cmd->add_option("--block-size", args->block_size, "Table block size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(512, 1 << 20));
  cmd->add_option("--out-encryption-key-file", args->out_key_file,
                  "Encrypt the new database with this key (the source's key, if any, is "
                  "--encryption-key-file)");
  cmd->callback([args, exit_code] { *exit_code = RunStream(*args); });
}

}  // namespace sett::tools
