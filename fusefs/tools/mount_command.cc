#include "mount_command.h"

#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "control_channel.h"
#include "core/change_topics.h"
#include "core/filesystem.h"
#include "fuse/fuse_binding.h"
#include "metrics_server.h"
#include "mount_table.h"
#include "send_receive.h"
#include "settfs_store.h"
#include "snapshot_commands.h"
#include "stats_command.h"
#include "syslog_logger.h"
#include "tools/common/key_file.h"

extern char** environ;

namespace settfs {

const char kMountOptionsHelp[] = R"(settfs options (-o, comma-separated):
  mkfs                make a filesystem if DBDIR holds none (as --mkfs)
  remount             change the running mount at MOUNTPOINT (ro or rw, nosuid, nodev,
                      noexec) instead of starting another: what mount -o remount asks
  commit=SECONDS      make committed changes durable at least this often (default 5;
                      0: only on fsync); fsync is always durable when it returns
  timeout=SECONDS     how long the kernel may cache names and attributes (default 3600; 1
                      on a PostgreSQL store, which other mounts may change)
  no_writeback_cache  send each write to settfs as it is made, uncached by the kernel (always
                      so on a PostgreSQL store, where file data is also read again at each
                      open: what another mount wrote is seen at the next open)
  noacl               no POSIX ACLs (setfacl fails with EOPNOTSUPP; modes alone decide)
  noxattr             no extended attributes (and so no ACLs): every xattr call fails with
                      EOPNOTSUPP, and small writes no longer cost the kernel's check for
                      security.capability (random 4 KiB writes about 1.4x faster)
  threads=N           serve at most N requests at a time (default 16)
  reserve=MIB         refuse new data with ENOSPC once less than this is free on the disk
                      holding DBDIR, so that removing files and the engine's upkeep always
                      have room (default 64)
  gc=SECONDS          collect garbage in the database (rewritten and deleted data) this
                      often (default 10; 0: never)
  gc_quiet=SECONDS    once no write has come for this long, tidy up and collect closely,
                      so that an idle mount gives its space back (default 30; 0: never)
  log=FILE            in the background, log to FILE instead of syslog
  metrics=[ADDR:]PORT serve what settfs stats shows at http://ADDR:PORT/metrics in
                      Prometheus's format (ADDR 127.0.0.1 unless given)
  snapshot=NAME       mount the named snapshot NAME (settfs snapshot), read-only
  keyfile=FILE        the key of an encrypted filesystem (settfs mkfs --encrypt); a file
                      its group or others may read is refused
  snapdir=hidden|visible
                      every snapshot is readable at MOUNTPOINT/.snapshots/NAME; hidden (the
                      default), .snapshots is reached by name but not listed in the root, so
                      that find, du and rm -r of the tree never go into it
Other options go to FUSE: allow_other, ro, fsname=NAME, ... (see mount.fuse3(8)); generic
mount options (defaults, rw, dev, suid, exec, noauto, nofail, _netdev, x-*) are accepted.)";

namespace {

using sett::Status;

struct MountOptions {
  bool mkfs = false;
  unsigned commit_seconds = 5;
  double timeout = -1;  // Unset: 3600, or 1 on a shared store.
  bool writeback_cache = true;
  bool posix_acl = true;
  bool xattrs = true;
  unsigned threads = 16;
  unsigned reserve_mib = 64;
  unsigned gc_seconds = 10;
  unsigned gc_quiet_seconds = 30;
  std::string log_file;
  std::string metrics_address;  // With metrics_port: where to serve /metrics.
  int metrics_port = 0;
  std::string snapshot;           // Mount this named snapshot, read-only.
  bool snapdir_visible = false;   // List .snapshots in the root.
  bool remount = false;           // Change the flags of the running mount instead.
  std::vector<std::string> fuse;  // Handed to libfuse.
};

bool ParseNumber(const std::string& text, unsigned max, unsigned* value) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *value = static_cast<unsigned>(std::stoul(text));
  return *value <= max;
}

// Splits the -o lists into settfs's own options and FUSE's; false and *error on a bad value.
bool ParseOptions(const std::vector<std::string>& lists, MountOptions* out, std::string* error) {
  for (const std::string& list : lists) {
    std::stringstream in(list);
    std::string opt;
    while (std::getline(in, opt, ',')) {
      if (opt.empty()) continue;
      std::string name = opt.substr(0, opt.find('='));
      std::string value = opt.find('=') == std::string::npos ? "" : opt.substr(opt.find('=') + 1);
      unsigned number = 0;
      if (opt == "mkfs") {
        out->mkfs = true;
      } else if (opt == "remount") {
        out->remount = true;
      } else if (name == "commit" || name == "timeout" || name == "threads" || name == "reserve" ||
                 name == "gc" || name == "gc_quiet") {
        unsigned max = name == "threads" ? 1024 : 86400 * 365;
        if (!ParseNumber(value, max, &number) || (name == "threads" && number == 0)) {
          *error = "bad value in -o " + opt;
          return false;
        }
        if (name == "commit") out->commit_seconds = number;
        if (name == "timeout") out->timeout = number;
        if (name == "threads") out->threads = number;
        if (name == "reserve") out->reserve_mib = number;
        if (name == "gc") out->gc_seconds = number;
        if (name == "gc_quiet") out->gc_quiet_seconds = number;
      } else if (opt == "no_writeback_cache") {
        out->writeback_cache = false;
      } else if (opt == "writeback_cache") {
        out->writeback_cache = true;
      } else if (opt == "noacl" || opt == "acl") {
        out->posix_acl = opt == "acl";
      } else if (opt == "noxattr" || opt == "xattr") {
        out->xattrs = opt == "xattr";
      } else if (name == "log") {
        out->log_file = value;
      } else if (name == "metrics") {
        if (!ParseListenAddress(value, &out->metrics_address, &out->metrics_port)) {
          *error = "-o metrics takes [ADDR:]PORT, not '" + value + "'";
          return false;
        }
      } else if (name == "snapdir") {
        if (value != "hidden" && value != "visible") {
          *error = "-o snapdir takes hidden or visible, not '" + value + "'";
          return false;
        }
        out->snapdir_visible = value == "visible";
      } else if (name == "keyfile") {
        if (value.empty()) {
          *error = "-o keyfile needs a file";
          return false;
        }
        sett::tools::SetKeyFilePath(value);
      } else if (name == "snapshot") {
        if (value.empty()) {
          *error = "-o snapshot needs a name";
          return false;
        }
        out->snapshot = value;
      } else if (opt == "defaults" || opt == "auto" || opt == "noauto" || opt == "user" ||
                 opt == "users" || opt == "nouser" || opt == "nofail" || opt == "_netdev" ||
                 opt.rfind("x-", 0) == 0 || name == "comment" || opt == "default_permissions") {
        // Meant for mount(8) or systemd, or always on.
      } else {
        out->fuse.push_back(opt);
      }
    }
  }
  return true;
}

// Where startup reports its outcome: the terminal in the foreground, the waiting parent
// otherwise (through a pipe).
class Startup {
 public:
  explicit Startup(int pipe_fd) : fd_(pipe_fd) {}
  int Fail(const std::string& message) {
    if (fd_ < 0) {
      std::fprintf(stderr, "settfs mount: %s\n", message.c_str());
    } else {
      Send(message);
    }
    return 1;
  }
  void Succeed() {
    if (fd_ >= 0) Send("OK");
  }

 private:
  void Send(const std::string& message) {
    ssize_t n = ::write(fd_, message.data(), message.size());
    (void)n;
    ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

// Forks. The parent waits for the child's report and returns the exit code; the child gets -1
// and *report_fd.
int Daemonize(int* report_fd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::fprintf(stderr, "settfs mount: pipe: %s\n", std::strerror(errno));
    return 1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "settfs mount: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    *report_fd = fds[1];
    return -1;
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (message == "OK") return 0;
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (message.empty()) message = "the daemon exited before mounting";
  std::fprintf(stderr, "settfs mount: %s\n", message.c_str());
  return 1;
}

bool Spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  if (::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// What a signal starts: the kernel's cached writes are flushed through us, then the mount
// point goes away (detached, if files are still open there: they keep being served).
void Unmount(const std::string& mountpoint, sett::Logger* logger) {
  int fd = ::open(mountpoint.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
  bool root = ::geteuid() == 0;
  bool done =
      root ? ::umount2(mountpoint.c_str(), 0) == 0 : Spawn({"fusermount3", "-u", "-q", mountpoint});
  if (done) return;
  logger->Log(sett::LogLevel::kWarning,
              "settfs: " + mountpoint +
                  " is busy: detaching it; settfs exits once the last open file there is closed");
  if (root) {
    ::umount2(mountpoint.c_str(), MNT_DETACH);
  } else {
    Spawn({"fusermount3", "-u", "-z", "-q", mountpoint});
  }
}

// Makes committed changes durable every `seconds`, when there are any.
class Committer {
 public:
  Committer(SettfsStore* store, unsigned seconds) : store_(store), seconds_(seconds) {
    if (seconds_ > 0) thread_ = std::thread([this] { Run(); });
  }
  ~Committer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // A version that moves with every commit; on a store without one (PostgreSQL, whose Sync
  // does nothing when nothing was committed since the last), a new one each time.
  uint64_t Latest() {
    sett::DB* db = store_->db();
    return db != nullptr ? db->LatestVersion() : ++ticks_;
  }

  void Run() {
    uint64_t synced = Latest();
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(seconds_), [this] { return stop_; })) {
      uint64_t latest = Latest();
      if (latest == synced) continue;
      Status s = store_->kv()->Sync();
      if (s.ok()) {
        synced = latest;
      } else {
        store_->logger()->Log(sett::LogLevel::kError, "settfs: periodic sync: " + s.ToString());
      }
    }
  }

  SettfsStore* const store_;
  const unsigned seconds_;
  uint64_t ticks_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Waits for SIGTERM, SIGINT or SIGHUP (blocked in every thread) and unmounts.
class SignalWatcher {
 public:
  SignalWatcher(std::string mountpoint, sett::Logger* logger)
      : mountpoint_(std::move(mountpoint)), logger_(logger), thread_([this] { Run(); }) {}
  ~SignalWatcher() {
    done_ = true;
    ::pthread_kill(thread_.native_handle(), SIGTERM);  // Wakes sigwait if still waiting.
    thread_.join();
  }

  static sigset_t Signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
  }

 private:
  void Run() {
    sigset_t set = Signals();
    int sig = 0;
    while (::sigwait(&set, &sig) != 0) {
    }
    if (done_) return;
    logger_->Log(sett::LogLevel::kInfo,
                 std::string("settfs: ") + strsignal(sig) + ": unmounting " + mountpoint_);
    Unmount(mountpoint_, logger_);
  }

  const std::string mountpoint_;
  sett::Logger* const logger_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Opens DBDIR read-only at the snapshot the options name.
Status OpenSnapshotStore(const MountArgs& args, const MountOptions& options, sett::Logger* logger,
                         std::unique_ptr<SettfsStore>* store) {
  StoreConfig config;
  config.dir = args.dbdir;
  config.read_only = true;
  config.lock_wait_seconds = 10;
  config.logger = logger;
  Status s = SettfsStore::Open(config, store);
  if (s.ok()) s = (*store)->NeedsEngine("mounting a snapshot");
  if (s.ok()) s = (*store)->sett_kv()->set_snapshot(options.snapshot);
  if (s.IsNotFound()) {
    return Status::NotFound("no snapshot named \"" + options.snapshot + "\" in " + args.dbdir +
                            " (settfs snapshot list " + args.dbdir + ")");
  }
  return s;
}

// Opens the store, making a filesystem where asked or where DBDIR is fresh.
Status OpenFilesystemStore(const MountArgs& args, const MountOptions& options, sett::Logger* logger,
                           std::unique_ptr<SettfsStore>* store) {
  if (!options.snapshot.empty()) return OpenSnapshotStore(args, options, logger, store);
  bool mkfs = args.mkfs || options.mkfs;
  bool fresh = SettfsStore::IsFresh(args.dbdir);
  StoreConfig config;
  config.dir = args.dbdir;
  config.create = true;
  config.gc_interval_seconds = options.gc_seconds;
  config.gc_quiet_seconds = options.gc_quiet_seconds;
  config.lock_wait_seconds = 10;  // A settfs just unmounted may still be closing it.
  config.logger = logger;
  Status s = SettfsStore::Open(config, store);
  if (!s.ok()) return s;
  Superblock sb;
  bool present = false;
  s = (*store)->ReadSuperblock(&sb, &present);
  if (!s.ok() || present) return s;
  if (!fresh && !mkfs) {
    return Status::NotFound(args.dbdir +
                            " holds a sett database but no filesystem: mount with --mkfs, or "
                            "run settfs mkfs, to make one");
  }
  logger->Log(sett::LogLevel::kInfo, "settfs: making a filesystem in " + args.dbdir);
  s = (*store)->Format(4096, sett::Compression::kSnappy, ::getuid(), ::getgid());
  // Another mount of a shared store may have made it first: then mount that one.
  if (!s.ok() && (*store)->ReadSuperblock(&sb, &present).ok() && present) return Status::OK();
  return s;
}

fuse_session* NewSession(const MountArgs& args, const MountOptions& options, FuseBinding* binding) {
  std::string fsname;
  for (char c : args.dbdir) {
    if (c == ',' || c == '\\') fsname.push_back('\\');  // libfuse's option escape.
    fsname.push_back(c);
  }
  std::string list = "default_permissions,subtype=settfs,fsname=" + fsname;
  if (!options.snapshot.empty()) list += ",ro";
  for (const std::string& opt : options.fuse) list += "," + opt;
  std::vector<std::string> argv = {"settfs", "-o", list};
  if (args.debug) argv.push_back("-d");
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(cargv.size()), cargv.data());
  fuse_session* se =
      fuse_session_new(&fargs, &FuseBinding::Operations(), sizeof(fuse_lowlevel_ops), binding);
  fuse_opt_free_args(&fargs);
  return se;
}

// A write request brings up to 1 MiB, which becomes a transaction's batch and a group's value-log
// buffer. glibc serves blocks that large with fresh mmap'd pages and trims freed heap back to
// the kernel, so every such request paid page faults and the kernel's zeroing of its pages (a
// tenth of the daemon's time in sequential writes). Keeping them in the heap took sequential
// 1 MiB writes from 250-330 to 340-370 MB/s (bench/fs/jobs/seqwrite.fio, 1 GiB, alternating).
void KeepLargeBuffersInTheHeap() {
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

// The read-only views of the snapshots of the filesystem in store (MOUNTPOINT/.snapshots).
std::unique_ptr<SnapshotViews> NewSnapshotViews(SettfsStore* store, sett::Logger* logger) {
  sett::DB* db = store->db();
  SnapshotSource source;
  source.list = [db] {
    std::vector<std::string> names;
    for (const sett::SnapshotInfo& info : db->ListSnapshots()) names.push_back(info.name);
    return names;
  };
  source.open = [db](const std::string& name, std::unique_ptr<KvStore>* out) {
    auto kv = std::make_unique<SettKvStore>(db);
    Status s = kv->set_snapshot(name);
    if (s.ok()) *out = std::move(kv);
    return s;
  };
  return std::make_unique<SnapshotViews>(std::move(source), logger);
}

// The control channel of a writable mount, for settfs snapshot; none if it cannot listen
// (logged: the mount works without it).
std::unique_ptr<ControlServer> StartControl(const MountArgs& args, bool snapshot,
                                            SettfsStore* store, FuseBinding* binding,
                                            sett::Logger* logger) {
  std::unique_ptr<ControlServer> control;
  if (snapshot) return control;
  if (store->db() == nullptr) {
    logger->Log(sett::LogLevel::kInfo,
                "settfs: no control channel on a PostgreSQL store (snapshots, send and stats "
                "need a sett database)");
    return control;
  }
  sett::DB* db = store->db();
  const std::string mountpoint = args.mountpoint;
  Status s = ControlServer::Start(
      args.dbdir,
      [db, mountpoint, binding](const std::string& request, const ControlWriter& write) {
        if (IsSendRequest(request)) {
          AnswerSendRequest(db, request, write);
          return;
        }
        if (request == "stats") {
          write(AnswerStatsRequest(binding->stats(), db));
          return;
        }
        write(AnswerSnapshotRequest(db, mountpoint, request));
        std::string name = SnapshotNameChanged(request);
        if (!name.empty()) binding->SnapshotChanged(name);
      },
      &control);
  if (!s.ok()) {
    logger->Log(sett::LogLevel::kWarning,
                "settfs: no control channel (settfs snapshot needs it): " + s.ToString());
  }
  return control;
}

// On a shared store: what other mounts change, the kernel forgets at once (beside the
// timeouts, which bound it when a notice is missed).
void WatchOtherMounts(SettfsStore* store, FuseBinding* binding, sett::Logger* logger) {
  Status s = store->kv()->WatchChanges(ChangeTopic, [binding](std::string_view topic) {
    CacheChange change;
    if (ParseChangeTopic(topic, &change)) binding->ForgetChanged(change);
  });
  if (!s.ok()) {
    logger->Log(
        sett::LogLevel::kWarning,
        "settfs: not told of other mounts' changes (the timeouts still hold): " + s.ToString());
  }
}

int Serve(const MountArgs& args, const MountOptions& options, Startup* startup) {
  KeepLargeBuffersInTheHeap();
  sett::Logger* logger;
  std::unique_ptr<SyslogLogger> syslog;
  sett::LogLevel level = args.debug ? sett::LogLevel::kDebug : sett::LogLevel::kInfo;
  if (args.foreground || !options.log_file.empty()) {
    logger = sett::StderrLogger(level);
  } else {
    syslog = std::make_unique<SyslogLogger>(level);
    logger = syslog.get();
  }
  int log_fd = -1;
  if (!args.foreground && !options.log_file.empty()) {
    log_fd = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      return startup->Fail("cannot open log file " + options.log_file + ": " +
                           std::strerror(errno));
    }
    ::dup2(log_fd, STDERR_FILENO);  // From now on, everything logged goes there.
  }

  std::unique_ptr<SettfsStore> store;
  Status s = OpenFilesystemStore(args, options, logger, &store);
  if (!s.ok()) return startup->Fail(s.ToString());
  std::unique_ptr<Filesystem> fs;
  std::string error;
  const bool snapshot = !options.snapshot.empty();
  if (Filesystem::Mount(store->kv(), logger, &fs, &error, /*read_only=*/snapshot) != 0) {
    return startup->Fail(args.dbdir + ": " + error);
  }
  fs->set_space_reserve(uint64_t{options.reserve_mib} << 20);
  FuseBindingOptions binding_options;
  // Other mounts may change a shared store (PostgreSQL) behind the kernel's back.
  const bool shared = store->db() == nullptr;
  double timeout = options.timeout >= 0 ? options.timeout : shared ? 1 : 3600;
  binding_options.entry_timeout = binding_options.attr_timeout = binding_options.negative_timeout =
      timeout;
  binding_options.writeback_cache = options.writeback_cache && !shared;
  binding_options.keep_cache = !shared;
  binding_options.threads = options.threads;
  binding_options.posix_acl = options.posix_acl;
  binding_options.xattrs = options.xattrs;
  FuseBinding binding(fs.get(), binding_options);
  std::unique_ptr<SnapshotViews> views;
  if (!snapshot && store->db() != nullptr) {
    views = NewSnapshotViews(store.get(), logger);
    binding.set_snapshot_views(views.get(), options.snapdir_visible);
  }
  fuse_session* se = NewSession(args, options, &binding);
  if (se == nullptr) return startup->Fail("invalid mount options (see settfs mount --help)");
  binding.set_session(se);
  std::unique_ptr<MetricsServer> metrics;
  if (options.metrics_port != 0) {
    sett::DB* db = store->db();
    OpStats* stats = &binding.stats();
    s = MetricsServer::Start(
        options.metrics_address, options.metrics_port,
        [stats, db] {
          return RenderPrometheus(*stats, db != nullptr ? db->GetMetrics() : sett::Metrics());
        },
        &metrics);
    if (!s.ok()) {
      fuse_session_destroy(se);
      return startup->Fail(s.ToString());
    }
  }
  if (fuse_session_mount(se, args.mountpoint.c_str()) != 0) {
    fuse_session_destroy(se);
    return startup->Fail("cannot mount on " + args.mountpoint);
  }
  logger->Log(sett::LogLevel::kInfo, "settfs: " + args.dbdir + " mounted on " + args.mountpoint);
  startup->Succeed();
  if (!args.foreground) {
    int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    if (log_fd < 0) ::dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) ::close(null_fd);
    if (::chdir("/") != 0) {
      logger->Log(sett::LogLevel::kWarning, "settfs: chdir /: " + std::string(strerror(errno)));
    }
  }

  int loop_result;
  {
    Committer committer(store.get(), options.commit_seconds);
    SignalWatcher watcher(args.mountpoint, logger);
    std::unique_ptr<ControlServer> control =
        StartControl(args, snapshot, store.get(), &binding, logger);
    if (shared) WatchOtherMounts(store.get(), &binding, logger);
    fuse_loop_config* config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(config, options.threads);
    loop_result = fuse_session_loop_mt(se, config);
    fuse_loop_cfg_destroy(config);
    store->kv()->StopWatching();  // Before the session goes.
  }
  fuse_session_unmount(se);
  fuse_session_destroy(se);  // Runs destroy (orphans reclaimed, synced) if the kernel did not.
  metrics.reset();
  views.reset();
  fs.reset();
  s = store->Close();
  if (!s.ok()) {
    logger->Log(sett::LogLevel::kError, "settfs: closing " + args.dbdir + ": " + s.ToString());
    return 1;
  }
  logger->Log(sett::LogLevel::kInfo,
              "settfs: " + args.mountpoint + " unmounted, " + args.dbdir + " closed");
  return loop_result == 0 ? 0 : 1;
}

// `mount -o remount,...` through mount.fuse3: the running daemon keeps serving; only the
// kernel's mount changes (read-only or not, and the per-mount flags).
int Remount(const MountArgs& args, const MountOptions& options) {
  if (!FindSettfsMount(args.mountpoint)) {
    std::fprintf(stderr, "settfs mount: cannot remount %s: no settfs filesystem is mounted there\n",
                 args.mountpoint.c_str());
    return 1;
  }
  unsigned long flags = MS_REMOUNT;
  for (const std::string& opt : options.fuse) {  // The last of each pair counts.
    struct {
      const char *on, *off;
      unsigned long flag;
    } const kFlags[] = {{"ro", "rw", MS_RDONLY},
                        {"nosuid", "suid", MS_NOSUID},
                        {"nodev", "dev", MS_NODEV},
                        {"noexec", "exec", MS_NOEXEC}};
    for (const auto& f : kFlags) {
      if (opt == f.on) flags |= f.flag;
      if (opt == f.off) flags &= ~f.flag;
    }
  }
  if (::mount(nullptr, args.mountpoint.c_str(), nullptr, flags, nullptr) != 0) {
    std::fprintf(stderr, "settfs mount: remounting %s: %s\n", args.mountpoint.c_str(),
                 std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace

int RunMount(const MountArgs& raw) {
  MountArgs args = raw;
  MountOptions options;
  std::string error;
  if (!ParseOptions(args.options, &options, &error)) {
    std::fprintf(stderr, "settfs mount: %s\n", error.c_str());
    return 2;
  }
  args.dbdir = Absolute(args.dbdir);
  args.mountpoint = Absolute(args.mountpoint);
  struct stat st;
  if (::stat(args.mountpoint.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "settfs mount: %s is not a directory\n", args.mountpoint.c_str());
    return 1;
  }
  if (options.remount) return Remount(args, options);
  if (args.debug) args.foreground = true;
  int report_fd = -1;
  if (!args.foreground) {
    int code = Daemonize(&report_fd);
    if (code >= 0) return code;  // The parent.
  }
  // Before any thread starts: signals are taken by the watcher only, and a vanished reader
  // of a pipe is an error, not a death.
  sigset_t signals = SignalWatcher::Signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  Startup startup(report_fd);
  return Serve(args, options, &startup);
}

void AddMountCommand(CLI::App* app, MountArgs* args, int* exit_code) {
  CLI::App* cmd = app->add_subcommand(
      "mount",
      "Mount the filesystem in DBDIR on MOUNTPOINT (making one if DBDIR is new or empty) and "
      "serve it in the background until unmounted (fusermount3 -u MOUNTPOINT) or sent SIGTERM");
  cmd->add_option("DBDIR", args->dbdir,
                  "The database directory, or a PostgreSQL database as postgresql://...")
      ->required();
  cmd->add_option("MOUNTPOINT", args->mountpoint, "An existing directory to mount on")->required();
  cmd->add_flag("-f,--foreground", args->foreground, "Stay in the foreground, logging to stderr");
  cmd->add_flag("-d,--debug", args->debug, "Foreground, with every FUSE request logged");
  cmd->add_flag("--mkfs", args->mkfs, "Make a filesystem if DBDIR holds a database but none");
  cmd->add_option("-o", args->options, "Mount options, comma-separated (below)")
      ->allow_extra_args(false);
  cmd->footer(kMountOptionsHelp);
  cmd->callback([args, exit_code] { *exit_code = RunMount(*args); });
}

}  // namespace settfs
