// A Scenario as YAML under the loader's schema (harness/README.md "Scenario schema"): every key
// the loader reads is written back from the fields it fills, so parse_scenario_text(to_yaml(s))
// is `s` again. Settings are written flat with their dotted keys (the loader flattens nested
// `set:` maps to the same keys); code points the loader resolved to numbers are written by their
// RFC name when the name reads back to the same number.
#include "harness/scenario_writer.h"

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <type_traits>

#include "harness/names.h"
#include "wire/hex.h"

namespace mikeyconf::harness {

namespace {

using YAML::Emitter;

void text(Emitter& out, std::string_view s) { out << std::string(s); }

// Hex bytes are always quoted: "0102" unquoted would read as the integer 102.
void hex(Emitter& out, const mikey::Bytes& b) {
  out << YAML::DoubleQuoted << mikey::wire::to_hex(b);
}

void code_point(Emitter& out, std::string_view registry, int n) {
  const std::string_view name = code_point_name(registry, static_cast<std::uint32_t>(n));
  if (!name.empty() && code_point_value(registry, name) == static_cast<std::uint32_t>(n)) {
    text(out, name);
  } else {
    out << n;
  }
}

// One value as a scalar, several as a flow list (the loaders take both, `each_value`).
template <class T, class F>
void one_or_list(Emitter& out, const std::vector<T>& items, F&& one) {
  if (items.size() == 1) return one(items.front());
  out << YAML::Flow << YAML::BeginSeq;
  for (const T& item : items) one(item);
  out << YAML::EndSeq;
}

void strings(Emitter& out, const std::vector<std::string>& items) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const std::string& s : items) text(out, s);
  out << YAML::EndSeq;
}

void code_points(Emitter& out, std::string_view registry, const std::vector<int>& values) {
  one_or_list(out, values, [&](int n) { code_point(out, registry, n); });
}

// ---- checks ----

// http.status and http.answer: codes, classes ("4xx"), then the endings without a response.
void statuses(Emitter& out, const HttpStatusCheck& s) {
  const std::size_t n =
      s.codes.size() + s.classes.size() + (s.closed ? 1 : 0) + (s.timeout ? 1 : 0);
  if (n != 1) out << YAML::Flow << YAML::BeginSeq;
  for (int c : s.codes) out << c;
  for (int k : s.classes) out << std::to_string(k) + "xx";
  if (s.closed) out << "closed";
  if (s.timeout) out << "timeout";
  if (n != 1) out << YAML::EndSeq;
}

void refusal(Emitter& out, const RefusalCheck& r) {
  if (r.error_nos.empty() && !r.any_error_no) return text(out, to_string(r.refusal));
  out << YAML::BeginMap << YAML::Key << "because" << YAML::Value;
  text(out, to_string(r.refusal));
  out << YAML::Key << "error_no" << YAML::Value;
  if (r.any_error_no) {
    out << "any";
  } else {
    code_points(out, "ErrorNo", r.error_nos);
  }
  out << YAML::EndMap;
}

// ue.* / kms.*: the value ue_loader.cc read, from the fields it filled.
void ue_value(Emitter& out, const UeCheck& u) {
  const std::string& k = u.name;
  if (k == "ue.fresh" || k == "kms.request.fresh" || k == "kms.request.hdr.empty_map") {
    out << true;
  } else if (k == "ue.hdr.map_type") {
    code_points(out, "MapType", u.numbers);
  } else if (k == "kms.requests" || k == "kms.request.mikey.hdr.v") {
    one_or_list(out, u.numbers, [&](int n) { out << n; });
  } else if (k == "kms.request.mikey.data_type") {
    code_points(out, "DataType", u.numbers);
  } else if (k == "kms.request.mikey.payloads_present" ||
             k == "kms.request.mikey.payloads_absent") {
    code_points(out, "PayloadType", u.numbers);
  } else if (k == "kms.request.rand_min_bytes") {
    if (u.min_bytes == 0) {
      out << "psk";
    } else {
      out << u.min_bytes;
    }
  } else if (u.absent) {
    out << YAML::Null;  // kms.request.http.header.NAME: null
  } else {
    text(out, u.expected);  // the words, a media type, a header value
  }
}

void check_value(Emitter& out, const Check& c) {
  switch (c.key) {
    case CheckKey::http_status:
    case CheckKey::http_answer:
      return statuses(out, c.as<HttpStatusCheck>());
    case CheckKey::http_header: {
      const auto& h = c.as<HttpHeaderCheck>();
      if (h.absent) {
        out << YAML::Null;
      } else {
        text(out, h.value);
      }
      return;
    }
    case CheckKey::http_content_type:
    case CheckKey::verify:
    case CheckKey::outcome:
      return text(out, c.as<WordCheck>().word);
    case CheckKey::mikey_data_type:
      return code_points(out, "DataType", c.as<NumbersCheck>().values);
    case CheckKey::mikey_error_no:
      return code_points(out, "ErrorNo", c.as<NumbersCheck>().values);
    case CheckKey::mikey_hdr_v:
      return one_or_list(out, c.as<NumbersCheck>().values, [&](int n) { out << n; });
    case CheckKey::mikey_payloads_present:
    case CheckKey::mikey_payloads_absent: {
      std::vector<int> types;
      for (std::uint8_t t : c.as<PayloadTypesCheck>().types) types.push_back(t);
      return code_points(out, "PayloadType", types);
    }
    case CheckKey::mikey_hdr_copied:
    case CheckKey::keys_equal:
      out << true;
      return;
    case CheckKey::within_ms:
      out << c.as<DurationCheck>().ms;
      return;
    case CheckKey::ue:
      return ue_value(out, c.as<UeCheck>());
    case CheckKey::ticket: {
      const auto& t = c.as<TicketCheck>();
      if (t.name != "lifetime_s") {
        out << t.value;
      } else if (t.min_s == t.max_s) {
        out << t.min_s;
      } else {
        out << YAML::Flow << YAML::BeginSeq << t.min_s << t.max_s << YAML::EndSeq;
      }
      return;
    }
    case CheckKey::forwarded: {
      const auto& f = c.as<ForwardedCheck>();
      if (f.name == "count") {
        out << f.count;
      } else {
        out << f.value;
      }
      return;
    }
    case CheckKey::refused:
      return refusal(out, c.as<RefusalCheck>());
  }
}

// The entries of a map of checks (an expect step, an any_of alternative, inconclusive_if.when).
void check_entries(Emitter& out, const std::vector<Check>& checks) {
  for (const Check& c : checks) {
    out << YAML::Key << c.name() << YAML::Value;
    check_value(out, c);
  }
}

void check_map(Emitter& out, const std::vector<Check>& checks) {
  out << YAML::BeginMap;
  check_entries(out, checks);
  out << YAML::EndMap;
}

void expect_step(Emitter& out, const ExpectStep& e) {
  out << YAML::Key << "expect" << YAML::Value << YAML::BeginMap;
  check_entries(out, e.checks);
  if (!e.any_of.empty()) {
    out << YAML::Key << "any_of" << YAML::Value << YAML::BeginSeq;
    for (const std::vector<Check>& alternative : e.any_of) check_map(out, alternative);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  if (!e.inconclusive_if) return;
  const InconclusiveClause& c = *e.inconclusive_if;
  out << YAML::Key << "inconclusive_if" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "excuses" << YAML::Value;
  strings(out, c.excuses);
  if (!c.when.empty()) {
    out << YAML::Key << "when" << YAML::Value;
    check_map(out, c.when);
  }
  out << YAML::Key << "because" << YAML::Value;
  text(out, c.because);
  out << YAML::EndMap;
}

// ---- what a step sends ----

void settings(Emitter& out, const std::vector<Setting>& set) {
  if (set.empty()) return;
  out << YAML::Key << "set" << YAML::Value << YAML::BeginMap;
  for (const Setting& s : set) {
    out << YAML::Key << s.key << YAML::Value;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            out << YAML::Null;
          } else if constexpr (std::is_same_v<T, std::string>) {
            text(out, v);
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            strings(out, v);
          } else {
            out << v;  // bool, integer
          }
        },
        s.value);
  }
  out << YAML::EndMap;
}

// One knob per line, as the shipped cases write them.
void mutation(Emitter& out, const Mutation& m) {
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "knob" << YAML::Value;
  text(out, to_string(m.knob));
  if (!m.field.empty()) out << YAML::Key << "field" << YAML::Value << m.field;
  if (m.knob == Knob::swap) out << YAML::Key << "with" << YAML::Value << m.with;
  if (m.knob == Knob::flip_bit) out << YAML::Key << "bit" << YAML::Value << m.bit;
  if (m.knob == Knob::set) {
    out << YAML::Key << "value" << YAML::Value;
    if (m.int_value) {
      out << *m.int_value;
    } else {
      hex(out, m.bytes.value_or(mikey::Bytes{}));
    }
  }
  if (m.at) out << YAML::Key << "at" << YAML::Value << *m.at;
  if (m.drop_last) out << YAML::Key << "drop_last" << YAML::Value << *m.drop_last;
  if (m.knob == Knob::append) {
    out << YAML::Key << "bytes" << YAML::Value;
    hex(out, m.bytes.value_or(mikey::Bytes{}));
  }
  out << YAML::EndMap;
}

void mutations(Emitter& out, const std::vector<Mutation>& mutate, bool re_protect) {
  if (mutate.empty()) return;
  out << YAML::Key << "mutate" << YAML::Value << YAML::BeginSeq;
  for (const Mutation& m : mutate) mutation(out, m);
  out << YAML::EndSeq;
  if (re_protect) out << YAML::Key << "re_protect" << YAML::Value << true;
}

template <class T>
void optional_entry(Emitter& out, std::string_view key, const std::optional<T>& v) {
  if (!v) return;
  out << YAML::Key << std::string(key) << YAML::Value;
  if constexpr (std::is_same_v<T, std::string>) {
    text(out, *v);
  } else {
    out << *v;
  }
}

void http_overrides(Emitter& out, const HttpOverrides& h) {
  if (!h.any()) return;
  out << YAML::Key << "http" << YAML::Value << YAML::BeginMap;
  optional_entry(out, "method", h.method);
  optional_entry(out, "path", h.path);
  optional_entry(out, "query", h.query);
  optional_entry(out, "content_type", h.content_type);
  if (!h.headers.empty()) {
    out << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, value] : h.headers) {
      out << YAML::Key << name << YAML::Value;
      if (value) {
        text(out, *value);
      } else {
        out << YAML::Null;  // removes the header
      }
    }
    out << YAML::EndMap;
  }
  if (h.body_encoding) {
    out << YAML::Key << "body_encoding" << YAML::Value;
    text(out, to_string(*h.body_encoding));
  }
  if (h.body_raw)
    out << YAML::Key << "body_raw" << YAML::Value << YAML::DoubleQuoted << *h.body_raw;
  optional_entry(out, "pad_header_bytes", h.pad_header_bytes);
  optional_entry(out, "pad_body_bytes", h.pad_body_bytes);
  optional_entry(out, "send_rest_after_ms", h.send_rest_after_ms);
  out << YAML::EndMap;
}

// ---- steps ----

void send_step(Emitter& out, const SendStep& s) {
  out << YAML::Key << "send" << YAML::Value;
  text(out, to_string(s.message));
  // The loader's default sender: the Responder resolves, the Initiator sends everything else.
  const Party sender =
      s.message == MessageKind::resolve_init_psk ? Party::responder : Party::initiator;
  if (s.from != sender) {
    out << YAML::Key << "from" << YAML::Value;
    text(out, to_string(s.from));
  }
  settings(out, s.set);
  mutations(out, s.mutate, s.re_protect);
  if (s.resend) out << YAML::Key << "resend" << YAML::Value << true;
  http_overrides(out, s.http);
}

void ue_step(Emitter& out, const UeStep& u) {
  out << YAML::Key << "ue" << YAML::Value;
  text(out, to_string(u.op));
  settings(out, u.set);
  mutations(out, u.mutate, false);
  if (u.resend) out << YAML::Key << "resend" << YAML::Value << true;
  if (u.op == UeOp::initiate && u.mode != 1) {
    out << YAML::Key << "mode" << YAML::Value << static_cast<int>(u.mode);
  }
}

void kms_answer_step(Emitter& out, const KmsAnswerStep& k) {
  out << YAML::Key << "kms_answer" << YAML::Value << YAML::BeginMap;
  if (k.error_no) {
    out << YAML::Key << "error_no" << YAML::Value;
    code_point(out, "ErrorNo", *k.error_no);
  }
  if (k.authenticated) out << YAML::Key << "authenticated" << YAML::Value << true;
  mutations(out, k.mutate, k.re_protect);
  if (!k.grant_for.empty()) {
    out << YAML::Key << "grant_for" << YAML::Value;
    strings(out, k.grant_for);
  }
  optional_entry(out, "status", k.status);
  optional_entry(out, "content_type", k.content_type);
  if (k.body_raw)
    out << YAML::Key << "body_raw" << YAML::Value << YAML::DoubleQuoted << *k.body_raw;
  if (k.no_answer) out << YAML::Key << "no_answer" << YAML::Value << true;
  optional_entry(out, "count", k.count);
  out << YAML::EndMap;
}

void step(Emitter& out, const Step& st) {
  out << YAML::BeginMap;
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, SendStep>) {
          send_step(out, body);
        } else if constexpr (std::is_same_v<T, ExpectStep>) {
          expect_step(out, body);
        } else if constexpr (std::is_same_v<T, WaitStep>) {
          out << YAML::Key << "wait_ms" << YAML::Value << body.ms;
        } else if constexpr (std::is_same_v<T, CreateTicketStep>) {
          out << YAML::Key << "create_ticket" << YAML::Value << "mode3";
          settings(out, body.set);
        } else if constexpr (std::is_same_v<T, UeStep>) {
          ue_step(out, body);
        } else {
          kms_answer_step(out, body);
        }
      },
      st.body);
  out << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const Scenario& s) {
  Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << s.id;
  out << YAML::Key << "title" << YAML::Value << s.title;
  out << YAML::Key << "requirements" << YAML::Value;
  strings(out, s.requirements);
  out << YAML::Key << "level" << YAML::Value;
  text(out, to_string(s.level));
  out << YAML::Key << "sut_role" << YAML::Value;
  text(out, to_string(s.sut_role));
  if (!s.needs.empty()) {
    out << YAML::Key << "needs" << YAML::Value;
    strings(out, s.needs);
  }
  if (!s.tags.empty()) {
    out << YAML::Key << "tags" << YAML::Value;
    strings(out, s.tags);
  }
  optional_entry(out, "timeout_ms", s.timeout_ms);
  out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq;
  for (const Step& st : s.steps) step(out, st);
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace mikeyconf::harness
