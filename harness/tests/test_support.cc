#include "harness/tests/test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "crypto/rng.h"
#include "harness/embedded_kms.h"
#include "harness/loader.h"
#include "roles/clock.h"
#include "roles/kms.h"

namespace mikeyconf::harness::testing {

namespace transport = mikey::transport;

std::filesystem::path repo_dir() { return std::filesystem::path(MIKEY_HARNESS_REPO_DIR); }
std::filesystem::path cases_dir() { return repo_dir() / "cases"; }
std::filesystem::path data_dir() { return repo_dir() / "harness" / "tests" / "data"; }

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const RequirementTable& requirements() {
  static const RequirementTable table = [] {
    auto t = load_requirements(cases_dir() / "requirements.csv");
    if (!t.ok()) std::abort();
    return std::move(t).value();
  }();
  return table;
}

const std::vector<Scenario>& suite() {
  static const std::vector<Scenario> s = [] {
    auto loaded = load_scenarios(cases_dir(), requirements());
    if (!loaded.ok()) std::abort();
    return std::move(loaded).value();
  }();
  return s;
}

SutProfile reference_profile() {
  auto p = load_profile(cases_dir() / "profiles" / "reference.yaml");
  if (!p.ok()) std::abort();
  return std::move(p).value();
}

namespace {

// The wall clock, or a fixed time while one is pinned.
class PinnableClock final : public mikey::roles::Clock {
 public:
  mikey::roles::NtpTime now() const noexcept override { return pinned ? *pinned : system_.now(); }
  std::optional<mikey::roles::NtpTime> pinned;

 private:
  mikey::roles::SystemClock system_;
};

struct ReferenceKms {
  PinnableClock clock;
  mikey::crypto::DeterministicRng rng;
  std::unique_ptr<mikey::roles::Kms> kms;
  std::mutex mu;
  explicit ReferenceKms(std::uint64_t seed) : rng(seed) {}
};

transport::KmsHandler kms_handler(const SutProfile& profile, std::uint64_t seed,
                                  const std::function<void(mikey::roles::KmsConfig&)>& alter,
                                  TimeOf time_of) {
  auto state = std::make_shared<ReferenceKms>(seed);
  auto config = kms_config_from_profile(profile);
  if (!config.ok()) std::abort();
  if (alter) alter(config.value());
  state->kms =
      std::make_unique<mikey::roles::Kms>(std::move(config).value(), state->clock, state->rng);
  return [state, time_of](transport::RequestType type, mikey::ByteView request) {
    std::lock_guard<std::mutex> lock(state->mu);
    state->clock.pinned = time_of ? time_of(request) : std::nullopt;
    auto reply = type == transport::RequestType::ticket_request
                     ? state->kms->handle_request_init(request)
                     : state->kms->handle_resolve_init(request);
    transport::KmsAnswer a;
    a.mikey = std::move(reply.message);
    a.kms_failed = a.mikey.empty();
    return a;
  };
}

}  // namespace

std::optional<std::size_t> idr_index(const mikey::codec::Message& m, mikey::codec::IdRole role) {
  std::size_t n = 0;
  for (const mikey::codec::Payload& p : m.payloads) {
    const auto* idr = p.get<mikey::codec::IdWithRole>();
    if (idr == nullptr) continue;
    if (idr->role == role) return n;
    ++n;
  }
  return std::nullopt;
}

transport::KmsHandler reference_handler(const SutProfile& profile, std::uint64_t seed) {
  return kms_handler(profile, seed, {}, {});
}

transport::KmsHandler altered_kms(const std::function<void(mikey::roles::KmsConfig&)>& alter,
                                  TimeOf time_of) {
  return kms_handler(reference_profile(), 99, alter, std::move(time_of));
}

EditingServer::EditingServer(transport::AnnexAProfile profile, transport::KmsHandler handler,
                             Edit edit)
    : profile_(std::move(profile)), handler_(std::move(handler)), edit_(std::move(edit)) {}

EditingServer::~EditingServer() { stop(); }

std::uint16_t EditingServer::start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) return 0;
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||  // NOLINT
      ::listen(listen_fd_, 16) != 0) {
    return 0;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
  thread_ = std::thread([this] { serve(); });
  return ntohs(addr.sin_port);
}

void EditingServer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void EditingServer::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void EditingServer::handle(int fd) {
  std::string in;
  char buf[4096];
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    in.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      const std::string head = in.substr(0, header_end);
      std::size_t pos = 0;
      while ((pos = head.find("\r\n", pos)) != std::string::npos) {
        pos += 2;
        const std::size_t eol = head.find("\r\n", pos);
        const std::string line =
            head.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos &&
            transport::iequals(line.substr(0, colon), "Content-Length")) {
          content_length =
              static_cast<std::size_t>(std::strtoul(line.c_str() + colon + 1, nullptr, 10));
        }
      }
    }
    if (in.size() >= header_end + 4 + content_length) break;
  }
  // Request line and header fields, as views into `in`.
  const std::string_view all(in);
  const std::string_view head = all.substr(0, header_end);
  const std::size_t eol = head.find("\r\n");
  const std::string_view request_line = head.substr(0, eol);
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = request_line.rfind(' ');
  std::vector<transport::HeaderField> fields;
  std::size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      fields.push_back({line.substr(0, colon), value});
    }
    pos = end + 2;
  }
  transport::HttpRequestView view;
  view.method = request_line.substr(0, sp1);
  view.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  view.version = request_line.substr(sp2 + 1) == "HTTP/1.1" ? 11 : 10;
  view.headers = fields;
  view.body = all.substr(header_end + 4, content_length);
  std::optional<transport::HttpResponse> early = screen ? screen(view) : std::nullopt;
  transport::HttpResponse resp = early ? *early : transport::respond(profile_, handler_, view);
  if (edit_) edit_(resp);
  resp.close = true;
  const std::string out =
      transport::serialize_response(resp, "faulty-kms", transport::http_date_now());
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace mikeyconf::harness::testing
