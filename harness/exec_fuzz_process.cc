#include "harness/exec_fuzz_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

namespace mikeyconf::harness {

namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.reset(fds[0]);
    write.reset(fds[1]);
    return true;
  }
};

// The child after fork: only async-signal-safe calls until exec. Reports exec's errno on
// `status_fd` (close-on-exec, so a successful exec closes it with nothing written).
[[noreturn]] void exec_child(char* const* argv, const Pipe& in, const Pipe& out, const Pipe& err,
                             int status_fd) {
  ::setpgid(0, 0);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGCHLD}) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::dup2(in.read.get(), 0) < 0 || ::dup2(out.write.get(), 1) < 0 ||
      ::dup2(err.write.get(), 2) < 0) {
    const int e = errno;
    (void)!::write(status_fd, &e, sizeof e);
    ::_exit(127);
  }
  // Every other inherited descriptor (ours are close-on-exec, the embedding program's may not
  // be) stays out of the target.
  if (status_fd > 3) ::syscall(SYS_close_range, 3U, static_cast<unsigned>(status_fd - 1), 0U);
  ::syscall(SYS_close_range, static_cast<unsigned>(status_fd + 1), UINT_MAX, 0U);
  ::execvp(argv[0], argv);
  const int e = errno;
  (void)!::write(status_fd, &e, sizeof e);
  ::_exit(127);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Appends what `fd` has now to `sink` (up to `cap`, the rest read and dropped). False at EOF or
// on an error: the descriptor is done.
bool drain(int fd, std::string& sink, std::size_t cap) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      const std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(n),
                                                     cap > sink.size() ? cap - sink.size() : 0);
      sink.append(buf, keep);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

// Waits for exec's verdict on the status pipe: "" when exec succeeded.
std::string exec_error(Fd& status_read) {
  int e = 0;
  ssize_t n;
  do {
    n = ::read(status_read.get(), &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof e) ? std::string(std::strerror(e)) : std::string();
}

// Whether `pid` has ended (it stays a zombie, so its pid and process group id stay ours).
bool ended(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// The I/O of one run until the child ends or the deadline passes; true when it ended.
struct Session {
  pid_t pid;
  mikey::ByteView input;
  std::size_t written = 0;
  Fd& in_w;
  Fd& out_r;
  Fd& err_r;
  int pidfd;
  std::size_t cap;
  ProcessRun& run;

  bool pump(Clock::time_point deadline) {
    for (;;) {
      if (ended(pid)) return true;
      const auto now = Clock::now();
      if (now >= deadline) return false;
      pollfd fds[4];
      nfds_t n = 0;
      auto add = [&](int fd, short events) {
        if (fd >= 0) fds[n++] = pollfd{fd, events, 0};
      };
      add(in_w.get(), POLLOUT);
      add(out_r.get(), POLLIN);
      add(err_r.get(), POLLIN);
      add(pidfd, POLLIN);
      auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      if (pidfd < 0) wait_ms = std::min<long long>(wait_ms, 2);  // no pidfd: poll for the end
      if (::poll(fds, n, static_cast<int>(std::max<long long>(wait_ms, 1))) < 0 && errno != EINTR) {
        return false;
      }
      step();
    }
  }

  void step() {
    if (in_w.get() >= 0) {
      if (written < input.size()) {
        const ssize_t w = ::write(in_w.get(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) in_w.reset();  // EPIPE: not reading
      }
      if (written >= input.size()) in_w.reset();  // EOF on the child's standard input
    }
    if (out_r.get() >= 0 && !drain(out_r.get(), run.out, cap)) out_r.reset();
    if (err_r.get() >= 0 && !drain(err_r.get(), run.err, cap)) err_r.reset();
  }
};

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    return static_cast<int>(fd);
  }
#endif
  (void)pid;
  return -1;
}

void finish(pid_t pid, ProcessRun& run) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (run.end == ProcessRun::End::timed_out) return;
  if (WIFSIGNALED(status)) {
    run.end = ProcessRun::End::signaled;
    run.signal = WTERMSIG(status);
  } else {
    run.end = ProcessRun::End::exited;
    run.exit_code = WEXITSTATUS(status);
  }
}

}  // namespace

ProcessRun run_process(const std::vector<std::string>& argv, mikey::ByteView input,
                       std::uint32_t timeout_ms, std::size_t output_cap) {
  ProcessRun run;
  const auto start = Clock::now();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  args.push_back(nullptr);
  Pipe in, out, err, status;
  if (argv.empty() || !in.open() || !out.open() || !err.open() || !status.open()) {
    run.start_error = argv.empty() ? "no command" : std::strerror(errno);
    return run;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    run.start_error = std::string("fork: ") + std::strerror(errno);
    return run;
  }
  if (pid == 0) exec_child(args.data(), in, out, err, status.write.get());
  ::setpgid(pid, pid);  // also here: the group must exist before we may have to kill it
  status.write.reset();
  in.read.reset();
  out.write.reset();
  err.write.reset();
  run.start_error = exec_error(status.read);
  if (!run.start_error.empty()) {
    finish(pid, run);
    run.end = ProcessRun::End::not_started;
    return run;
  }
  for (const Fd* fd : {&in.write, &out.read, &err.read}) set_nonblocking(fd->get());
  Fd pidfd(open_pidfd(pid));
  Session s{pid, input, 0, in.write, out.read, err.read, pidfd.get(), output_cap, run};
  const bool done = s.pump(start + std::chrono::milliseconds(timeout_ms));
  if (!done) run.end = ProcessRun::End::timed_out;
  // The whole group goes, whether the leader ended or not: descendants it left behind would
  // hold our pipes open and pile up over a campaign.
  ::kill(-pid, SIGKILL);
  finish(pid, run);
  s.step();  // what the pipes still hold, without waiting for descendants in other groups
  run.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return run;
}

std::string signal_name(int signal) {
  if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signal);
}

}  // namespace mikeyconf::harness
