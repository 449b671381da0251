// Crash: the settfs daemon is SIGKILLed in the middle of a write-heavy workload (files written
// and fsynced, rewritten, appended to, and a churn of unsynced creates, renames, removals and
// directories), several times over. After each kill, settfs fsck finds the database clean, and
// after remounting, every file whose last change was fsynced has exactly its contents.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

// $SETTFS_CRASH_KILLS sets the number of kills for a long run (the suite's short mode: 6).
int Kills() {
  const char* env = std::getenv("SETTFS_CRASH_KILLS");
  return env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 6;
}

std::string Contents(uint64_t seed, size_t size) {
  std::mt19937_64 rng(seed);
  std::string s(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < size; j++) s[i + j] = static_cast<char>(v >> (8 * j));
  }
  return s;
}

// The workload, in a child process. The journal (on the host) gets "begin NAME" before a
// durable file changes and "end NAME SEED SIZE" once the change is fsynced.
[[noreturn]] void Workload(const std::string& mnt, const std::string& journal_path, int round,
                           uint64_t seed) {
  int journal = ::open(journal_path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  auto note = [&](const std::string& line) {
    std::string l = line + "\n";
    if (::write(journal, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ::_exit(3);
  };
  std::mt19937_64 rng(seed * 1000 + round);
  ::mkdir((mnt + "/durable").c_str(), 0755);
  ::mkdir((mnt + "/churn").c_str(), 0755);
  for (uint64_t i = 0;; i++) {
    int kind = static_cast<int>(rng() % 10);
    if (kind < 5) {
      // Write a durable file, new or replacing an old one, and fsync it.
      std::string name = "r" + std::to_string(round) + "-" + std::to_string(rng() % 40);
      uint64_t seed = rng();
      size_t size = rng() % 4 == 0 ? rng() % (3 << 20) : rng() % 20000;
      std::string data = Contents(seed, size);
      note("begin " + name);
      int fd = ::open((mnt + "/durable/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) ::_exit(0);  // The filesystem is gone: the kill came.
      for (size_t done = 0; done < size;) {
        ssize_t n = ::write(fd, data.data() + done, std::min<size_t>(size - done, 1 << 20));
        if (n <= 0) ::_exit(0);
        done += static_cast<size_t>(n);
      }
      if (::fsync(fd) != 0) ::_exit(0);
      ::close(fd);
      note("end " + name + " " + std::to_string(seed) + " " + std::to_string(size));
    } else {
      // Churn without fsync.
      std::string a = mnt + "/churn/c" + std::to_string(rng() % 50);
      std::string b = mnt + "/churn/c" + std::to_string(rng() % 50);
      switch (kind) {
        case 5: {
          int fd = ::open(a.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
          std::string data = Contents(i, rng() % 100000);
          if (fd >= 0 && ::write(fd, data.data(), data.size()) < 0) ::_exit(0);
          if (fd >= 0) ::close(fd);
          break;
        }
        case 6:
          ::rename(a.c_str(), b.c_str());
          break;
        case 7:
          ::unlink(a.c_str());
          break;
        case 8:
          ::mkdir((a + "d").c_str(), 0755);
          ::rename((a + "d").c_str(), (b + "d").c_str());
          break;
        default:
          ::rmdir((a + "d").c_str());
          ::truncate(a.c_str(), static_cast<off_t>(rng() % 50000));
      }
    }
  }
}

// What the journal says must be there: the last fsynced version of each file with no change
// begun since.
std::map<std::string, std::pair<uint64_t, size_t>> Durable(const std::string& journal_path) {
  std::map<std::string, std::pair<uint64_t, size_t>> files;
  std::ifstream in(journal_path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string what, name;
    fields >> what >> name;
    if (what == "begin") {
      files.erase(name);
    } else if (what == "end") {
      uint64_t seed;
      size_t size;
      if (fields >> seed >> size) files[name] = {seed, size};  // A torn last line is no entry.
    }
  }
  return files;
}

class SettfsCrashTest : public MountedTest {};

TEST_F(SettfsCrashTest, FsyncedFilesSurviveKillsAndTheDatabaseChecksClean) {
  std::string journal = dir_.Join("journal");
  uint64_t seed = sett::test::TestSeed(7);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with SETT_TEST_SEED)");
  std::mt19937 rng(static_cast<uint32_t>(seed));
  size_t verified = 0;
  const int kills = Kills();
  for (int round = 0; round < kills; round++) {
    pid_t worker = ::fork();
    if (worker == 0) Workload(mountpoint(), journal, round, seed);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1500));
    mount_->Kill();
    ::kill(worker, SIGKILL);
    int status;
    ::waitpid(worker, &status, 0);

    std::string out;
    int code =
        sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck " + dbdir(), &out);
    ASSERT_EQ(code, 0) << "after kill " << round << ":\n" << out;

    Mount();
    for (const auto& [name, version] : Durable(journal)) {
      std::string path = P("durable/" + name);
      struct stat st;
      ASSERT_EQ(::stat(path.c_str(), &st), 0) << name << " is gone after kill " << round;
      ASSERT_EQ(static_cast<size_t>(st.st_size), version.second) << name;
      ASSERT_TRUE(sett::test::ReadFile(path) == Contents(version.first, version.second))
          << name << " differs after kill " << round;
      verified++;
    }
  }
  std::printf("%d kills, %zu checks of fsynced files passed\n", kills, verified);
  EXPECT_GT(verified, 0u);
  ASSERT_EQ(mount_->Unmount(), 0);
  std::string out;
  EXPECT_EQ(sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck " + dbdir(), &out),
            0)
      << out;
  Mount();
}

}  // namespace
}  // namespace settfs
