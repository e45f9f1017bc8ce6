// The HTTP checks (TS 33.328 Annex A): http.status, http.content_type, http.header.<name>,
// within_ms and http.answer (http_answer.h) on how the exchange ended.
#include <algorithm>

#include "harness/checks/read_values.h"
#include "harness/checks/registry.h"
#include "harness/http_answer.h"
#include "harness/http_answer_loader.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness::checks {

namespace {

using detail::Ctx;

constexpr CheckKey kKeys[] = {CheckKey::http_status, CheckKey::http_content_type,
                              CheckKey::http_header, CheckKey::within_ms, CheckKey::http_answer};

// `http.status: 200 | 4xx | [..]`: codes into the result, classes into `classes`.
std::vector<int> status_list(const Ctx& ctx, const YAML::Node& v, std::vector<int>& classes) {
  std::vector<int> codes;
  auto one = [&](const YAML::Node& n) {
    if (auto i = detail::plain_integer(n)) {
      codes.push_back(static_cast<int>(ctx.integer(n, "http.status", 100, 599)));
      return;
    }
    const std::string s = ctx.string(n, "http.status");
    if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
      classes.push_back(s[0] - '0');
      return;
    }
    ctx.fail(n, "http.status must be a status code (200) or a class (4xx)");
  };
  detail::each_value(ctx, v, "http.status", one);
  return codes;
}

std::optional<Check> read(const Ctx& ctx, const std::string& key, const YAML::Node& key_node,
                          const YAML::Node& v, SutRole /*role*/) {
  if (auto answer = detail::read_http_answer_check(ctx, key, key_node, v)) return answer;
  Check c;
  c.pos = detail::pos_of(key_node);
  constexpr std::string_view kHeader = "http.header.";
  if (key.substr(0, kHeader.size()) == kHeader && key.size() > kHeader.size()) {
    c.key = CheckKey::http_header;
    HttpHeaderCheck h{key.substr(kHeader.size()), {}, detail::is_null(v)};
    if (!h.absent) h.value = ctx.string(v, key);
    c.spec = std::move(h);
  } else if (key == "http.status") {
    c.key = CheckKey::http_status;
    HttpStatusCheck s;
    s.codes = status_list(ctx, v, s.classes);
    c.spec = std::move(s);
  } else if (key == "http.content_type") {
    c.key = CheckKey::http_content_type;
    c.spec = WordCheck{ctx.string(v, key)};
  } else if (key == "within_ms") {
    c.key = CheckKey::within_ms;
    c.spec = DurationCheck{static_cast<std::uint32_t>(ctx.integer(v, key, 1, 600'000))};
  } else {
    return std::nullopt;
  }
  return c;
}

bool listed(const std::vector<int>& v, int n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

ExpectationResult judge(const Check& c, const Evidence& e) {
  const HttpExchange& x = e.http;
  if (c.key == CheckKey::http_answer) return judge_http_answer(c, x);
  ExpectationResult r = start(c);
  if (!x.responded) {
    r.actual = e.no_response();
    if (c.key == CheckKey::within_ms)
      r.actual += " after " + std::to_string(static_cast<long>(x.duration_ms)) + " ms";
    return r;
  }
  switch (c.key) {
    case CheckKey::http_status: {
      const auto& s = c.as<HttpStatusCheck>();
      r.actual = std::to_string(x.status);
      r.ok = listed(s.codes, x.status) || listed(s.classes, x.status / 100);
      break;
    }
    case CheckKey::http_content_type: {
      auto ct = x.header("Content-Type");
      r.actual = ct ? std::string(*ct) : "(none)";
      r.ok = ct && mikey::transport::media_type_matches(*ct, c.as<WordCheck>().word);
      break;
    }
    case CheckKey::http_header: {
      const auto& want = c.as<HttpHeaderCheck>();
      auto h = x.header(want.name);
      r.actual = h ? std::string(*h) : "(absent)";
      r.ok = want.absent ? !h : (h && (want.value == "*" || *h == want.value));
      break;
    }
    default:  // within_ms
      r.actual = std::to_string(x.duration_ms) + " ms";
      r.ok = x.duration_ms <= c.as<DurationCheck>().ms;
      break;
  }
  return r;
}

}  // namespace

constexpr Family kHttpFamily{"http", kKeys, read, judge};

}  // namespace mikeyconf::harness::checks
