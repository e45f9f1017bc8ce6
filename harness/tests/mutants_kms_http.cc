// KMS variants that break TS 33.328 Annex A (A.2, A.3) and nothing else: the reference KMS
// behind an HTTP server that edits its responses or screens requests before the reference
// validates them (testing::EditingServer).
#include <array>
#include <string_view>

#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"
#include "roles/clock.h"
#include "roles/error_message.h"
#include "wire/base64.h"

namespace mikeyconf::harness::mutants {

namespace {

using transport::HttpRequestView;
using transport::HttpResponse;

void set_header(HttpResponse& r, std::string_view name, const std::string& value) {
  for (auto& [n, v] : r.headers)
    if (transport::iequals(n, name)) v = value;
}

// A 400 for a request the variant will not serve.
HttpResponse refused(std::string_view why) {
  return transport::make_error_response(transport::Reject::malformed_http, why);
}

// The names of the URI parameters of a request target ("/p?a=1&b" → a, b).
std::vector<std::string_view> query_names(std::string_view target) {
  std::vector<std::string_view> out;
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view item = rest.substr(0, amp);
    out.push_back(item.substr(0, item.find('=')));
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
  }
  return out;
}

// A.2-7: a request with any URI parameter besides requesttype is refused.
std::optional<HttpResponse> refuse_extra_parameters(HttpRequestView& request) {
  for (std::string_view name : query_names(request.target)) {
    if (name != "requesttype") return refused("unexpected URI parameter");
  }
  return std::nullopt;
}

// A.2-8: a request with a header field beyond those a minimal client sends is refused.
std::optional<HttpResponse> refuse_extra_headers(HttpRequestView& request) {
  static constexpr std::array<std::string_view, 6> kKnown{
      "Host", "Content-Type", "Content-Length", "User-Agent", "Connection", "Transfer-Encoding"};
  for (const transport::HeaderField& f : request.headers) {
    bool known = false;
    for (std::string_view k : kKnown) known = known || transport::iequals(f.name, k);
    if (!known) return refused("unexpected header field");
  }
  return std::nullopt;
}

// A.2-9: the method is not checked: whatever it is, the request is served as a POST.
std::optional<HttpResponse> any_method(HttpRequestView& request) {
  request.method = "POST";
  return std::nullopt;
}

// M-10.1-1: a Content-Type with parameters (RFC 3830 §10.1 "version") is refused.
std::optional<HttpResponse> refuse_media_type_parameters(HttpRequestView& request) {
  for (const transport::HeaderField& f : request.headers) {
    if (transport::iequals(f.name, "Content-Type") && f.value.find(';') != std::string_view::npos) {
      return transport::make_error_response(transport::Reject::unsupported_content_type,
                                            "media type parameters are not accepted");
    }
  }
  return std::nullopt;
}

// T-5.4-4: an Error message posted to the KMS is answered with an Error message (13).
std::optional<HttpResponse> answer_error_with_error(HttpRequestView& request) {
  auto mikey = mikey::wire::base64_decode(request.body, mikey::wire::Base64Mode::lenient);
  if (!mikey.ok() || !is_error(mikey.value())) return std::nullopt;
  const Bytes error =
      roles::build_error(roles::error_context(codec::parse_message(mikey.value())),
                         codec::ErrorNo::unsupported_message_type, roles::SystemClock().now());
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "application/mikey");
  r.body = mikey::wire::base64_encode(error);
  return r;
}

}  // namespace

void add_kms_http_mutants(std::vector<Mutant>& out) {
  auto add = [&out](std::string name, Runner run) {
    out.push_back({std::move(name), SutRole::kms, std::move(run)});
  };
  // A.2-10: the processed request is answered 202 Accepted, not 200 OK.
  add("answers-202-not-200", kms_behind_http([](HttpResponse& r) {
        if (r.status == 200) r.status = 202;
      }));
  // A.2-11: the 200 OK carries Content-Type application/octet-stream.
  add("answer-content-type-octet-stream", kms_behind_http([](HttpResponse& r) {
        if (r.status == 200) set_header(r, "Content-Type", "application/octet-stream");
      }));
  // A.2-12: the 200 OK body is the MIKEY message in binary, not base64.
  add("answer-body-not-base64", kms_behind_http([](HttpResponse& r) {
        if (r.status != 200) return;
        auto raw = mikey::wire::base64_decode(r.body, mikey::wire::Base64Mode::lenient);
        if (raw.ok()) r.body.assign(raw->begin(), raw->end());
      }));
  add("refuses-extra-uri-parameters", kms_behind_http({}, refuse_extra_parameters));  // A.2-7
  add("refuses-extra-header-fields", kms_behind_http({}, refuse_extra_headers));      // A.2-8
  add("serves-any-method", kms_behind_http({}, any_method));                          // A.2-9
  add("refuses-media-type-parameters", kms_behind_http({}, refuse_media_type_parameters));
  add("answers-error-with-error", kms_behind_http({}, answer_error_with_error));  // T-5.4-4
  // A.3-1: the UE's errors answered 500 as if the KMS had failed.
  add("server-error-for-client-errors", kms_behind_http([](HttpResponse& r) {
        if (r.status / 100 == 4) r.status = 500;
      }));
}

}  // namespace mikeyconf::harness::mutants
