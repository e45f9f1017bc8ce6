#include "reports/sequence_diagram.h"

#include <algorithm>
#include <map>

#include "harness/names.h"
#include "reports/decoded.h"
#include "reports/html_text.h"
#include "wire/enum_table.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::TranscriptEntry;

namespace {

constexpr std::string_view kHarness = "Harness";
constexpr std::string_view kInitiator = "Initiator";
constexpr std::string_view kResponder = "Responder";
// The KMS the harness plays when the SUT is a UE (harness/ue_kms.h).
constexpr std::string_view kHarnessKms = "KMS (harness)";
// How UE-role transcripts name that KMS: "RESOLVE_INIT_PSK bob -> harness KMS (in-process)".
constexpr std::string_view kHarnessKmsWords = "harness KMS";
// How UE-role transcripts mark the user the SUT plays: "(alice, the UE)".
constexpr std::string_view kSutUserMark = ", the UE";

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string_view first_word(std::string_view s) {
  s = trim(s);
  return s.substr(0, s.find(' '));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string capitalised(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

// What one transcript label says about who acted.
struct LabelParts {
  std::string message;   // "TRANSFER_INIT", "mode-3 ticket created"
  std::string sender;    // a party word ("initiator") or a user name ("alice"); "" = unknown
  std::string receiver;  // a user name; "" for an HTTP request (the SUT) or a self action
  std::string user;      // "(alice)" of an HTTP label
  bool self = false;
  bool sut_user = false;  // the user is the UE under test: its requests go to the harness KMS
};

// "REQUEST_INIT_PSK from initiator (alice)"; with a UE under test
// "REQUEST_INIT_PSK from initiator (alice, the UE) to the harness KMS".
LabelParts parse_http_label(std::string_view label) {
  LabelParts p;
  const std::size_t from = label.find(" from ");
  p.message = std::string(first_word(label));
  if (from == std::string_view::npos) return p;
  const std::string_view rest = label.substr(from + 6);
  p.sender = std::string(first_word(rest));
  const std::size_t open = rest.find('('), close = rest.find(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    p.user = std::string(trim(rest.substr(open + 1, close - open - 1)));
  }
  if (p.user.size() > kSutUserMark.size() &&
      std::string_view(p.user).substr(p.user.size() - kSutUserMark.size()) == kSutUserMark) {
    p.user.resize(p.user.size() - kSutUserMark.size());
    p.sut_user = true;
  }
  return p;
}

// "TRANSFER_INIT alice -> bob (handled by bob)", "TRANSFER_RESP -> alice",
// "mode-3 ticket created by alice".
LabelParts parse_local_label(std::string_view label) {
  LabelParts p;
  if (const std::size_t arrow = label.find(" -> "); arrow != std::string_view::npos) {
    const std::string_view left = trim(label.substr(0, arrow));
    p.message = std::string(first_word(left));
    p.sender = std::string(trim(left.substr(p.message.size())));
    const std::string_view right = label.substr(arrow + 4);
    p.receiver = right.substr(0, kHarnessKmsWords.size()) == kHarnessKmsWords
                     ? std::string(kHarnessKmsWords)
                     : std::string(first_word(right));
    return p;
  }
  p.self = true;
  if (const std::size_t by = label.rfind(" by "); by != std::string_view::npos) {
    p.message = std::string(trim(label.substr(0, by)));
    p.sender = std::string(first_word(label.substr(by + 4)));
  } else {
    p.message = std::string(trim(label));
  }
  return p;
}

// Which lifeline each user name stands on: learned from HTTP labels ("from initiator (alice)"),
// then, for names only the in-process exchanges mention, from the RFC 6043 roles of those
// exchanges (TRANSFER_INIT goes Initiator → Responder, TRANSFER_RESP back).
std::map<std::string, std::string> user_lifelines(const CaseResult& c, const std::string& sut) {
  std::map<std::string, std::string> users{
      {"harness", std::string(kHarness)},
      {std::string(kHarnessKmsWords), std::string(kHarnessKms)}};
  for (const TranscriptEntry& e : c.transcript) {
    if (e.kind != "http") continue;
    const LabelParts p = parse_http_label(e.label);
    if (p.user.empty() || p.sender.empty()) continue;
    users.emplace(p.user, p.sut_user ? sut : capitalised(p.sender));
  }
  for (const TranscriptEntry& e : c.transcript) {
    if (e.kind == "http") continue;
    const LabelParts p = parse_local_label(e.label);
    const bool init = p.message == "TRANSFER_INIT", resp = p.message == "TRANSFER_RESP";
    if (!init && !resp) continue;
    if (!p.sender.empty()) users.emplace(p.sender, init ? kInitiator : kResponder);
    if (!p.receiver.empty()) users.emplace(p.receiver, init ? kResponder : kInitiator);
  }
  return users;
}

std::string request_text(const TranscriptEntry& e) {
  std::string t =
      e.mikey_sent.empty() ? std::string(first_word(e.label)) : data_type_label(e.mikey_sent);
  if (t == "raw") t = "raw HTTP";
  if (!e.mutations.empty()) t += " (mutated)";
  if (e.re_protected) t += " re-MAC";
  return t;
}

std::string response_text(const TranscriptEntry& e) {
  if (!e.transport_error.empty()) return "no response";
  std::string t = "HTTP " + std::to_string(e.status);
  if (!e.response_mikey) return e.body.empty() ? t : t + " (no MIKEY)";
  const DecodedMessage d = decode_message(*e.response_mikey);
  t += " " + data_type_label(*e.response_mikey);
  if (!d.error_numbers.empty()) {
    const std::string_view n =
        harness::code_point_name("ErrorNo", static_cast<std::uint32_t>(d.error_numbers[0]));
    t += " (" + (n.empty() ? std::to_string(d.error_numbers[0]) : std::string(n)) + ")";
  }
  return t;
}

class ModelBuilder {
 public:
  ModelBuilder(const CaseResult& c, harness::SutRole role)
      : sut_("SUT (" + upper(harness::to_string(role)) + ")"), users_(user_lifelines(c, sut_)) {}

  SequenceModel build(const CaseResult& c) {
    for (const TranscriptEntry& e : c.transcript) {
      if (e.kind == "http") {
        add_http(e);
      } else {
        add_local(e);
      }
    }
    return finish();
  }

 private:
  std::string lifeline(const std::string& user, std::string_view fallback) {
    if (user.empty()) return std::string(fallback);
    const auto it = users_.find(user);
    const std::string name = it != users_.end() ? it->second : user;
    auto& seen = users_of_[name];
    if (it != users_.end() && std::find(seen.begin(), seen.end(), user) == seen.end()) {
      seen.push_back(user);
    }
    return name;
  }

  void add_http(const TranscriptEntry& e) {
    const LabelParts p = parse_http_label(e.label);
    std::string party = p.sender.empty() ? std::string(kHarness) : capitalised(p.sender);
    if (!p.user.empty()) party = lifeline(p.user, party);
    // A UE under test sends its requests to the KMS the harness plays.
    const std::string server = p.sut_user ? std::string(kHarnessKms) : sut_;
    arrows_.push_back({e.step, party, server, request_text(e), e.label, ArrowKind::request});
    arrows_.push_back({e.step, server, party, response_text(e), e.note,
                       e.transport_error.empty() ? ArrowKind::response : ArrowKind::no_response});
  }

  void add_local(const TranscriptEntry& e) {
    const LabelParts p = parse_local_label(e.label);
    const bool resp = p.message == "TRANSFER_RESP";
    const std::string from =
        lifeline(p.sender, resp ? kResponder : (p.self ? kHarness : kInitiator));
    const std::string to = p.self ? from : lifeline(p.receiver, resp ? kInitiator : kResponder);
    arrows_.push_back({e.step, from, to, p.message + " (local)", e.label, ArrowKind::local});
  }

  SequenceModel finish() {
    std::vector<std::string> names;
    for (const Arrow& a : arrows_) {
      for (const std::string* n : {&a.from, &a.to})
        if (std::find(names.begin(), names.end(), *n) == names.end()) names.push_back(*n);
    }
    SequenceModel m;
    // Fixed order for the usual parties (Initiator | KMS | Responder), others after them.
    for (std::string_view fixed : {kHarness, kInitiator, std::string_view(sut_), kResponder}) {
      const bool used = std::find(names.begin(), names.end(), fixed) != names.end();
      if (used || fixed == sut_)
        m.lifelines.push_back({std::string(fixed), users_of_[std::string(fixed)]});
    }
    for (const std::string& n : names) {
      const bool placed = std::any_of(m.lifelines.begin(), m.lifelines.end(),
                                      [&](const Lifeline& l) { return l.name == n; });
      if (!placed) m.lifelines.push_back({n, users_of_[n]});
    }
    m.arrows = std::move(arrows_);
    return m;
  }

  std::string sut_;  // declared first: users_ is built from it
  std::map<std::string, std::string> users_;
  std::map<std::string, std::vector<std::string>> users_of_;
  std::vector<Arrow> arrows_;
};

// ---- drawing ----

constexpr int kColumn = 200;  // between lifelines
constexpr int kMargin = 110;  // left edge to the first lifeline
constexpr int kTop = 80;      // first arrow
constexpr int kRow = 34;
constexpr std::size_t kLabelChars = 34;

std::string short_text(std::string_view s) {
  if (s.size() <= kLabelChars) return html_escape(s);
  return html_escape(s.substr(0, kLabelChars - 1)) + "…";
}

std::string num(int v) { return std::to_string(v); }

MIKEY_DEFINE_ENUM_TEXT(arrow_style, ArrowKind, "", "stroke=\"#24292f\"",
                       "stroke=\"#24292f\" stroke-dasharray=\"6 3\"",
                       "stroke=\"#cf222e\" stroke-dasharray=\"6 3\"",
                       "stroke=\"#8250df\" stroke-dasharray=\"2 3\"")

std::string_view arrow_colour(ArrowKind k) {
  return k == ArrowKind::no_response ? "#cf222e" : k == ArrowKind::local ? "#8250df" : "#24292f";
}

std::string head(int x, int y, int dir, std::string_view colour) {
  return "<polygon points=\"" + num(x) + "," + num(y) + " " + num(x - dir * 9) + "," + num(y - 4) +
         " " + num(x - dir * 9) + "," + num(y + 4) + "\" fill=\"" + std::string(colour) + "\"/>";
}

std::string draw_arrow(const Arrow& a, int x1, int x2, int y) {
  std::string out = "<g class=\"arrow " +
                    std::string(a.kind == ArrowKind::local ? "local" : "http") + "\"><title>" +
                    html_escape(a.title) + "</title>";
  out += "<text x=\"8\" y=\"" + num(y + 4) + "\" class=\"stepno\">" +
         num(static_cast<int>(a.step) + 1) + "</text>";
  const std::string style(arrow_style(a.kind));
  if (x1 == x2) {
    out += "<path d=\"M" + num(x1) + "," + num(y - 8) + " h40 v16 h-36\" fill=\"none\" " + style +
           "/>" + head(x1 + 2, y + 8, -1, arrow_colour(a.kind));
    out += "<text x=\"" + num(x1 + 46) + "\" y=\"" + num(y + 4) + "\" fill=\"" +
           std::string(arrow_colour(a.kind)) + "\">" + short_text(a.text) + "</text>";
  } else {
    const int dir = x2 > x1 ? 1 : -1;
    out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x2 - dir * 2) +
           "\" y2=\"" + num(y) + "\" " + style + "/>" + head(x2, y, dir, arrow_colour(a.kind));
    out += "<text x=\"" + num((x1 + x2) / 2) + "\" y=\"" + num(y - 6) +
           "\" text-anchor=\"middle\" fill=\"" + std::string(arrow_colour(a.kind)) + "\">" +
           short_text(a.text) + "</text>";
  }
  return out + "</g>";
}

std::string draw_lifeline(const Lifeline& l, int x, int bottom) {
  std::string users;
  for (const std::string& u : l.users) users += (users.empty() ? "" : ", ") + u;
  std::string out = "<g class=\"lifeline\"><rect x=\"" + num(x - 80) +
                    "\" y=\"8\" width=\"160\" height=\"40\" rx=\"4\" fill=\"#f6f8fa\" "
                    "stroke=\"#57606a\"/>";
  out += "<text x=\"" + num(x) + "\" y=\"" + num(users.empty() ? 32 : 25) +
         "\" text-anchor=\"middle\" font-weight=\"bold\">" + short_text(l.name) + "</text>";
  if (!users.empty()) {
    out += "<text x=\"" + num(x) + "\" y=\"41\" text-anchor=\"middle\" fill=\"#57606a\">" +
           short_text(users) + "</text>";
  }
  out += "<line x1=\"" + num(x) + "\" y1=\"48\" x2=\"" + num(x) + "\" y2=\"" + num(bottom) +
         "\" stroke=\"#8c959f\" stroke-dasharray=\"4 4\"/></g>";
  return out;
}

}  // namespace

SequenceModel sequence_model(const CaseResult& c, harness::SutRole sut_role) {
  return ModelBuilder(c, sut_role).build(c);
}

std::string sequence_svg(const SequenceModel& m) {
  const int n = static_cast<int>(m.lifelines.size());
  const int width = 2 * kMargin + std::max(0, n - 1) * kColumn;
  const int bottom = kTop + static_cast<int>(m.arrows.size()) * kRow;
  const int height = bottom + 10;
  std::map<std::string, int> x;
  for (int i = 0; i < n; ++i)
    x[m.lifelines[static_cast<std::size_t>(i)].name] = kMargin + i * kColumn;
  std::string out = "<svg class=\"seq\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                    "\" role=\"img\" aria-label=\"sequence diagram\" font-family=\"sans-serif\" "
                    "font-size=\"12\">";
  for (const Lifeline& l : m.lifelines) out += draw_lifeline(l, x[l.name], bottom);
  int y = kTop;
  for (const Arrow& a : m.arrows) {
    out += draw_arrow(a, x[a.from], x[a.to], y);
    y += kRow;
  }
  return out + "</svg>";
}

}  // namespace mikeyconf::reports
