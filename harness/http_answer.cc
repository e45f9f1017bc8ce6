#include "harness/http_answer.h"

#include <algorithm>
#include <vector>

#include "harness/checks/read_values.h"
#include "harness/http_answer_loader.h"

namespace mikeyconf::harness {

namespace {

constexpr std::string_view kClosed = "closed";
constexpr std::string_view kTimeout = "timeout";

// The endings without a response `c` accepts.
bool accepts(const Check& c, std::string_view kind) {
  const HttpStatusCheck& s = c.as<HttpStatusCheck>();
  return kind == kClosed ? s.closed : kind == kTimeout && s.timeout;
}

bool status_listed(const Check& c, int status) {
  const HttpStatusCheck& s = c.as<HttpStatusCheck>();
  return std::find(s.codes.begin(), s.codes.end(), status) != s.codes.end() ||
         std::find(s.classes.begin(), s.classes.end(), status / 100) != s.classes.end();
}

}  // namespace

std::string_view no_response_kind(const HttpExchange& x) noexcept {
  if (x.responded) return {};
  if (x.transport_error == "timeout") return kTimeout;
  // The peer closed or reset the connection: seen while reading, or as the write failing.
  if (x.transport_error == "connection_closed" || x.transport_error == "write_failed" ||
      x.transport_error == "read_failed") {
    return kClosed;
  }
  return {};
}

std::string http_answer_expectation(const Check& c) {
  std::string out;
  auto add = [&out](std::string_view s) { out += (out.empty() ? "" : ", ") + std::string(s); };
  for (int n : c.as<HttpStatusCheck>().codes) add(std::to_string(n));
  for (int k : c.as<HttpStatusCheck>().classes) add(std::to_string(k) + "xx");
  if (accepts(c, kClosed)) add("closed (no response)");
  if (accepts(c, kTimeout)) add("timeout (no response)");
  return out;
}

ExpectationResult judge_http_answer(const Check& c, const HttpExchange& x) {
  ExpectationResult r;
  r.key = std::string(to_string(c.key));
  r.expected = http_answer_expectation(c);
  if (x.responded) {
    r.actual = std::to_string(x.status);
    r.ok = status_listed(c, x.status);
    return r;
  }
  const std::string_view kind = no_response_kind(x);
  r.actual = (kind.empty() ? std::string("no response") : std::string(kind)) + " (" +
             x.transport_error + ": " + x.transport_detail + ")";
  r.ok = !kind.empty() && accepts(c, kind);
  return r;
}

namespace detail {

std::optional<Check> read_http_answer_check(const Ctx& ctx, const std::string& key,
                                            const YAML::Node& key_node, const YAML::Node& value) {
  if (key != "http.answer") return std::nullopt;
  Check c;
  c.key = CheckKey::http_answer;
  c.pos = pos_of(key_node);
  HttpStatusCheck a;
  auto one = [&](const YAML::Node& n) {
    if (plain_integer(n)) {
      a.codes.push_back(static_cast<int>(ctx.integer(n, key, 100, 599)));
      return;
    }
    const std::string s = ctx.string(n, key);
    if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
      a.classes.push_back(s[0] - '0');
    } else if (s == kClosed) {
      a.closed = true;
    } else if (s == kTimeout) {
      a.timeout = true;
    } else {
      ctx.fail(n, "http.answer takes status codes (413), classes (4xx), closed and timeout");
    }
  };
  each_value(ctx, value, "http.answer", one);
  c.spec = std::move(a);
  return c;
}

}  // namespace detail

}  // namespace mikeyconf::harness
