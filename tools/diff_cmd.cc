#include "tools/diff_cmd.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "harness/results.h"
#include "inspect/json.h"

namespace mikeyconf::tools {

const std::string_view kDiffUsage =
    "usage: mikeyconf diff [--json] A/results.json B/results.json\n"
    "\n"
    "Compares two runs (results.json of 'mikeyconf run', schema mikeyconf.results/1) case by\n"
    "case id: the new failures (a case pass, xfail, skipped or absent in A that is fail, error\n"
    "or xpass in B), the fixes (fail in A, pass in B), the other verdict changes and the cases\n"
    "added or removed, after a header with both runs' SUT, seed, start time and suite digest.\n"
    "\n"
    "  --json   print one JSON object (schema mikeyconf.diff/1) instead of the text\n"
    "\n"
    "exit status: 0 no regression, 1 B has a new failure, 2 usage error or a file that cannot\n"
    "be read or is not a results.json\n";

namespace {

using inspect::Json;

using harness::Verdict;

struct CaseVerdict {
  std::string id;
  Verdict verdict = Verdict::pass;
  std::string reason;
};

// What the diff reads of one results.json.
struct RunFile {
  std::string file;
  Json header = Json::object();
  Json summary;
  std::vector<CaseVerdict> cases;

  const CaseVerdict* find(std::string_view id) const {
    for (const CaseVerdict& c : cases)
      if (c.id == id) return &c;
    return nullptr;
  }
};

const Json* member(const Json& j, std::string_view key) { return inspect::find_member(j, key); }

// The string at `key` of `j` ("" when absent or not a string).
std::string text_at(const Json& j, std::string_view key) {
  const Json* v = member(j, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

// The header: SUT, seed, start, suite digest (absent before runs recorded it: null).
Json header_of(const std::string& path, const Json& doc) {
  static const Json kEmpty = Json::object();
  const Json* sut = member(doc, "sut");
  const Json* run = member(doc, "run");
  const Json* suite = member(doc, "suite");
  const Json& s = sut != nullptr ? *sut : kEmpty;
  const Json& r = run != nullptr ? *run : kEmpty;
  const Json* seed = member(r, "seed");
  const std::string digest = suite != nullptr ? text_at(*suite, "digest") : std::string();
  return Json{{"file", path},
              {"sut", text_at(s, "name")},
              {"role", text_at(s, "role")},
              {"base_url", text_at(s, "base_url")},
              {"seed", seed != nullptr && seed->is_number_unsigned() ? *seed : Json()},
              {"started_utc", text_at(r, "started_utc")},
              {"suite_digest", digest.empty() ? Json() : Json(digest)},
              {"tool_version", text_at(doc, "tool_version")}};
}

// The cases of `doc` into `out`; a message saying what is wrong otherwise.
std::optional<std::string> read_cases(const Json& doc, RunFile& out) {
  const Json* cases = member(doc, "cases");
  if (cases == nullptr || !cases->is_array()) return "no \"cases\" list";
  for (std::size_t i = 0; i < cases->size(); ++i) {
    const Json& c = (*cases)[i];
    const std::string where = "cases[" + std::to_string(i) + "]";
    const Json* id = member(c, "id");
    const Json* verdict = member(c, "verdict");
    if (id == nullptr || !id->is_string()) return where + " has no \"id\" string";
    if (verdict == nullptr || !verdict->is_string()) return where + " has no \"verdict\" string";
    const std::string text = verdict->get<std::string>();
    const std::optional<Verdict> parsed = harness::verdict_from_text(text);
    if (!parsed) return where + ".verdict '" + text + "' is not a verdict";
    CaseVerdict v{id->get<std::string>(), *parsed, text_at(c, "reason")};
    if (out.find(v.id) != nullptr) return "case '" + v.id + "' is listed twice";
    out.cases.push_back(std::move(v));
  }
  return std::nullopt;
}

// The file read and checked; the error message names it.
mikey::Result<RunFile, std::string> load_run(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return "cannot read " + path + ": is a directory";
  std::ifstream f(path, std::ios::binary);
  if (!f) return "cannot read " + path;
  const std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  if (f.bad()) return "cannot read " + path;
  std::size_t error_at = 0;
  const std::optional<Json> doc = inspect::parse_json(text, &error_at);
  if (!doc) return path + ": not JSON (byte " + std::to_string(error_at) + ")";
  if (!doc->is_object()) return path + ": not a results.json (not a JSON object)";
  if (const std::string schema = text_at(*doc, "schema"); schema != "mikeyconf.results/1") {
    return path + ": not a results.json (schema '" + schema + "', expected mikeyconf.results/1)";
  }
  RunFile run;
  run.file = path;
  if (auto problem = read_cases(*doc, run)) return path + ": " + *problem;
  run.header = header_of(path, *doc);
  const Json* summary = member(*doc, "summary");
  run.summary = summary != nullptr ? *summary : Json();
  return run;
}

// A verdict in A after which a bad one in B is a regression (a case absent from A counts too).
bool was_good(Verdict v) {
  return v == Verdict::pass || v == Verdict::xfail || v == Verdict::skipped;
}

// The comparison, in the order of A's cases then B's new ones.
struct Diff {
  Json new_failures = Json::array();
  Json fixes = Json::array();
  Json changed = Json::array();
  Json added = Json::array();
  Json removed = Json::array();
};

Diff compare(const RunFile& a, const RunFile& b) {
  Diff d;
  auto change = [](const std::string& id, std::string_view from, const CaseVerdict& to) {
    return Json{
        {"id", id}, {"a", from}, {"b", harness::to_string(to.verdict)}, {"reason", to.reason}};
  };
  auto listed = [](const CaseVerdict& c) {
    return Json{{"id", c.id}, {"verdict", harness::to_string(c.verdict)}};
  };
  for (const CaseVerdict& c : a.cases) {
    const CaseVerdict* now = b.find(c.id);
    const std::string_view from = harness::to_string(c.verdict);
    if (now == nullptr) {
      d.removed.push_back(listed(c));
    } else if (was_good(c.verdict) && harness::needs_attention(now->verdict)) {
      d.new_failures.push_back(change(c.id, from, *now));
    } else if (c.verdict == Verdict::fail && now->verdict == Verdict::pass) {
      d.fixes.push_back(change(c.id, from, *now));
    } else if (c.verdict != now->verdict) {
      d.changed.push_back(change(c.id, from, *now));
    }
  }
  for (const CaseVerdict& c : b.cases) {
    if (a.find(c.id) != nullptr) continue;
    d.added.push_back(listed(c));
    if (harness::needs_attention(c.verdict)) d.new_failures.push_back(change(c.id, "absent", c));
  }
  return d;
}

std::string header_line(const Json& h) {
  const Json& seed = h.at("seed");
  const Json& digest = h.at("suite_digest");
  return h.at("file").get<std::string>() + "\n    SUT " + h.at("sut").get<std::string>() + " (" +
         h.at("role").get<std::string>() + ") " + h.at("base_url").get<std::string>() + ", seed " +
         (seed.is_null() ? std::string("?") : seed.dump()) + ", started " +
         h.at("started_utc").get<std::string>() + ", suite digest " +
         (digest.is_null() ? std::string("(not recorded)") : digest.get<std::string>()) +
         ", mikeyconf " + h.at("tool_version").get<std::string>() + "\n";
}

std::string summary_line(const Json& s) {
  if (!s.is_object()) return "(no summary)";
  std::string out;
  for (const auto& [key, value] : s.items()) {
    out += (out.empty() ? "" : ", ") + value.dump() + " " + key;
  }
  return out;
}

void print_changes(std::ostream& os, std::string_view title, const Json& list) {
  if (list.empty()) return;
  os << "\n" << title << " (" << list.size() << "):\n";
  for (const Json& c : list) {
    os << "  " << c.at("id").get<std::string>() << "  " << c.at("a").get<std::string>() << " -> "
       << c.at("b").get<std::string>();
    const std::string reason = c.at("reason").get<std::string>();
    if (!reason.empty() && c.at("b") != "pass") os << "\n      " << reason;
    os << "\n";
  }
}

void print_ids(std::ostream& os, std::string_view title, const Json& list) {
  if (list.empty()) return;
  os << "\n" << title << " (" << list.size() << "):\n";
  for (const Json& c : list) {
    os << "  " << c.at("id").get<std::string>() << "  (" << c.at("verdict").get<std::string>()
       << ")\n";
  }
}

void print_text(std::ostream& os, const RunFile& a, const RunFile& b, const Diff& d) {
  os << "A: " << header_line(a.header) << "    " << summary_line(a.summary) << "\n";
  os << "B: " << header_line(b.header) << "    " << summary_line(b.summary) << "\n";
  print_changes(os, "new failures", d.new_failures);
  print_changes(os, "fixes", d.fixes);
  print_changes(os, "other verdict changes", d.changed);
  print_ids(os, "added in B", d.added);
  print_ids(os, "removed in B", d.removed);
  os << "\n"
     << (d.new_failures.empty() ? std::string("no regression")
                                : std::to_string(d.new_failures.size()) + " regression" +
                                      (d.new_failures.size() == 1 ? "" : "s"))
     << ", " << d.fixes.size() << (d.fixes.size() == 1 ? " fix" : " fixes") << "\n";
}

Json diff_json(const RunFile& a, const RunFile& b, const Diff& d, int exit_code) {
  Json ja = a.header;
  ja["summary"] = a.summary;
  Json jb = b.header;
  jb["summary"] = b.summary;
  return Json{{"schema", "mikeyconf.diff/1"},
              {"a", std::move(ja)},
              {"b", std::move(jb)},
              {"new_failures", d.new_failures},
              {"fixes", d.fixes},
              {"changed", d.changed},
              {"added", d.added},
              {"removed", d.removed},
              {"exit_code", exit_code}};
}

void define_diff(CLI::App& app) {
  flag_option(app, "--json");
  positional(app, "A");
  positional(app, "B");
}

int run_diff(const ParsedArgs& p, Io& io) {
  if (p.positional.size() != 2) {
    return command_usage_error(io, "diff", "two results.json files are required", kDiffUsage);
  }
  auto a = load_run(p.positional[0]);
  auto b = a.ok() ? load_run(p.positional[1]) : a;
  for (const auto* r : {&a, &b}) {
    if (!r->ok()) {
      io.err << "mikeyconf diff: " << r->error() << "\n";
      return kExitUsage;
    }
  }
  const Diff d = compare(a.value(), b.value());
  const int code = d.new_failures.empty() ? kExitOk : kExitFailed;
  if (p.flag("--json")) {
    io.out << inspect::dump_json(diff_json(a.value(), b.value(), d, code), 2) << "\n";
  } else {
    print_text(io.out, a.value(), b.value(), d);
  }
  io.out.flush();
  return code;
}

}  // namespace

int diff_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"diff", kDiffUsage, &define_diff, &run_diff}, args, io);
}

}  // namespace mikeyconf::tools
