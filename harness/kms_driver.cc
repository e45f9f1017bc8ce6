#include <charconv>
#include <chrono>
#include <span>
#include <string_view>

#include "harness/driver.h"
#include "harness/reference_names.h"
#include "transport/client.h"
#include "wire/base64.h"

namespace mikeyconf::harness {

std::optional<std::string_view> HttpExchange::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (transport::iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

std::string encode_body(mikey::ByteView mikey, BodyEncoding encoding) {
  switch (encoding) {
    case BodyEncoding::base64:
      return mikey::wire::base64_encode(mikey);
    case BodyEncoding::base64_wrapped: {
      const std::string flat = mikey::wire::base64_encode(mikey);
      std::string out;
      for (std::size_t i = 0; i < flat.size(); i += 76) {
        if (i > 0) out += "\r\n";
        out += flat.substr(i, 76);
      }
      return out;
    }
    case BodyEncoding::binary:
      return std::string(mikey.begin(), mikey.end());
  }
  return {};
}

namespace {

BodyEncoding profile_encoding(const SutProfile& p) {
  return p.annex_a.body_encoding == transport::BodyEncoding::binary ? BodyEncoding::binary
                                                                    : BodyEncoding::base64;
}

// The largest response the driver reads (headers excluded). An Annex A answer is a base64 MIKEY
// message of a few hundred bytes; a SUT that sends more (an endless or huge body) is cut off here
// and reported as response_too_large instead of being buffered.
constexpr std::size_t kMaxResponseBytes = 1 << 20;

transport::ClientOptions client_options(const SutProfile& p) {
  transport::ClientOptions o;
  o.max_response_bytes = kMaxResponseBytes;
  o.host = p.host;
  o.port = p.port;
  o.profile = p.annex_a;
  o.host_header = p.host_header;
  o.user_agent = "mikeyconf/0.1";
  o.connect_timeout = std::chrono::milliseconds(p.timeouts.connect_ms);
  o.total_timeout = std::chrono::milliseconds(p.timeouts.request_ms);
  o.keep_alive = true;
  if (p.tls) {
    transport::ClientTlsOptions t;
    t.ca_file = p.tls->ca_file;
    t.cert_file = p.tls->cert_file;
    t.key_file = p.tls->key_file;
    t.sni = p.tls->sni;
    t.verify_peer = p.tls->verify;
    o.tls = t;
  }
  return o;
}

// Problems of reaching the SUT at all, which cannot be blamed on its protocol behaviour: name
// resolution, TCP connect, TLS material, and the TLS handshake (certificates, trust, versions).
bool unreachable(transport::Errc e) {
  return e == transport::Errc::resolve_failed || e == transport::Errc::connect_failed ||
         e == transport::Errc::tls_setup_failed || e == transport::Errc::tls_failed;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// docs/latitude.md "announced-body-too-large": the bytes a hand-built request's Content-Length
// announces beyond the body it carries, to follow after http.send_rest_after_ms ("" otherwise).
std::string announced_rest(const HttpOverrides& o, std::string_view request) {
  if (!o.send_rest_after_ms) return {};
  const std::size_t head_end = request.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return {};
  const std::size_t body = request.size() - head_end - 4;
  for (const auto& [name, value] : o.headers) {
    if (!transport::iequals(name, "Content-Length") || !value) continue;
    std::size_t announced = 0;
    const auto [end, err] =
        std::from_chars(value->data(), value->data() + value->size(), announced);
    if (err != std::errc() || end != value->data() + value->size()) return {};
    return announced > body ? std::string(announced - body, 'A') : std::string();
  }
  return {};
}

void note_failure(HttpExchange& x, const transport::Error& e) {
  x.transport_error = std::string(transport::to_string(e.code));
  x.transport_detail = e.detail;
  x.unreachable = unreachable(e.code);
}

}  // namespace

struct KmsDriver::Impl {
  SutProfile profile;
  transport::AnnexAClient client;
  explicit Impl(const SutProfile& p) : profile(p), client(client_options(p)) {}

  std::string host_header() const {
    if (!profile.host_header.empty()) return profile.host_header;
    const bool v6 = profile.host.find(':') != std::string::npos;
    return (v6 ? "[" + profile.host + "]" : profile.host) + ":" + std::to_string(profile.port);
  }

  void fill(HttpExchange& x, const transport::ClientResponse& r) const {
    x.responded = true;
    x.status = r.status;
    x.reason = r.reason;
    x.headers = r.headers;
    x.body = r.body;
    x.mikey = r.mikey;
    x.mikey_problem = r.mikey_problem;
    if (!x.mikey && r.status == 200 && !r.body.empty()) {
      // Decode anyway so the report can show what the SUT sent despite the problem.
      if (profile.annex_a.body_encoding == transport::BodyEncoding::binary) {
        x.mikey = mikey::to_bytes(r.body);
      } else {
        auto d = mikey::wire::base64_decode(r.body, mikey::wire::Base64Mode::lenient);
        if (d.ok()) x.mikey = std::move(d).value();
      }
    }
  }

  // A hand-built request (HTTP overrides): sent in the client's raw mode, on a connection that is
  // closed afterwards, since such a request may leave it in any state (e.g. a body without
  // Content-Length that the server reads as the next request).
  void send_raw(const HttpRequestSpec& request, HttpExchange& x) {
    const std::string rest = announced_rest(*request.overrides, x.request);
    const std::string_view writes[] = {x.request, rest};
    const auto gap = std::chrono::milliseconds(request.overrides->send_rest_after_ms.value_or(0));
    const auto start = std::chrono::steady_clock::now();
    auto r = client.send_raw(std::span(writes, rest.empty() ? 1 : 2), gap);
    x.duration_ms = ms_since(start);
    x.request += rest;
    client.close();
    if (!r.ok()) return note_failure(x, r.error());
    fill(x, r->parsed);
  }
};

KmsDriver::KmsDriver(const SutProfile& profile) : impl_(std::make_unique<Impl>(profile)) {}
KmsDriver::~KmsDriver() = default;

std::string KmsDriver::describe() const {
  return "KMS at " + impl_->profile.base_url + " (" + impl_->profile.name + ")";
}

std::string KmsDriver::build_request(const HttpRequestSpec& request) const {
  const HttpOverrides none;
  const HttpOverrides& o = request.overrides != nullptr ? *request.overrides : none;
  const SutProfile& p = impl_->profile;
  if (!o.any()) return impl_->client.build_request(request.type, request.mikey);
  std::string body =
      o.body_raw ? *o.body_raw
                 : encode_body(request.mikey, o.body_encoding.value_or(profile_encoding(p)));
  // Padding is a valid base64 alphabet letter, so only the size makes the request oversized.
  if (o.pad_body_bytes) body.append(*o.pad_body_bytes, 'A');
  const std::string query =
      o.query ? *o.query : p.annex_a.type_parameter + "=" + p.annex_a.type_value(request.type);
  std::string target = o.path.value_or(p.annex_a.path);
  if (!query.empty()) target += "?" + query;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers{
      {"Host", impl_->host_header()},
      {"User-Agent", std::string("mikeyconf/0.1")},
      {"Content-Type", o.content_type.value_or(p.annex_a.content_type)},
      {"Content-Length", std::to_string(body.size())},
  };
  if (o.pad_header_bytes)
    headers.emplace_back("X-Mikeyconf-Pad", std::string(*o.pad_header_bytes, 'a'));
  for (const auto& [name, value] : o.headers) {
    bool replaced = false;
    for (auto& [n, v] : headers) {
      if (transport::iequals(n, name)) {
        v = value;
        replaced = true;
      }
    }
    if (!replaced) headers.emplace_back(name, value);
  }
  std::string out = o.method.value_or("POST") + " " + target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : headers)
    if (value) out += name + ": " + *value + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

HttpExchange KmsDriver::exchange(const HttpRequestSpec& request) noexcept {
  HttpExchange x;
  try {
    x.request = build_request(request);
    if (request.overrides != nullptr && request.overrides->any()) {
      impl_->send_raw(request, x);
      return x;
    }
    const auto start = std::chrono::steady_clock::now();
    auto r = impl_->client.post(request.type, request.mikey);
    x.duration_ms = ms_since(start);
    if (!r.ok()) {
      note_failure(x, r.error());
      impl_->client.close();
      return x;
    }
    impl_->fill(x, r.value());
  } catch (const std::exception& e) {
    x.transport_error = "harness_exception";
    x.transport_detail = e.what();
    impl_->client.close();
  } catch (...) {
    x.transport_error = "harness_exception";
    x.transport_detail = "unknown exception";
    impl_->client.close();
  }
  return x;
}

}  // namespace mikeyconf::harness
