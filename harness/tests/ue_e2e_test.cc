// The UE roles end to end: both UE suites (cases/initiator, cases/responder) against the sample
// hook (`mikeyconf ue`, the reference UE, run as a separate process per case), the same hook over
// HTTP, faulty variants of it (the named cases must fail, the run must carry on), hooks that
// crash, hang or write garbage, and the profile and scenario schema of the UE roles.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "harness/engine.h"
#include "harness/loader.h"
#include "harness/tests/test_support.h"
#include "harness/ue_hook.h"
#include "harness/ue_runner.h"
#include "harness/ue_setup.h"
#include "transport/request_parser.h"

#ifndef MIKEYCONF_BINARY
#error "MIKEYCONF_BINARY must name the built mikeyconf executable"
#endif

namespace mikeyconf::harness {
namespace {

using Clock = std::chrono::steady_clock;

SutProfile ue_profile(std::string_view role) {
  auto p = load_profile(testing::cases_dir() / "profiles" /
                        ("reference-" + std::string(role) + ".yaml"));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? std::move(p).value() : SutProfile{};
}

// The sample hook with extra arguments (a --fault).
SutProfile with_hook_args(SutProfile p, std::vector<std::string> extra,
                          std::uint32_t timeout_ms = 10'000) {
  UeHookSpec h;
  h.exec = {"{mikeyconf}", "ue", "--profile", "{profile}"};
  h.exec.insert(h.exec.end(), extra.begin(), extra.end());
  h.timeout_ms = timeout_ms;
  p.hook = h;
  return p;
}

RunResult run_ue_suite(const SutProfile& profile, RunOptions options = {}) {
  UeSetupOptions so;
  so.mikeyconf = MIKEYCONF_BINARY;
  auto setup = prepare_ue_with(profile, so);
  EXPECT_TRUE(setup.ok()) << (setup.ok() ? "" : setup.error().message);
  if (!setup.ok()) return {};
  options.strict = true;
  return run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, options);
}

std::map<std::string, const CaseResult*> by_id(const RunResult& run) {
  std::map<std::string, const CaseResult*> m;
  for (const CaseResult& c : run.cases) m[c.id] = &c;
  return m;
}

std::string not_passing(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (c.verdict != Verdict::pass) {
      out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
    }
  }
  return out;
}

std::size_t cases_of(SutRole role) {
  std::size_t n = 0;
  for (const Scenario& s : testing::suite()) n += s.sut_role == role ? 1 : 0;
  return n;
}

void expect_all_pass(const RunResult& run, SutRole role) {
  const Summary s = run.summary();
  std::printf("[ ue suite ] %s: %zu cases, %zu pass, %zu fail, %zu error in %.2f s\n",
              std::string(to_string(role)).c_str(), s.total, s.pass, s.fail, s.error,
              run.duration_ms / 1000);
  EXPECT_EQ(s.total, cases_of(role));
  EXPECT_GE(s.total, 15u);
  EXPECT_EQ(s.pass, s.total) << not_passing(run);
  EXPECT_EQ(run.exit_code(), 0);
  for (const CaseResult& c : run.cases) {
    bool hook = false;
    for (const TranscriptEntry& e : c.transcript) hook = hook || e.kind == "hook";
    EXPECT_TRUE(hook) << c.id << ": no exchange with the UE in the transcript";
  }
}

// A case whose reason names why it failed.
void expect_fails(const RunResult& run, const std::string& id, std::string_view why = {}) {
  const auto cases = by_id(run);
  ASSERT_EQ(cases.count(id), 1u) << id;
  const CaseResult& c = *cases.at(id);
  EXPECT_EQ(c.verdict, Verdict::fail) << id << ": " << c.reason;
  if (!why.empty()) EXPECT_NE(c.reason.find(why), std::string::npos) << id << ": " << c.reason;
}

// ---- the sample hook passes everything ----

TEST(UeSuiteTest, TheSampleInitiatorPassesEveryInitiatorCase) {
  expect_all_pass(run_ue_suite(ue_profile("initiator")), SutRole::initiator);
}

TEST(UeSuiteTest, TheSampleResponderPassesEveryResponderCaseWithTwoJobs) {
  RunOptions o;
  o.jobs = 2;  // a KMS port and a hook process per case: cases run side by side
  expect_all_pass(run_ue_suite(ue_profile("responder"), o), SutRole::responder);
}

TEST(UeSuiteTest, TheTranscriptShowsTheTappedRequestAndTheUesMessages) {
  RunOptions o;
  o.only = {"initiator.sanity"};
  const RunResult run = run_ue_suite(ue_profile("initiator"), o);
  ASSERT_EQ(run.cases.size(), 1u);
  const CaseResult& c = run.cases[0];
  ASSERT_EQ(c.verdict, Verdict::pass) << c.reason;
  std::vector<std::string> labels;
  for (const TranscriptEntry& e : c.transcript) labels.push_back(e.kind + ": " + e.label);
  auto has = [&](std::string_view text) {
    for (const std::string& l : labels)
      if (l.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("http: REQUEST_INIT_PSK from initiator (alice, the UE)"));
  EXPECT_TRUE(has("local: TRANSFER_INIT alice -> bob"));
  EXPECT_TRUE(has("local: RESOLVE_INIT_PSK bob -> harness KMS"));
  EXPECT_TRUE(has("hook: TRANSFER_RESP bob -> alice"));
  EXPECT_TRUE(has("local: UE hook ended"));
  for (const TranscriptEntry& e : c.transcript) {
    if (e.kind == "http") {
      EXPECT_EQ(e.status, 200);
      EXPECT_EQ(e.request.rfind("POST ", 0), 0u) << e.request;
      ASSERT_TRUE(e.response_mikey.has_value());
      EXPECT_EQ((*e.response_mikey)[1], 13);  // REQUEST_RESP
    }
  }
}

// ---- faulty UEs: the named cases fail, the others pass, the run carries on ----

TEST(FaultyUeTest, AUeThatSkipsTheKmsMacCheckIsCaught) {
  const RunResult ini =
      run_ue_suite(with_hook_args(ue_profile("initiator"), {"--fault", "accept-bad-kms-mac"}));
  expect_fails(ini, "initiator.kms-answer.bad-mac", "ue.outcome");
  const RunResult resp =
      run_ue_suite(with_hook_args(ue_profile("responder"), {"--fault", "accept-bad-kms-mac"}));
  expect_fails(resp, "responder.kms-answer.bad-mac", "ue.outcome");
  for (const RunResult* run : {&ini, &resp}) {
    EXPECT_EQ(run->exit_code(), 1);
    // Only the bad-MAC case of each role: the fault changes nothing else.
    EXPECT_EQ(run->summary().fail, 1u) << not_passing(*run);
    EXPECT_EQ(run->summary().error, 0u) << not_passing(*run);
  }
}

TEST(FaultyUeTest, WrongKeysFailEveryKeyComparison) {
  RunOptions o;
  o.stop_on_sanity_failure = false;  // the sanity case compares keys too
  o.only = {"initiator.sanity", "initiator.mode3.initiate", "initiator.request.content"};
  const RunResult run =
      run_ue_suite(with_hook_args(ue_profile("initiator"), {"--fault", "wrong-keys"}), o);
  expect_fails(run, "initiator.sanity", "keys_equal");
  expect_fails(run, "initiator.mode3.initiate", "keys_equal");
  EXPECT_EQ(by_id(run).at("initiator.request.content")->verdict, Verdict::pass);
  o.only = {"responder.sanity", "responder.transfer.forking", "responder.resolve.content"};
  const RunResult resp =
      run_ue_suite(with_hook_args(ue_profile("responder"), {"--fault", "wrong-keys"}), o);
  expect_fails(resp, "responder.sanity", "keys_equal");
  expect_fails(resp, "responder.transfer.forking", "keys_equal");
  EXPECT_EQ(by_id(resp).at("responder.resolve.content")->verdict, Verdict::pass);
}

TEST(FaultyUeTest, RandsRepeatedAcrossCasesAreCaught) {
  // Each hook process starts its generator from the same seed: within one case the values
  // differ, but the fresh-RAND case repeats what the sanity case sent before it.
  RunOptions o;
  o.only = {"initiator.sanity", "initiator.request.fresh"};
  const RunResult run =
      run_ue_suite(with_hook_args(ue_profile("initiator"), {"--fault", "repeat-rands"}), o);
  expect_fails(run, "initiator.request.fresh", "already sent in an earlier REQUEST_INIT_PSK");
  EXPECT_EQ(by_id(run).at("initiator.sanity")->verdict, Verdict::pass);
  o.only = {"responder.sanity", "responder.resolve.fresh"};
  const RunResult resp =
      run_ue_suite(with_hook_args(ue_profile("responder"), {"--fault", "repeat-rands"}), o);
  expect_fails(resp, "responder.resolve.fresh", "RANDRr");
}

TEST(FaultyUeTest, AHookThatCrashesFailsThatCaseAndTheRunCarriesOn) {
  RunOptions o;
  o.only = {"initiator.sanity", "initiator.kms-answer.http-500", "initiator.request.content"};
  const RunResult run =
      run_ue_suite(with_hook_args(ue_profile("initiator"), {"--fault", "crash-on-kms-error"}), o);
  expect_fails(run, "initiator.kms-answer.http-500", "signal 6");
  EXPECT_EQ(by_id(run).at("initiator.request.content")->verdict, Verdict::pass);
  ASSERT_GE(run.health.size(), 3u);  // start, after the failing case, end
  for (const HealthCheck& h : run.health) EXPECT_TRUE(h.ok) << h.when << ": " << h.result.reason;
}

TEST(FaultyUeTest, AHookThatWritesGarbageFailsThatCase) {
  RunOptions o;
  o.only = {"responder.sanity", "responder.kms-answer.http-500"};
  const RunResult run =
      run_ue_suite(with_hook_args(ue_profile("responder"), {"--fault", "garbage-on-kms-error"}), o);
  expect_fails(run, "responder.kms-answer.http-500", "not a JSON object");
  EXPECT_EQ(by_id(run).at("responder.sanity")->verdict, Verdict::pass);
}

TEST(FaultyUeTest, AHookThatHangsEndsAtItsTimeLimitAndTheRunCarriesOn) {
  RunOptions o;
  o.only = {"initiator.sanity", "initiator.kms-answer.wrong-content-type",
            "initiator.request.http"};
  const auto start = Clock::now();
  const RunResult run = run_ue_suite(
      with_hook_args(ue_profile("initiator"), {"--fault", "hang-on-kms-error"}, 1500), o);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  expect_fails(run, "initiator.kms-answer.wrong-content-type", "no reply from the hook");
  const CaseResult& hung = *by_id(run).at("initiator.kms-answer.wrong-content-type");
  EXPECT_GE(hung.duration_ms, 1400);
  EXPECT_LT(hung.duration_ms, 5000);
  EXPECT_EQ(by_id(run).at("initiator.request.http")->verdict, Verdict::pass);
  EXPECT_LT(seconds, 20);
  // The case limit shorter than the hook's: the case is an error, not blamed on the UE.
  auto s = parse_scenario_text(
      "id: initiator.hang\ntitle: t\nrequirements: [A.2-14]\nlevel: SHALL\nsut_role: initiator\n"
      "timeout_ms: 700\nsteps:\n  - kms_answer: {status: 500}\n  - ue: initiate\n"
      "  - expect: {ue.outcome: refused}\n",
      "hang.yaml", &testing::requirements());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const SutProfile p =
      with_hook_args(ue_profile("initiator"), {"--fault", "hang-on-kms-error"}, 10'000);
  UeSetupOptions so;
  so.mikeyconf = MIKEYCONF_BINARY;
  auto setup = prepare_ue_with(p, so);
  ASSERT_TRUE(setup.ok());
  auto driver = setup->make_driver();
  const CaseResult r = run_case(s.value(), setup->target, *driver, 1);
  EXPECT_EQ(r.verdict, Verdict::error) << r.reason;
  EXPECT_NE(r.reason.find("time limit of 700 ms"), std::string::npos) << r.reason;
  EXPECT_LT(r.duration_ms, 3000);
}

// ---- hook sessions: nothing a hook does crashes the harness ----

UeHookSpec shell_hook(const std::string& script) {
  UeHookSpec h;
  h.exec = {"/bin/sh", "-c", script};
  return h;
}

std::unique_ptr<HookSession> open(const UeHookSpec& spec) {
  auto s = open_hook_session(spec, HookVars{});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(HookSessionTest, RepliesErrorsAndStderrAreRead) {
  auto s = open(shell_hook(
      "while read line; do echo \"got it\" >&2; "
      "echo "
      "'{\"error\":\"no\",\"keys\":[{\"cs_id\":1,\"master_key\":\"00ff\",\"master_salt\":\"\"}]}';"
      " done"));
  ASSERT_TRUE(s);
  const HookReply r = s->call("{\"op\":\"initiate\"}", std::chrono::milliseconds(5000));
  ASSERT_TRUE(r.answered) << r.problem;
  EXPECT_EQ(r.error.value_or(""), "no");
  ASSERT_TRUE(r.keys.has_value());
  ASSERT_EQ(r.keys->size(), 1u);
  EXPECT_EQ(r.keys->at(0).master_key, (mikey::Bytes{0x00, 0xff}));
  const HookReply again = s->call("{}", std::chrono::milliseconds(5000));
  EXPECT_TRUE(again.answered);
  const std::string ended = s->close();
  EXPECT_NE(s->take_log().find("got it"), std::string::npos);
  EXPECT_FALSE(ended.empty());
}

TEST(HookSessionTest, GarbageExitAndSilenceAreProblemsNotCrashes) {
  auto garbage = open(shell_hook("read line; echo 'hello world'"));
  ASSERT_TRUE(garbage);
  const HookReply g = garbage->call("{}", std::chrono::milliseconds(5000));
  EXPECT_FALSE(g.answered);
  EXPECT_NE(g.problem.find("not a JSON object"), std::string::npos) << g.problem;

  // A hook that writes without end (and never a newline) is cut off, within the time limit.
  auto endless = open(shell_hook("read line; while :; do printf 'xxxxxxxxxxxxxxxx'; done"));
  ASSERT_TRUE(endless);
  const auto t0 = Clock::now();
  const HookReply flood = endless->call("{}", std::chrono::milliseconds(3000));
  EXPECT_FALSE(flood.answered);
  EXPECT_FALSE(flood.problem.empty());
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  endless->close();

  auto exits = open(shell_hook("exit 3"));
  ASSERT_TRUE(exits);
  // The request may meet a closed pipe (EPIPE, never SIGPIPE) or an early end of stdout.
  const HookReply e = exits->call(std::string(200'000, 'x'), std::chrono::milliseconds(5000));
  EXPECT_FALSE(e.answered);
  EXPECT_FALSE(e.problem.empty());
  const HookReply e2 = exits->call("{}", std::chrono::milliseconds(5000));
  EXPECT_NE(e2.problem.find("status 3"), std::string::npos) << e2.problem;

  auto silent = open(shell_hook("sleep 30"));
  ASSERT_TRUE(silent);
  const auto start = Clock::now();
  const HookReply t = silent->call("{}", std::chrono::milliseconds(300));
  EXPECT_TRUE(t.timed_out);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  // A late reply could no longer be told apart from the next one's: the session is out of step.
  const HookReply late = silent->call("{}", std::chrono::milliseconds(300));
  EXPECT_FALSE(late.timed_out);
  EXPECT_NE(late.problem.find("earlier request"), std::string::npos) << late.problem;
  const auto closing = Clock::now();
  EXPECT_EQ(silent->close(), "killed at the end of the case");
  EXPECT_LT(Clock::now() - closing, std::chrono::seconds(3));  // killed, not waited for
}

TEST(HookSessionTest, RepliesAreParsedStrictly) {
  EXPECT_TRUE(parse_hook_reply(R"({"mikey_b64":"AQID"})").answered);
  EXPECT_EQ(parse_hook_reply(R"({"mikey_b64":"AQID"})").mikey, (mikey::Bytes{1, 2, 3}));
  for (const char* bad : {"", "[1,2]", "{}", R"({"mikey_b64":"**"})", R"({"keys":"x"})",
                          R"({"keys":[{"cs_id":1,"master_key":"zz"}]})", "{\"a\":", "\x01\xff"}) {
    const HookReply r = parse_hook_reply(bad);
    EXPECT_FALSE(r.answered) << bad;
    EXPECT_FALSE(r.problem.empty()) << bad;
  }
  const HookReply deep = parse_hook_reply(std::string(100'000, '[') + std::string(100'000, ']'));
  EXPECT_FALSE(deep.answered);
  EXPECT_NE(deep.problem.find("nests deeper"), std::string::npos) << deep.problem;
  EXPECT_TRUE(parse_hook_reply(R"({"error":"[[[[[[[[[[[[[[[[[[[[[[[["})").answered);
  EXPECT_EQ(json_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
}

TEST(HookSessionTest, AMissingProgramIsASetupError) {
  auto s = open_hook_session(shell_hook("true"), HookVars{});
  EXPECT_TRUE(s.ok());
  UeHookSpec missing;
  missing.exec = {"/nonexistent/ue-hook"};
  EXPECT_FALSE(open_hook_session(missing, HookVars{}).ok());
  SutProfile p = ue_profile("initiator");
  p.hook = missing;
  auto setup = prepare_ue_with(p, UeSetupOptions{MIKEYCONF_BINARY, false});
  ASSERT_FALSE(setup.ok());
  EXPECT_EQ(setup.error().exit_code, 3);
  EXPECT_NE(setup.error().message.find("/nonexistent/ue-hook"), std::string::npos);
}

// ---- the http hook: the same sample UE behind an HTTP endpoint ----

// POST bodies are relayed to one `mikeyconf ue` process; its reply line is the 200 body.
class HttpHookRelay {
 public:
  explicit HttpHookRelay(const SutProfile& profile) {
    UeHookSpec h;
    h.exec = {MIKEYCONF_BINARY, "ue", "--profile", profile.file};
    ue_ = open(h);
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), len) == 0 && ::listen(listen_, 8) == 0 &&
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
      thread_ = std::thread([this] { serve(); });
    }
  }
  ~HttpHookRelay() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(listen_);
  }
  std::uint16_t port() const { return port_; }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_, nullptr, nullptr);
      if (fd < 0) continue;
      answer(fd);
      ::close(fd);
    }
  }

  void answer(int fd) {
    mikey::transport::RequestParser parser(mikey::transport::AnnexAProfile{});
    char buf[8192];
    auto st = mikey::transport::RequestParser::State::need_more;
    while (st == mikey::transport::RequestParser::State::need_more) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      st = parser.feed(
          mikey::ByteView(reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(n)));
    }
    if (st != mikey::transport::RequestParser::State::done) return;
    ++requests_;
    const HookReply r =
        ue_->call(std::string(parser.view().body), std::chrono::milliseconds(10'000));
    const std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(r.line.size()) + "\r\nConnection: close\r\n\r\n" + r.line;
    [[maybe_unused]] const ssize_t sent = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  }

  std::unique_ptr<HookSession> ue_;
  int listen_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
};

TEST(HttpHookTest, TheSampleUeBehindAnHttpHookPasses) {
  SutProfile p = ue_profile("initiator");
  HttpHookRelay relay(p);
  ASSERT_NE(relay.port(), 0);
  UeHookSpec h;
  h.url = "http://127.0.0.1:" + std::to_string(relay.port()) + "/ue";
  p.hook = h;
  RunOptions o;
  o.only = {"initiator.sanity", "initiator.kms-answer.bad-mac", "initiator.transfer.content"};
  const RunResult run = run_ue_suite(p, o);
  EXPECT_EQ(run.summary().pass, 3u) << not_passing(run);
  EXPECT_GE(relay.requests(), 4);  // initiate + transfer_resp per sanity run, and the others
}

TEST(HttpHookTest, AnHttpHookThatIsDownFailsTheCase) {
  SutProfile p = ue_profile("responder");
  UeHookSpec h;
  h.url = "http://127.0.0.1:1/ue";  // tcpmux: nothing listens
  p.hook = h;
  auto s = find_sanity(testing::suite(), SutRole::responder);
  ASSERT_NE(s, nullptr);
  auto setup = prepare_ue_with(p, UeSetupOptions{MIKEYCONF_BINARY, false});
  ASSERT_TRUE(setup.ok());
  auto driver = setup->make_driver();
  const CaseResult r = run_case(*s, setup->target, *driver, 1);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.reason.find("the http hook did not answer"), std::string::npos) << r.reason;
}

// ---- schema ----

TEST(UeSchemaTest, ProfilesNeedAHookAndValidateIt) {
  const std::string head =
      "name: x\nrole: initiator\nbase_url: http://127.0.0.1:0\n"
      "kms_config: {kms: {identity: sip:kms}, users: [{identity: sip:a, psk: "
      "00112233445566778899aabbccddeeff}]}\n"
      "users: {a: sip:a}\n"
      "parties: {initiator: a, responder: a}\n";
  auto none = parse_profile_text(head, "p.yaml");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().to_string().rfind("p.yaml:2:7: role initiator needs hook:", 0), 0u)
      << none.error().to_string();
  auto both = parse_profile_text(head + "hook: {exec: [x], http: http://h/}\n", "p.yaml");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().to_string().find("p.yaml:7:7: hook needs exactly one of exec, http"),
            std::string::npos)
      << both.error().to_string();
  auto bad_url = parse_profile_text(head + "hook: {http: ftp://h/}\n", "p.yaml");
  ASSERT_FALSE(bad_url.ok());
  EXPECT_NE(bad_url.error().to_string().find("http:// URL"), std::string::npos);
  auto ok =
      parse_profile_text(head + "hook: {exec: [\"{mikeyconf}\", ue], timeout_ms: 500}\n", "p.yaml");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  ASSERT_TRUE(ok->hook.has_value());
  EXPECT_EQ(ok->hook->timeout_ms, 500u);
  const std::string kms =
      "name: x\nrole: kms\nbase_url: http://127.0.0.1:0\n"
      "kms_config: {kms: {identity: sip:kms}, users: [{identity: sip:a, psk: "
      "00112233445566778899aabbccddeeff}]}\nusers: {a: sip:a}\nparties: {initiator: a, "
      "responder: a}\nhook: {exec: [x]}\n";
  EXPECT_FALSE(parse_profile_text(kms, "k.yaml").ok());
  const HookVars vars{"/bin/mikeyconf", "/p/prof.yaml", "/p"};
  EXPECT_EQ(substitute_hook_argv({"{mikeyconf}", "--profile={profile}", "{profile_dir}/x"}, vars),
            (std::vector<std::string>{"/bin/mikeyconf", "--profile=/p/prof.yaml", "/p/x"}));
}

TEST(UeSchemaTest, ScenariosOfTheUeRolesAreChecked) {
  auto load = [](const std::string& role, const std::string& steps) {
    return parse_scenario_text(
        "id: u.x\ntitle: t\nrequirements: [A.2-14]\nlevel: SHALL\n"
        "sut_role: " +
            role + "\nsteps:\n" + steps,
        "u.yaml", &testing::requirements());
  };
  auto error = [&](const std::string& role, const std::string& steps) {
    auto s = load(role, steps);
    return s.ok() ? std::string("(loaded)") : s.error().to_string();
  };
  EXPECT_TRUE(load("initiator", "  - ue: initiate\n  - expect: {ue.outcome: accepted}\n").ok());
  EXPECT_NE(error("initiator", "  - send: REQUEST_INIT_PSK\n  - expect: {http.status: 200}\n")
                .find("u.yaml:7:5: send: is for the KMS roles"),
            std::string::npos);
  EXPECT_NE(error("kms", "  - ue: initiate\n  - expect: {ue.outcome: accepted}\n")
                .find("u.yaml:7:5: a step has exactly one of send, expect, wait_ms"),
            std::string::npos);
  EXPECT_NE(error("initiator", "  - ue: transfer_init\n  - expect: {verify: ok}\n")
                .find("u.yaml:7:9: ue: transfer_init is for sut_role responder"),
            std::string::npos);
  EXPECT_NE(error("initiator", "  - ue: initiate\n  - expect: {http.status: 200}\n")
                .find("u.yaml:8:14: 'http.status' does not apply to a UE under test"),
            std::string::npos);
  EXPECT_NE(error("initiator", "  - ue: initiate\n  - expect: {ue.nope: 1}\n")
                .find("unknown check 'ue.nope'"),
            std::string::npos);
  EXPECT_NE(error("responder",
                  "  - kms_answer: {status: 500, error_no: 0}\n  - ue: transfer_init"
                  "\n  - expect: {ue.outcome: refused}\n")
                .find("status answers with a text/plain body"),
            std::string::npos);
  EXPECT_NE(error("initiator", "  - ue: initiate\n  - expect: {keys_equal: true}\n")
                .find("keys_equal needs"),
            std::string::npos);
  EXPECT_NE(error("initiator", "  - ue: initiate\n    mode: 2\n  - expect: {verify: ok}\n")
                .find("mode must be 1"),
            std::string::npos);
}

}  // namespace
}  // namespace mikeyconf::harness
