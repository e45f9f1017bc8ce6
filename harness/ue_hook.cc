// UE hooks: a process per case speaking JSON lines (POSIX pipes, posix_spawn, poll), or an HTTP
// endpoint (transport::AnnexAClient in raw mode). See ue_hook.h.
#include "harness/ue_hook.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "inspect/json.h"
#include "transport/client.h"
#include "transport/endpoint.h"
#include "wire/base64.h"
#include "wire/hex.h"

extern char** environ;  // NOLINT: POSIX, for posix_spawnp

namespace mikeyconf::harness {

namespace {

using Steady = std::chrono::steady_clock;
constexpr std::size_t kMaxLine = 1u << 20;   // a reply longer than this is not a reply
constexpr std::size_t kMaxKept = 64u << 10;  // reply text and stderr kept for the report

double ms_since(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

int ms_left(Steady::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1'000'000));
}

HookReply failed(std::string problem) {
  HookReply r;
  r.problem = std::move(problem);
  return r;
}

std::optional<mikey::Bytes> hex_field(const inspect::Json* n) {
  if (n == nullptr || !n->is_string()) return std::nullopt;
  auto b = mikey::wire::from_hex(n->get_ref<const std::string&>());
  if (!b.ok()) return std::nullopt;
  return std::move(b).value();
}

// keys: [{cs_id, master_key, master_salt}, ...]; an empty string when "" if problem.
std::string read_keys(const inspect::Json& n, std::vector<HookKeys>& out) {
  if (!n.is_array()) return "keys must be a list of {cs_id, master_key, master_salt}";
  for (const inspect::Json& item : n) {
    if (!item.is_object()) return "every keys item must be an object";
    HookKeys k;
    const inspect::Json* cs = inspect::find_member(item, "cs_id");
    if (cs == nullptr || !cs->is_number_unsigned() || cs->get<std::uint64_t>() > 255) {
      return "keys[].cs_id must be an integer 0..255";
    }
    k.cs_id = cs->get<std::uint32_t>();
    auto key = hex_field(inspect::find_member(item, "master_key"));
    if (!key) return "keys[].master_key must be a hex string";
    k.master_key = std::move(*key);
    if (const inspect::Json* s = inspect::find_member(item, "master_salt")) {
      auto salt = hex_field(s);
      if (!salt) return "keys[].master_salt must be a hex string";
      k.master_salt = std::move(*salt);
    }
    out.push_back(std::move(k));
  }
  return {};
}

std::string read_reply_fields(const inspect::Json& root, HookReply& r) {
  if (!root.is_object()) return "the reply is not a JSON object";
  if (const inspect::Json* m = inspect::find_member(root, "mikey_b64")) {
    if (!m->is_string()) return "mikey_b64 must be a string";
    auto bytes = mikey::wire::base64_decode(m->get_ref<const std::string&>(),
                                            mikey::wire::Base64Mode::lenient);
    if (!bytes.ok()) return "mikey_b64 is not base64";
    r.mikey = std::move(bytes).value();
  }
  if (const inspect::Json* k = inspect::find_member(root, "keys")) {
    std::vector<HookKeys> keys;
    if (std::string problem = read_keys(*k, keys); !problem.empty()) return problem;
    r.keys = std::move(keys);
  }
  if (const inspect::Json* e = inspect::find_member(root, "error")) {
    r.error = e->is_string()                       ? e->get<std::string>()
              : e->is_primitive() && !e->is_null() ? inspect::dump_json(*e)
                                                   : std::string("(not a string)");
  }
  if (!r.mikey && !r.keys && !r.error) return "the reply has none of mikey_b64, keys, error";
  return {};
}

std::string status_text(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::sigdescr_np(sig);
    return "killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
  }
  return "ended (status " + std::to_string(status) + ")";
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes everything before `deadline`. SIGPIPE is blocked meanwhile, and a SIGPIPE this write
// raised is taken before the mask is restored, so a hook that closed its stdin is an EPIPE here,
// not a signal that ends the harness.
bool write_all(int fd, std::string_view data, Steady::time_point deadline) {
  sigset_t pipe_set;
  sigset_t old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  bool ok = true;
  bool broken = false;
  while (ok && !data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ok = ::poll(&p, 1, ms_left(deadline)) > 0;
    } else {
      broken = n < 0 && errno == EPIPE;
      ok = false;
    }
  }
  if (broken) {
    const timespec zero{0, 0};
    ::sigtimedwait(&pipe_set, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

// Appends what `fd` holds now (at most 64 KiB a call, so a hook that writes without end cannot
// keep the caller from its deadline); false at end of file (or a read error).
bool read_some(int fd, std::string& into, std::size_t cap) {
  char buf[4096];
  for (int reads = 0; reads < 16; ++reads) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      const std::size_t room = into.size() < cap ? cap - into.size() : 0;
      into.append(buf, std::min(room, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
  return true;
}

// ---- exec ----

class ExecSession final : public HookSession {
 public:
  ExecSession(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  ~ExecSession() override { close(); }
  ExecSession(const ExecSession&) = delete;
  ExecSession& operator=(const ExecSession&) = delete;

  std::string start() {
    int in[2];
    int out[2];
    int err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      return std::string("pipe: ") + std::strerror(errno);
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
      for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
      return std::string("pipe: ") + std::strerror(errno);
    }
    const int rc = spawn(in[0], out[1], err[1]);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    if (rc != 0) {
      close_fds();
      return "cannot start '" + argv_.front() + "': " + std::strerror(rc);
    }
    set_nonblocking(in_);
    set_nonblocking(out_);
    set_nonblocking(err_);
    return {};
  }

  HookReply call(const std::string& request, std::chrono::milliseconds timeout) override {
    const auto start = Steady::now();
    const auto deadline = start + timeout;
    HookReply r = exchange(request, deadline);
    r.duration_ms = ms_since(start);
    return r;
  }

  std::string take_log() override {
    if (err_ >= 0 && !read_some(err_, log_, kMaxKept)) close_fd(err_);
    std::string out = std::move(log_);
    log_.clear();
    return out;
  }

  std::string close() override {
    if (pid_ <= 0) return ended_;
    close_fd(in_);  // end of input: a hook that exits on it gets the chance to
    wait_for_exit(Steady::now() + std::chrono::milliseconds(200));
    const bool was_running = !reaped_;
    ::kill(-pid_, SIGKILL);  // the process group: the hook and whatever it started
    if (!reaped_) reap(true);
    drain_stderr(Steady::now() + std::chrono::milliseconds(200));
    close_fds();
    ended_ = was_running ? "killed at the end of the case" : status_text(status_);
    pid_ = -1;
    return ended_;
  }

  std::string describe() const override {
    std::string out = "exec hook:";
    for (const std::string& a : argv_) out += " " + a;
    return out;
  }

 private:
  int spawn(int in, int out, int err) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, err, 2);
    // Only stdin, stdout and stderr: no socket or pipe of the harness leaks into the hook.
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group, so close() ends its children too
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (std::string& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) pid_ = -1;
    return rc;
  }

  HookReply exchange(const std::string& request, Steady::time_point deadline) {
    if (in_ < 0 || out_eof_)
      return failed("the hook process is no longer running (" + state() + ")");
    if (out_of_step_) {
      return failed(
          "the hook did not answer an earlier request in time, so its replies can no "
          "longer be matched to requests");
    }
    if (!write_all(in_, request + "\n", deadline)) {
      close_fd(in_);
      // A hook that closed its stdin has usually ended: say how.
      wait_for_exit(std::min(deadline, Steady::now() + std::chrono::milliseconds(200)));
      return failed("the request could not be written to the hook's stdin (" + state() + ")");
    }
    for (;;) {
      if (auto line = next_line()) return parse_hook_reply(*line);
      if (out_buf_.size() > kMaxLine) {
        out_buf_.clear();
        return failed("the hook wrote more than 1 MiB without a newline");
      }
      if (out_eof_) {
        wait_for_exit(std::min(deadline, Steady::now() + std::chrono::milliseconds(200)));
        return failed("the hook closed its stdout without answering (" + state() + ")");
      }
      const int left = ms_left(deadline);
      if (left == 0) {
        HookReply r = failed("no reply from the hook within the time limit");
        r.timed_out = true;
        out_of_step_ = true;  // a late reply would be taken for the next request's
        return r;
      }
      wait_readable(left);
    }
  }

  // The next non-blank line of stdout, without its line end.
  std::optional<std::string> next_line() {
    for (;;) {
      const auto nl = out_buf_.find('\n');
      if (nl == std::string::npos) return std::nullopt;
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) return line;
    }
  }

  void wait_readable(int timeout_ms) {
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    const nfds_t n = err_ >= 0 ? 2 : 1;
    if (::poll(fds, n, timeout_ms) <= 0) return;
    if (fds[0].revents != 0 && !read_some(out_, out_buf_, kMaxLine + 1)) out_eof_ = true;
    if (n == 2 && fds[1].revents != 0 && !read_some(err_, log_, kMaxKept)) close_fd(err_);
  }

  // Reads (and drops) stdout until it ends or `deadline`, then reaps the process if it exited.
  void wait_for_exit(Steady::time_point deadline) {
    while (!out_eof_ && ms_left(deadline) > 0) {
      wait_readable(ms_left(deadline));
      out_buf_.clear();  // replies after the last request are not read
    }
    // stdout closes as the process exits, a moment before it can be reaped.
    while (out_eof_ && !reaped_ && ms_left(deadline) > 0) {
      reap(false);
      if (!reaped_) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  void drain_stderr(Steady::time_point deadline) {
    while (err_ >= 0 && ms_left(deadline) > 0) {
      pollfd p{err_, POLLIN, 0};
      if (::poll(&p, 1, ms_left(deadline)) <= 0) break;
      if (!read_some(err_, log_, kMaxKept)) close_fd(err_);
    }
  }

  void reap(bool block) {
    for (;;) {
      const pid_t got = ::waitpid(pid_, &status_, block ? 0 : WNOHANG);
      if (got == pid_) {
        reaped_ = true;
        return;
      }
      if (got < 0 && errno == EINTR) continue;
      return;
    }
  }

  std::string state() {
    if (!reaped_) reap(false);
    return reaped_ ? status_text(status_) : "still running";
  }

  void close_fds() {
    close_fd(in_);
    close_fd(out_);
    close_fd(err_);
  }

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string out_buf_;
  std::string log_;
  bool out_eof_ = false;
  bool out_of_step_ = false;
  bool reaped_ = false;
  int status_ = 0;
  std::string ended_;
};

// ---- http ----

class HttpSession final : public HookSession {
 public:
  explicit HttpSession(std::string url) : url_(std::move(url)) {
    // An http:// URL (checked by the profile loader); a port that does not parse leaves port 0,
    // so the call fails to connect instead of reaching some other port.
    const std::string rest = url_.substr(std::min<std::size_t>(7, url_.size()));
    authority_ = rest.substr(0, rest.find('/'));
    path_ = "/";
    if (auto e = mikey::transport::parse_endpoint(url_); e.ok()) {
      host_ = e->host;
      port_ = e->port;
      if (!e->path.empty()) path_ = e->path;
    }
  }

  HookReply call(const std::string& request, std::chrono::milliseconds timeout) override {
    const auto start = Steady::now();
    mikey::transport::ClientOptions o;
    o.host = host_;
    o.port = port_;
    o.connect_timeout = timeout;
    o.total_timeout = timeout;
    o.keep_alive = false;
    mikey::transport::AnnexAClient client(o);
    const std::string bytes = "POST " + path_ + " HTTP/1.1\r\nHost: " + authority_ +
                              "\r\nContent-Type: application/json\r\nAccept: application/json"
                              "\r\nContent-Length: " +
                              std::to_string(request.size()) + "\r\nConnection: close\r\n\r\n" +
                              request;
    auto resp = client.send_raw(bytes);
    HookReply r;
    if (!resp.ok()) {
      r = failed("the http hook did not answer (" +
                 std::string(mikey::transport::to_string(resp.error().code)) + ": " +
                 resp.error().detail + ")");
      r.timed_out = resp.error().code == mikey::transport::Errc::timeout;
    } else if (resp->parsed.status != 200) {
      r = failed("the http hook answered HTTP " + std::to_string(resp->parsed.status));
      r.line = resp->parsed.body.substr(0, kMaxKept);
    } else {
      r = parse_hook_reply(resp->parsed.body);
    }
    r.duration_ms = ms_since(start);
    return r;
  }

  std::string take_log() override { return {}; }
  std::string close() override { return {}; }
  std::string describe() const override { return "http hook: " + url_; }

 private:
  std::string url_;
  std::string authority_;
  std::string host_;
  std::string path_;
  std::uint16_t port_ = 0;
};

// Whether brackets nest deeper than 16 levels outside strings: no reply of the protocol does, so
// such a reply is refused before it is parsed into a tree of that depth.
bool too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > 16) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

HookReply parse_hook_reply(std::string_view text) {
  HookReply r;
  r.line = std::string(text.substr(0, kMaxKept));
  if (too_deep(text)) {
    r.problem = "the reply nests deeper than any reply of the protocol";
    return r;
  }
  std::size_t error_at = 0;
  if (const std::optional<inspect::Json> root = inspect::parse_json(text, &error_at)) {
    r.problem = read_reply_fields(*root, r);
  } else {
    r.problem =
        "the reply is not a JSON object (syntax error at byte " + std::to_string(error_at) + ")";
  }
  r.answered = r.problem.empty();
  if (!r.answered) {
    r.mikey.reset();
    r.keys.reset();
    r.error.reset();
  }
  return r;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::vector<std::string> substitute_hook_argv(const std::vector<std::string>& argv,
                                              const HookVars& vars) {
  const std::pair<std::string_view, const std::string*> table[] = {
      {"{mikeyconf}", &vars.mikeyconf},
      {"{profile}", &vars.profile},
      {"{profile_dir}", &vars.profile_dir}};
  std::vector<std::string> out;
  for (std::string a : argv) {
    for (const auto& [name, value] : table) {
      for (auto at = a.find(name); at != std::string::npos; at = a.find(name, at + value->size())) {
        a.replace(at, name.size(), *value);
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

mikey::Result<std::unique_ptr<HookSession>, std::string> open_hook_session(const UeHookSpec& spec,
                                                                           const HookVars& vars) {
  if (!spec.url.empty()) return std::unique_ptr<HookSession>(new HttpSession(spec.url));
  if (spec.exec.empty()) return std::string("the profile names no hook");
  auto session = std::make_unique<ExecSession>(substitute_hook_argv(spec.exec, vars));
  if (std::string problem = session->start(); !problem.empty()) return problem;
  return std::unique_ptr<HookSession>(std::move(session));
}

}  // namespace mikeyconf::harness
