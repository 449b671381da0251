#include "rotate_command.h"

#include <cstdio>
#include <memory>

#include "sett/db.h"
#include "tools/common/key_file.h"

namespace sett::tools {
namespace {

struct RotateArgs {
  std::string dir, old_key_file, new_key_file;
};

int RunRotate(const RotateArgs& args) {
  std::string old_key, new_key, error;
  if (!ReadKeyFile(args.old_key_file, &old_key, &error) ||
      !ReadKeyFile(args.new_key_file, &new_key, &error)) {
    std::fprintf(stderr, "sett rotate: %s\n", error.c_str());
    return 2;
  }
  Status s = DB::RotateEncryptionKey(args.dir, old_key, new_key);
  if (!s.ok()) {
    std::fprintf(stderr, "sett rotate: %s: %s\n", args.dir.c_str(), s.ToString().c_str());
    return 1;
  }
  std::printf("%s: the master key is now the one in %s\n", args.dir.c_str(),
              args.new_key_file.c_str());
  return 0;
}

}  // namespace

void AddRotateCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<RotateArgs>();
  CLI::App* cmd = app->add_subcommand(
      "rotate", "Change the master key of an encrypted database (rewrites its KEYREGISTRY only)");
  cmd->add_option("dir", args->dir, "Database directory (closed)")->required();
  cmd->add_option("--old-key-file", args->old_key_file, "The key it has now")->required();
  cmd->add_option("--new-key-file", args->new_key_file, "The key it gets")->required();
  cmd->callback([args, exit_code] { *exit_code = RunRotate(*args); });
}

}  // namespace sett::tools
