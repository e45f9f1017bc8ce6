// `mikeyconf run`, `replay`, `list` and `explain`: the real binary run as a subprocess against
// the embedded reference KMS and against SUT profiles written by the tests (a closed loopback
// port, a KMS that lacks a key its profile claims), plus the option parser, progress lines and
// the sample profile in-process.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/profile.h"
#include "harness/results.h"
#include "inspect/json.h"
#include "tests/support/run_binary.h"
#include "tools/cli.h"
#include "tools/progress.h"
#include "tools/suite_cli.h"
#include "tools/tests/suite_test_support.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;
using inspect::Json;

const std::string kRepo = MIKEY_SOURCE_DIR;
const std::string kCases = kRepo + "/cases";

using test_support::Outcome;
using test_support::slurp;

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

fs::path scratch() { return test_support::scratch_dir("suite_cmd_test_"); }

Outcome mikeyconf(const std::string& args, const fs::path& dir) {
  return test_support::mikeyconf_in(args, dir);
}

using test_support::verdicts;

std::uint64_t case_seed_in(const fs::path& results_json, const std::string& id) {
  auto json = inspect::parse_json(slurp(results_json));
  if (!json || inspect::find_member(*json, "cases") == nullptr) return 0;
  for (const Json& c : json->at("cases")) {
    if (c.at("id").get<std::string>() == id) return c.at("seed").get<std::uint64_t>();
  }
  return 0;
}

// The reference profile with `from` replaced by `to` (which must occur in it).
std::string reference_profile_with(const std::string& from, const std::string& to) {
  std::string text = slurp(kCases + "/profiles/reference.yaml");
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "cases/profiles/reference.yaml no longer holds: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A loopback port nothing listens on: bound by us, read back, closed.
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The repro bundle folder (holding bundle.json) that names case `id`, or empty.
fs::path find_bundle(const fs::path& out_dir, const std::string& id) {
  for (const auto& e : fs::recursive_directory_iterator(out_dir)) {
    if (e.path().filename() != "bundle.json") continue;
    if (slurp(e.path()).find("\"" + id + "\"") != std::string::npos) return e.path().parent_path();
  }
  return {};
}

// Every case id under cases/, read from the files with a regex (not with the loader).
std::vector<std::string> case_ids_in_files() {
  std::vector<std::string> ids;
  const std::regex id_line(R"(^id:\s*([a-z0-9][a-z0-9._-]*)\s*$)");
  for (const auto& e : fs::recursive_directory_iterator(kCases)) {
    const std::string p = e.path().string();
    if (e.path().extension() != ".yaml" || p.find("/profiles/") != std::string::npos ||
        p.find("/baselines/") != std::string::npos) {
      continue;
    }
    std::istringstream lines(slurp(e.path()));
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_match(line, m, id_line)) ids.push_back(m[1]);
    }
  }
  return ids;
}

// ---- mikeyconf run ----

TEST(RunCommand, HttpCasesPassOnTheEmbeddedKmsAndEveryReportIsWritten) {
  const fs::path dir = scratch();
  const Outcome r = mikeyconf(
      "run --cases " + kCases + " --filter 'kms.http.*' --out " + (dir / "out").string(), dir);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  for (const char* f : {"results.json", "junit.xml", "report.html", "manifest.sha256"}) {
    EXPECT_TRUE(fs::is_regular_file(dir / "out" / f)) << f;
  }
  const auto v = verdicts(dir / "out" / "results.json");
  ASSERT_FALSE(v.empty());
  for (const auto& [id, verdict] : v) {
    EXPECT_EQ(id.rfind("kms.http.", 0), 0u) << id;
    EXPECT_EQ(verdict, "pass") << id;
  }
  // The summary names the counts, the baseline found next to the profile and the reports.
  EXPECT_NE(r.out.find(std::to_string(v.size()) + " cases in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::to_string(v.size()) + " pass, 0 fail"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("baseline: " + kCases + "/baselines/reference.yaml"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("reports in " + (dir / "out").string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit 0"), std::string::npos) << r.out;

  // Standard error is a file: one plain line per case, no bar redrawn with \r.
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  const std::regex line(R"(\[ ?\d+/\d+\] pass  kms\.http\.[a-z0-9._-]+  \(\d+ ms\))");
  std::istringstream lines(r.err);
  std::size_t progress_lines = 0;
  for (std::string l; std::getline(lines, l);) {
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    ++progress_lines;
  }
  EXPECT_EQ(progress_lines, v.size());
}

TEST(RunCommand, NoProgressSilencesTheProgressLines) {
  const fs::path dir = scratch();
  const Outcome r = mikeyconf(
      "run --cases " + kCases + " --case kms.sanity --no-progress --out " + (dir / "out").string(),
      dir);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(verdicts(dir / "out" / "results.json"),
            (std::map<std::string, std::string>{{"kms.sanity", "pass"}}));
}

TEST(RunCommand, TwoJobsGiveTheSameVerdictsAsOne) {
  const fs::path dir = scratch();
  const std::string common = "run --cases " + kCases + " --no-progress --seed 7 --out ";
  const Outcome one = mikeyconf(common + (dir / "one").string() + " --jobs 1", dir);
  const Outcome two = mikeyconf(common + (dir / "two").string() + " --jobs 2", dir);
  EXPECT_NE(one.code, 2) << one.err;
  EXPECT_EQ(one.code, two.code) << one.out << two.out;
  const auto v1 = verdicts(dir / "one" / "results.json");
  const auto v2 = verdicts(dir / "two" / "results.json");
  EXPECT_GE(v1.size(), case_ids_in_files().size() / 2);  // the whole kms suite ran
  EXPECT_EQ(v1, v2);
  EXPECT_NE(two.out.find("2 jobs"), std::string::npos) << two.out;
}

TEST(RunCommand, AProfileThatDoesNotLoadIsExitTwoWithFileLineColumn) {
  const fs::path dir = scratch();
  const fs::path profile = dir / "broken.yaml";
  write_file(profile, "name: broken\nrole: banana\n");
  const Outcome r = mikeyconf(
      "run --cases " + kCases + " --sut " + profile.string() + " --out " + (dir / "out").string(),
      dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(profile.string() + ":2:7: "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(RunCommand, UsageErrorsAreExitTwoWithTheUsage) {
  const fs::path dir = scratch();
  for (const std::string args : {"run --bogus", "run --jobs 0", "run --seed x", "run --out",
                                 "run stray", "run --seed 1 --seed 2"}) {
    const Outcome r = mikeyconf(args, dir);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_NE(r.err.find("usage: mikeyconf run"), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << args;
  }
  const Outcome unknown = mikeyconf("run --cases " + kCases + " --case kms.sanitty", dir);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("did you mean kms.sanity"), std::string::npos) << unknown.err;
  const Outcome nothing = mikeyconf("run --cases " + kCases + " --filter 'nothing.*'", dir);
  EXPECT_EQ(nothing.code, 2);
  EXPECT_NE(nothing.err.find("no case"), std::string::npos) << nothing.err;
}

TEST(RunCommand, AnUnreachableSutIsExitThree) {
  const fs::path dir = scratch();
  const fs::path profile = dir / "closed.yaml";
  write_file(profile,
             reference_profile_with("base_url: http://127.0.0.1:0",
                                    "base_url: http://127.0.0.1:" + std::to_string(closed_port())));
  const Outcome r =
      mikeyconf("run --cases " + kCases + " --sut " + profile.string() +
                    " --filter 'kms.http.*' --no-progress --out " + (dir / "out").string(),
                dir);
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  const auto v = verdicts(dir / "out" / "results.json");
  ASSERT_FALSE(v.empty());
  for (const auto& [id, verdict] : v) EXPECT_EQ(verdict, "error") << id;
  // The setup probe finds it first: one line naming the profile key, no list of cases.
  EXPECT_NE(r.out.find("SETUP ERROR: cannot reach the SUT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check base_url"), std::string::npos) << r.out;
}

// An honest failure: the profile declares ticket-type:2/0/0, but the embedded KMS it describes
// holds no type-2 ticket key (suite_test_support.h).
using test_support::kFailingCase;
using test_support::kTypeTwoKey;

TEST(RunCommand, AFailingCaseIsExitOneAndItsBundleReplaysTheSameVerdict) {
  const fs::path dir = scratch();
  const fs::path profile = dir / "no-type2-key.yaml";
  write_file(profile, reference_profile_with(kTypeTwoKey, ""));
  const Outcome r =
      mikeyconf("run --cases " + kCases + " --embedded --sut " + profile.string() +
                    " --filter 'kms.three-party.*' --seed 42 --out " + (dir / "out").string(),
                dir);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const auto v = verdicts(dir / "out" / "results.json");
  ASSERT_EQ(v.count(kFailingCase), 1u);
  EXPECT_EQ(v.at(kFailingCase), "fail");
  EXPECT_EQ(v.at("kms.three-party.basic"), "pass");  // the KMS is otherwise healthy
  // The summary lists the failure with its reason and the command that replays it.
  EXPECT_NE(r.out.find("fail         " + std::string(kFailingCase)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("replay: mikeyconf run --embedded --sut " + profile.string() + " --cases " +
                       kCases + " --seed 42 --case " + kFailingCase),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("] fail  " + std::string(kFailingCase)), std::string::npos) << r.err;

  const fs::path bundle = find_bundle(dir / "out", kFailingCase);
  ASSERT_FALSE(bundle.empty()) << "no repro bundle for " << kFailingCase;
  const Outcome replay =
      mikeyconf("replay " + bundle.string() + " --out " + (dir / "replay").string(), dir);
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_EQ(verdicts(dir / "replay" / "results.json"),
            (std::map<std::string, std::string>{{kFailingCase, "fail"}}));
  EXPECT_EQ(case_seed_in(dir / "replay" / "results.json", kFailingCase),
            case_seed_in(dir / "out" / "results.json", kFailingCase));

  // Against a fixed SUT (--sut overrides the bundle's profile) the same case passes.
  const Outcome fixed = mikeyconf("replay " + bundle.string() + " --embedded --sut " + kCases +
                                      "/profiles/reference.yaml --out " + (dir / "fixed").string(),
                                  dir);
  EXPECT_EQ(fixed.code, 0) << fixed.out << fixed.err;
  EXPECT_EQ(verdicts(dir / "fixed" / "results.json"),
            (std::map<std::string, std::string>{{kFailingCase, "pass"}}));
}

TEST(RunCommand, SignKeyIsCheckedBeforeTheRunAndSignsTheManifest) {
  const fs::path dir = scratch();
  const Outcome bad = mikeyconf("run --cases " + kCases + " --case kms.sanity --sign-key " +
                                    kCases + "/requirements.csv --out " + (dir / "bad").string(),
                                dir);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--sign-key: "), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir / "bad"));  // nothing ran

  // openssl (scripts/bootstrap installs it) makes the Ed25519 key.
  const fs::path key = dir / "key.pem";
  ASSERT_EQ(std::system(("openssl genpkey -algorithm ed25519 -out '" + key.string() + "'").c_str()),
            0);
  const Outcome good =
      mikeyconf("run --cases " + kCases + " --case kms.sanity --no-progress --sign-key " +
                    key.string() + " --out " + (dir / "out").string(),
                dir);
  ASSERT_EQ(good.code, 0) << good.out << good.err;
  EXPECT_TRUE(fs::is_regular_file(dir / "out" / "manifest.sha256.sig"));
  EXPECT_NE(good.out.find("manifest.sha256.sig"), std::string::npos) << good.out;
}

TEST(RunCommand, ReplayOfSomethingThatIsNoBundleIsExitTwo) {
  const fs::path dir = scratch();
  const Outcome r = mikeyconf("replay " + dir.string(), dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(mikeyconf("replay", dir).code, 2);
}

// ---- list and explain ----

TEST(ListCommand, PrintsEveryCaseId) {
  const fs::path dir = scratch();
  const Outcome r = mikeyconf("list --cases " + kCases, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> ids = case_ids_in_files();
  ASSERT_GT(ids.size(), 10u);
  const std::string listed = "\n" + r.out;
  for (const std::string& id : ids) {
    EXPECT_NE(listed.find("\n" + id + " "), std::string::npos) << id;
  }
  const Outcome http =
      mikeyconf("list --cases " + kCases + " --filter 'kms.http.*' --role kms", dir);
  ASSERT_EQ(http.code, 0) << http.err;
  EXPECT_EQ(http.out.find("kms.sanity"), std::string::npos);
  EXPECT_NE(http.out.find("kms.http.wrong-method"), std::string::npos) << http.out;
  EXPECT_EQ(mikeyconf("list --role banana", dir).code, 2);
}

TEST(ExplainCommand, PrintsTheRequirementTexts) {
  const fs::path dir = scratch();
  const Outcome r = mikeyconf("explain kms.sanity --cases " + kCases, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  // cases/requirements.csv: A.2-11,...,the 200 OK Content-Type is application/mikey
  EXPECT_NE(r.out.find("A.2-11 (SHALL, KMS; TS 33.328 Annex A"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the 200 OK Content-Type is application/mikey"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("send REQUEST_INIT_PSK"), std::string::npos) << r.out;

  const Outcome unknown = mikeyconf("explain kms.errors.replai --cases " + kCases, dir);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("did you mean kms.errors.replay"), std::string::npos) << unknown.err;
  EXPECT_EQ(mikeyconf("explain", dir).code, 2);
}

// ---- In-process pieces ----

// The options of a subcommand as its define function adds them to a CLI::App (tools/cli.h).
mikey::Result<ParsedArgs, std::string> parse(std::span<const std::string_view> args) {
  CLI::App app;
  value_option(app, "--out");
  value_option(app, "--filter", true);
  flag_option(app, "--strict");
  positional(app, "P");
  return parse_args(app, args);
}

TEST(SuiteCli, ParsesValuesFlagsAndRepeatedOptions) {
  const std::string_view args[] = {"--filter", "a.*", "--filter=b.*", "--strict", "--out=x", "p"};
  auto parsed = parse(args);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->all("--filter"), (std::vector<std::string>{"a.*", "b.*"}));
  EXPECT_TRUE(parsed->flag("--strict"));
  ASSERT_NE(parsed->value("--out"), nullptr);
  EXPECT_EQ(*parsed->value("--out"), "x");
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"p"}));

  const std::string_view twice[] = {"--out", "a", "--out", "b"};
  EXPECT_EQ(parse(twice).error(), "--out given twice");
  const std::string_view missing[] = {"--out", "--strict"};
  EXPECT_EQ(parse(missing).error(), "--out needs a value");
  const std::string_view flag_value[] = {"--strict=yes"};
  EXPECT_EQ(parse(flag_value).error(), "--strict takes no value");
  const std::string_view unknown[] = {"--nope"};
  EXPECT_EQ(parse(unknown).error(), "unknown option '--nope'");
  const std::string_view empty[] = {"--out="};
  EXPECT_EQ(parse(empty).error(), "--out needs a value");
  const std::string_view stray[] = {"p", "q"};
  EXPECT_EQ(parse(stray).error(), "unexpected argument 'q'");
}

TEST(SuiteCli, NumbersQuotingAndGlobs) {
  EXPECT_EQ(parse_number("18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
  EXPECT_FALSE(parse_number("18446744073709551616", 0, UINT64_MAX));
  EXPECT_FALSE(parse_number("-1", 0, 10));
  EXPECT_FALSE(parse_number("65", 1, 64));
  EXPECT_EQ(shell_quote("cases/profiles/x.yaml"), "cases/profiles/x.yaml");
  EXPECT_EQ(shell_quote("my dir/it's.yaml"), "'my dir/it'\\''s.yaml'");
  EXPECT_TRUE(glob_matches("kms.http.*", "kms.http.wrong-method"));
  EXPECT_FALSE(glob_matches("kms.http", "kms.http.wrong-method"));
}

TEST(Progress, PlainLinesAndTheBar) {
  harness::CaseResult r;
  r.id = "kms.errors.replay";
  r.verdict = harness::Verdict::pass;
  r.duration_ms = 35.2;
  EXPECT_EQ(progress_line(12, 80, r), "[12/80] pass  kms.errors.replay  (35 ms)");
  EXPECT_EQ(progress_line(3, 80, r), "[ 3/80] pass  kms.errors.replay  (35 ms)");
  r.verdict = harness::Verdict::fail;
  r.reason = "http.status: expected 200, got 400";
  EXPECT_EQ(progress_line(3, 80, r),
            "[ 3/80] fail  kms.errors.replay  (35 ms)  http.status: expected 200, got 400");

  std::ostringstream bar;
  Progress p(bar, ProgressStyle::bar, 2);
  p.on_case(r);
  r.verdict = harness::Verdict::pass;
  r.id = "kms.sanity";
  p.on_case(r);
  p.finish();
  const std::string drawn = bar.str();
  // The failure stays as a line; the bar is redrawn in place and cleared at the end.
  EXPECT_NE(drawn.find("[1/2] fail  kms.errors.replay"), std::string::npos) << drawn;
  EXPECT_NE(drawn.find("\r\x1b[K[########################] 2/2  pass 1  fail 1  error 0  "
                       "kms.sanity"),
            std::string::npos)
      << drawn;
  EXPECT_EQ(drawn.substr(drawn.size() - 4), "\r\x1b[K");
}

TEST(Progress, ReportsLineNamesTopFilesAndCountsFolders) {
  EXPECT_EQ(reports_text("out", {"results.json", "junit.xml", "bundles/a/bundle.json",
                                 "bundles/a/cases/kms/a.yaml", "bundles/b/bundle.json"}),
            "reports in out/: results.json, junit.xml, bundles/ (2 folders, 3 files)");
}

// README "Certify your own KMS": the profile `mikeyconf profile` writes for configs/kms.yaml is
// the shipped cases/profiles/configs-kms.yaml in substance, GBA user included.
TEST(ProfileCommand, WritesTheProfileOfAKmsConfiguration) {
  const fs::path dir = scratch();
  const Outcome r = mikeyconf("profile --from-kms-config " + kRepo +
                                  "/configs/kms.yaml --url http://127.0.0.1:8080 --out " +
                                  (dir / "my.yaml").string(),
                              dir);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto written = harness::load_profile(dir / "my.yaml");
  ASSERT_TRUE(written.ok()) << written.error().to_string();
  auto shipped = harness::load_profile(kCases + "/profiles/configs-kms.yaml");
  ASSERT_TRUE(shipped.ok()) << shipped.error().to_string();
  EXPECT_EQ(written->base_url, shipped->base_url);
  EXPECT_EQ(written->kms_identity, shipped->kms_identity);
  EXPECT_EQ(written->capabilities, shipped->capabilities);
  EXPECT_EQ(written->initiator, shipped->initiator);
  EXPECT_EQ(written->responder, shipped->responder);
  ASSERT_EQ(written->users.size(), shipped->users.size());
  for (std::size_t i = 0; i < written->users.size(); ++i) {
    EXPECT_EQ(written->users[i].name, shipped->users[i].name);
    EXPECT_EQ(written->users[i].identity, shipped->users[i].identity);
    EXPECT_EQ(written->users[i].psk, shipped->users[i].psk);
    EXPECT_EQ(written->users[i].psk_id, shipped->users[i].psk_id);
  }
  EXPECT_EQ(mikeyconf("profile --url http://h", dir).code, 2);
  const Outcome bad = mikeyconf("profile --from-kms-config nowhere.yaml --url http://h", dir);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("nowhere.yaml: cannot read: no such file"), std::string::npos) << bad.err;
}

TEST(SampleProfile, TheOwnKmsSampleLoads) {
  auto p = harness::load_profile(kCases + "/profiles/sample-own-kms.yaml");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->role, harness::SutRole::kms);
  EXPECT_EQ(p->scheme, "https");
  EXPECT_EQ(p->host, "kms.example.net");
  EXPECT_EQ(p->port, 443);
  EXPECT_FALSE(p->embedded.present);
  EXPECT_NE(p->user(p->initiator), nullptr);
  EXPECT_NE(p->user(p->responder), nullptr);
  EXPECT_TRUE(p->has_capability("psk"));
}

}  // namespace
}  // namespace mikeyconf::tools
