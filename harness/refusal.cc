#include "harness/refusal.h"

#include <algorithm>
#include <array>
#include <utility>

#include "codec/message.h"
#include "harness/reference_names.h"
#include "roles/error_message.h"
#include "transport/annex_a.h"
#include "wire/enum_table.h"

namespace mikeyconf::harness {

namespace {

constexpr std::array<std::pair<std::string_view, RefusalClass>, 4> kClasses{{
    {"authenticated", RefusalClass::authenticated},
    {"auth_failure", RefusalClass::auth_failure},
    {"malformed", RefusalClass::malformed},
    {"discarded", RefusalClass::discarded},
}};

// The Error numbers a class expects when the case names none (empty: any).
std::vector<int> default_numbers(RefusalClass c) {
  switch (c) {
    case RefusalClass::auth_failure:
      return {0};  // RFC 3830 §5.3 "Auth failure Error message"
    case RefusalClass::malformed:
      return {12, 13};  // Unspecified error, or Unsupported message type (RFC 4738 §3.9.2)
    case RefusalClass::authenticated:
    case RefusalClass::discarded:
      break;
  }
  return {};
}

std::vector<int> expected_numbers(const Check& c) {
  const RefusalCheck& r = c.as<RefusalCheck>();
  if (r.any_error_no) return {};
  return r.error_nos.empty() ? default_numbers(r.refusal) : r.error_nos;
}

std::string numbers_text(const std::vector<int>& v) {
  if (v.empty()) return "any number";
  std::string out;
  for (int n : v) {
    std::string_view name = codec::to_string(static_cast<codec::ErrorNo>(n));
    out += (out.empty() ? "" : ", ") + std::to_string(n) +
           (name.empty() ? "" : " " + std::string(name));
  }
  return "[" + out + "]";
}

// Whether the profile lets a 4xx stand for this class's Error message, and whether it lets an
// Error message stand (a declared http-4xx reading excludes it).
bool http_allowed(const Check& c, const SutProfile& p) {
  const std::string_view point = http_latitude_of(c.as<RefusalCheck>().refusal);
  return !point.empty() && p.latitude.allows(point, "http-4xx");
}
bool error_allowed(const Check& c, const SutProfile& p) {
  const std::string_view point = http_latitude_of(c.as<RefusalCheck>().refusal);
  return point.empty() || p.latitude.allows(point, "error");
}

// 200 + application/mikey + an Error message with an expected number.
void judge_error_message(const Check& c, const HttpExchange& x, const SutProfile& p,
                         ExpectationResult& r) {
  const auto ct = x.header("Content-Type");
  if (!x.mikey || !ct || !mikey::transport::media_type_matches(*ct, p.annex_a.content_type)) {
    r.actual = "200 without a MIKEY message" +
               (x.mikey_problem.empty() ? std::string() : " (" + x.mikey_problem + ")");
    return;
  }
  const codec::ParseOutcome m = codec::parse_message(*x.mikey);
  if (!m.ok()) {
    r.actual = "200 with a MIKEY message that does not parse";
    return;
  }
  if (m.message.hdr.data_type != codec::DataType::error) {
    const std::string_view dt = codec::to_string(m.message.hdr.data_type);
    r.actual = "200 " +
               (dt.empty() ? "data type " + std::to_string(codec::raw(m.message.hdr.data_type))
                           : std::string(dt)) +
               ": not refused";
    return;
  }
  std::vector<int> got;
  for (codec::ErrorNo n : mikey::roles::error_numbers(m.message)) got.push_back(codec::raw(n));
  r.actual = "200 MIKEY Error " + numbers_text(got);
  const std::vector<int> want = expected_numbers(c);
  const bool number_ok =
      want.empty() ? !got.empty() : std::any_of(got.begin(), got.end(), [&](int n) {
        return std::find(want.begin(), want.end(), n) != want.end();
      });
  if (!number_ok) return;
  if (!error_allowed(c, p)) {
    r.actual += "; the profile declares latitude." +
                std::string(http_latitude_of(c.as<RefusalCheck>().refusal)) + ": http-4xx";
    return;
  }
  r.ok = true;
}

}  // namespace

std::string_view to_string(RefusalClass c) noexcept {
  for (const auto& [name, value] : kClasses)
    if (value == c) return name;
  return "";
}

std::optional<RefusalClass> parse_refusal_class(std::string_view s) noexcept {
  for (const auto& [name, value] : kClasses)
    if (name == s) return value;
  return std::nullopt;
}

// The latitude point of each refusal class; none for an authenticated refusal (its MIKEY Error
// is mandatory).
MIKEY_DEFINE_ENUM_TEXT(http_latitude_of, RefusalClass, "", "", "auth-failure-answer",
                       "malformed-answer", "discard-answer")

std::string refusal_expectation(const Check& c) {
  std::string out = std::string(to_string(c.as<RefusalCheck>().refusal)) + ": MIKEY Error " +
                    numbers_text(expected_numbers(c)) + " in a 200";
  if (!http_latitude_of(c.as<RefusalCheck>().refusal).empty()) {
    out += ", or an HTTP 4xx (docs/latitude.md \"" +
           std::string(http_latitude_of(c.as<RefusalCheck>().refusal)) + "\")";
  }
  return out;
}

ExpectationResult judge_refusal(const Check& c, const HttpExchange& x, const SutProfile& p) {
  ExpectationResult r;
  r.key = "refused";
  r.expected = refusal_expectation(c);
  if (!x.responded) {
    r.actual = "no response (" + x.transport_error + ": " + x.transport_detail + ")";
    return r;
  }
  if (x.status == 200) {
    judge_error_message(c, x, p, r);
    return r;
  }
  r.actual = "HTTP " + std::to_string(x.status);
  if (x.status / 100 != 4) {
    r.actual += x.status / 100 == 5 ? ": the KMS reports its own failure (A.3-1)" : "";
    return r;
  }
  if (http_latitude_of(c.as<RefusalCheck>().refusal).empty()) {
    r.actual += ": the POST was valid, so the refusal is a MIKEY Error message in a 200 (A.2-12)";
  } else if (!http_allowed(c, p)) {
    r.actual += "; the profile declares latitude." +
                std::string(http_latitude_of(c.as<RefusalCheck>().refusal)) + ": error";
  } else {
    r.ok = true;
  }
  return r;
}

}  // namespace mikeyconf::harness
