// `mikeyconf run` as a CI job sees it: SIGTERM/SIGINT stop the run with every report written for
// the cases that finished (exit 3), a second signal ends it at once, an --out folder that cannot
// hold the reports stops it before the first case, --color and NO_COLOR; in-process, the colour
// rule and the progress bar's counts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/results.h"
#include "inspect/json.h"
#include "tests/support/run_binary.h"
#include "tools/cli.h"
#include "tools/progress.h"
#include "tools/tests/suite_test_support.h"

extern char** environ;

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;
using test_support::slurp;
using Clock = std::chrono::steady_clock;

const std::string kCases = std::string(MIKEY_SOURCE_DIR) + "/cases";

fs::path scratch() { return test_support::scratch_dir("run_ci_test_"); }

// `mikeyconf ARGS...` started directly (no shell, so the pid is the binary's), standard output
// and error into DIR/std.out and DIR/std.err.
pid_t start(const std::vector<std::string>& args, const fs::path& dir) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, (dir / "std.out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, (dir / "std.err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all{MIKEYCONF_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, MIKEYCONF_BINARY, &files, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&files);
  return pid;
}

// The exit status, or nullopt (the process killed) when it has not ended within `limit`.
std::optional<int> wait_for(pid_t pid, std::chrono::seconds limit) {
  const auto end = Clock::now() + limit;
  int status = 0;
  while (Clock::now() < end) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

// Kills and reaps the process when a test leaves before waiting for it (a failed assertion).
struct Reaper {
  pid_t pid;
  ~Reaper() {
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
  }
};

// Progress lines ("[  3/150] pass ...") written so far.
std::size_t progress_lines(const fs::path& dir) {
  std::istringstream lines(slurp(dir / "std.err"));
  std::size_t n = 0;
  for (std::string l; std::getline(lines, l);) n += l.rfind("[", 0) == 0 ? 1 : 0;
  return n;
}

// Waits (at most 30 s) until the run has printed `n` progress lines.
void wait_for_progress(const fs::path& dir, std::size_t n) {
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  while (progress_lines(dir) < n && Clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(progress_lines(dir), n) << slurp(dir / "std.err");
}

// The full kms suite against the embedded KMS with `jobs` workers, signalled with `sig` once 3
// cases finished.
void interrupt_run(int sig, const char* name, const std::string& jobs) {
  const fs::path dir = scratch();
  const pid_t pid = start(
      {"run", "--cases", kCases, "--embedded", "--jobs", jobs, "--out", (dir / "out").string()},
      dir);
  ASSERT_GT(pid, 0);
  const Reaper reaper{pid};
  ASSERT_NO_FATAL_FAILURE(wait_for_progress(dir, 3));
  const auto signalled = Clock::now();
  ASSERT_EQ(::kill(pid, sig), 0);
  const std::optional<int> code = wait_for(pid, std::chrono::seconds(40));
  ASSERT_TRUE(code.has_value()) << name << " did not stop the run within 40 s";
  const std::string out = slurp(dir / "std.out");
  EXPECT_EQ(*code, 3) << out << slurp(dir / "std.err");
  // The cases in flight get 5 s, then the reports are written.
  EXPECT_LT(Clock::now() - signalled, std::chrono::seconds(12));

  // "mikeyconf run: 150 cases against ..." then "interrupted by SIGTERM after 7 of 150 cases".
  const std::size_t total = std::stoul(out.substr(out.find(": ") + 2));
  const std::string note = std::string("interrupted by ") + name + " after ";
  ASSERT_NE(out.find(note), std::string::npos) << out;
  EXPECT_NE(out.find(" of " + std::to_string(total) + " cases"), std::string::npos) << out;

  auto json = inspect::parse_json(slurp(dir / "out" / "results.json"));
  ASSERT_TRUE(json) << "results.json does not parse";
  EXPECT_EQ(json->at("interrupted"), true);
  EXPECT_EQ(json->at("run").at("exit_code"), 3);
  const std::size_t done = json->at("cases").size();
  EXPECT_GE(done, 3u);
  EXPECT_LT(done, total);
  EXPECT_NE(out.find(note + std::to_string(done) + " of "), std::string::npos) << out;

  // junit.xml parses (python3's xml.etree) and says it is interrupted.
  const std::string check =
      "python3 -c 'import sys, xml.etree.ElementTree as E; s = "
      "E.parse(sys.argv[1]).getroot().find(\"testsuite\"); "
      "p = {x.get(\"name\"): x.get(\"value\") for x in s.find(\"properties\")}; "
      "print(p[\"interrupted\"], len(s.findall(\"testcase\")))' '" +
      (dir / "out" / "junit.xml").string() + "' >'" + (dir / "junit.txt").string() + "'";
  ASSERT_EQ(std::system(check.c_str()), 0);
  EXPECT_EQ(slurp(dir / "junit.txt"), "true " + std::to_string(done) + "\n");
  for (const char* f : {"report.html", "transcript.pcap", "manifest.sha256"})
    EXPECT_TRUE(fs::is_regular_file(dir / "out" / f)) << f;
}

TEST(RunInterrupted, SigtermWritesTheReportsOfTheFinishedCasesAndExitsThree) {
  interrupt_run(SIGTERM, "SIGTERM", "1");
}

TEST(RunInterrupted, SigintWithTwoJobsWritesTheReportsOfTheFinishedCasesAndExitsThree) {
  interrupt_run(SIGINT, "SIGINT", "2");
}

TEST(RunInterrupted, ASecondSignalExitsAtOnce) {
  const fs::path dir = scratch();
  const pid_t pid =
      start({"run", "--cases", kCases, "--embedded", "--out", (dir / "out").string()}, dir);
  ASSERT_GT(pid, 0);
  const Reaper reaper{pid};
  ASSERT_NO_FATAL_FAILURE(wait_for_progress(dir, 1));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const auto give_up = Clock::now() + std::chrono::seconds(10);
  // The first signal's note on standard error shows the handler ran before the second one.
  while (slurp(dir / "std.err").find("stopping") == std::string::npos && Clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const std::optional<int> code = wait_for(pid, std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  // Unless the run had already finished its last case, it ended at once with 128 + SIGTERM.
  if (!fs::exists(dir / "out" / "results.json")) EXPECT_EQ(*code, 128 + SIGTERM);
  EXPECT_NE(slurp(dir / "std.err").find("stopping"), std::string::npos);
}

TEST(RunInterrupted, NoUeHookProcessOutlivesAnInterruptedUeRun) {
  const fs::path dir = scratch();
  // A copy of the embedded Initiator profile: its path names the hook processes of this run.
  const fs::path profile = dir / "profiles" / "ue-under-test.yaml";
  fs::create_directories(profile.parent_path());
  fs::copy_file(kCases + "/profiles/reference-initiator.yaml", profile);
  const pid_t pid = start({"run", "--cases", kCases, "--sut", profile.string(), "--embedded",
                           "--no-baseline", "--out", (dir / "out").string()},
                          dir);
  ASSERT_GT(pid, 0);
  const Reaper reaper{pid};
  ASSERT_NO_FATAL_FAILURE(wait_for_progress(dir, 3));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const std::optional<int> code = wait_for(pid, std::chrono::seconds(15));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3) << slurp(dir / "std.out") << slurp(dir / "std.err");
  auto json = inspect::parse_json(slurp(dir / "out" / "results.json"));
  ASSERT_TRUE(json) << "results.json does not parse";
  EXPECT_EQ(json->at("interrupted"), true);
  // pgrep exits 1 when no process runs `mikeyconf ue --profile COPY` ([u]: the pattern does not
  // match the shell that runs pgrep).
  const std::string pgrep = "pgrep -f '[u]e --profile " + profile.string() + "' >/dev/null";
  EXPECT_EQ(WEXITSTATUS(std::system(pgrep.c_str())), 1) << "a hook process outlived the run";
}

// A copy of cases/ with one more case, kms.zz.slow, that waits 20 s before its first exchange.
fs::path cases_with_a_slow_case(const fs::path& dir) {
  const fs::path cases = dir / "cases";
  fs::copy(kCases, cases, fs::copy_options::recursive);
  fs::create_directories(cases / "kms" / "zz");
  std::ofstream(cases / "kms" / "zz" / "slow.yaml") << "id: kms.zz.slow\n"
                                                       "title: A case that outlasts the grace\n"
                                                       "requirements: [P.1-6]\n"
                                                       "level: SHALL\n"
                                                       "sut_role: kms\n"
                                                       "needs: [psk]\n"
                                                       "timeout_ms: 60000\n"
                                                       "steps:\n"
                                                       "  - wait_ms: 20000\n"
                                                       "  - send: REQUEST_INIT_PSK\n"
                                                       "  - expect:\n"
                                                       "      outcome: granted\n";
  return cases;
}

TEST(RunInterrupted, ACaseStillRunningFiveSecondsLaterIsNotWaitedFor) {
  const fs::path dir = scratch();
  const fs::path cases = cases_with_a_slow_case(dir);
  const pid_t pid = start({"run", "--cases", cases.string(), "--case", "kms.sanity", "--case",
                           "kms.zz.slow", "--out", (dir / "out").string()},
                          dir);
  ASSERT_GT(pid, 0);
  const Reaper reaper{pid};
  ASSERT_NO_FATAL_FAILURE(wait_for_progress(dir, 1));  // kms.sanity done
  // kms.zz.slow starts right after it, then waits 20 s: signal once it surely started.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto signalled = Clock::now();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const std::optional<int> code = wait_for(pid, std::chrono::seconds(15));
  ASSERT_TRUE(code.has_value()) << "the run waited for the slow case";
  const auto took = Clock::now() - signalled;
  EXPECT_EQ(*code, 3) << slurp(dir / "std.out") << slurp(dir / "std.err");
  EXPECT_GE(took, std::chrono::milliseconds(4900));  // the grace was given
  EXPECT_LT(took, std::chrono::seconds(12));         // and not the case's 20 s
  auto json = inspect::parse_json(slurp(dir / "out" / "results.json"));
  ASSERT_TRUE(json) << "results.json does not parse";
  EXPECT_EQ(json->at("interrupted"), true);
  ASSERT_EQ(json->at("cases").size(), 2u);
  EXPECT_EQ(json->at("cases")[0].at("verdict"), "pass");
  EXPECT_EQ(json->at("cases")[1].at("id"), "kms.zz.slow");
  EXPECT_EQ(json->at("cases")[1].at("verdict"), "error");
  EXPECT_EQ(json->at("cases")[1].at("reason").get<std::string>().rfind("not run: still running", 0),
            0u);
  // The run handed over early still says how it was set up (the bundles replay from it).
  EXPECT_EQ(json->at("sut").at("embedded"), true);
  EXPECT_EQ(json->at("run").at("cases_dir"), cases.string());
  EXPECT_NE(slurp(dir / "std.err").find("are not waited for"), std::string::npos);
  EXPECT_NE(slurp(dir / "std.out").find("interrupted by SIGTERM after 1 of 2 cases"),
            std::string::npos)
      << slurp(dir / "std.out");
  EXPECT_TRUE(fs::is_regular_file(dir / "out" / "junit.xml"));
}

// ---- the --out folder ----

TEST(RunOutFolder, AFolderThatCannotBeCreatedIsExitThreeBeforeAnyCase) {
  const fs::path dir = scratch();
  const fs::path file = dir / "a-file";
  { std::ofstream(file) << "not a folder\n"; }
  const auto started = Clock::now();
  const auto r =
      test_support::run_mikeyconf("run --cases " + kCases + " --out " + (file / "out").string(),
                                  "/dev/null", (dir / "std").string());
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("--out " + (file / "out").string() + ": cannot create the folder: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Not a directory"), std::string::npos) << r.err;
  // No case ran: no progress line, no summary, and well under the time of one suite.
  EXPECT_EQ(r.err.find("] pass"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(" cases in "), std::string::npos) << r.out;
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));
}

TEST(RunOutFolder, AFolderThatCannotBeWrittenIsExitThree) {
  const fs::path dir = scratch();
  // /proc/self is a folder nobody, root included, can create a file in.
  const auto r = test_support::run_mikeyconf("run --cases " + kCases + " --out /proc/self",
                                             "/dev/null", (dir / "std").string());
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("--out /proc/self: cannot write in the folder: "), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("] pass"), std::string::npos) << r.err;
}

// ---- colour ----

// `ENV mikeyconf run --case kms.sanity ARGS` with standard output and error in files (not
// terminals).
test_support::Outcome run_sanity(const std::string& env, const std::string& args,
                                 const fs::path& dir) {
  const std::string cmd = "env " + env + " '" + MIKEYCONF_BINARY + "' run --cases " + kCases +
                          " --case kms.sanity --out '" + (dir / "out").string() + "' " + args +
                          " </dev/null >'" + (dir / "std.out").string() + "' 2>'" +
                          (dir / "std.err").string() + "'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "std.out"),
          slurp(dir / "std.err")};
}

bool coloured(const std::string& s) { return s.find("\x1b[") != std::string::npos; }

TEST(RunColor, AlwaysNeverAutoAndNoColor) {
  const fs::path dir = scratch();
  const test_support::Outcome always = run_sanity("-u NO_COLOR", "--color always", dir);
  ASSERT_EQ(always.code, 0) << always.out << always.err;
  EXPECT_NE(always.out.find("\x1b[32m1 pass\x1b[0m"), std::string::npos) << always.out;
  EXPECT_NE(always.err.find("\x1b[32mpass\x1b[0m"), std::string::npos) << always.err;

  // auto: the streams are files, not terminals.
  for (const std::string& args : {"--color never", "--color auto", ""}) {
    const test_support::Outcome plain = run_sanity("-u NO_COLOR TERM=xterm", args, dir);
    ASSERT_EQ(plain.code, 0) << plain.err;
    EXPECT_FALSE(coloured(plain.out)) << args << ": " << plain.out;
    EXPECT_FALSE(coloured(plain.err)) << args << ": " << plain.err;
  }
  // NO_COLOR switches auto off, not an explicit --color always.
  const test_support::Outcome forced = run_sanity("NO_COLOR=1", "--color always", dir);
  EXPECT_TRUE(coloured(forced.out)) << forced.out;
  const test_support::Outcome bad = run_sanity("", "--color sometimes", dir);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--color: expected auto, always or never"), std::string::npos) << bad.err;
}

TEST(ColorRule, AutoNeedsATerminalNoNoColorAndACapableTerm) {
  EXPECT_EQ(parse_color_mode("auto"), ColorMode::automatic);
  EXPECT_EQ(parse_color_mode("always"), ColorMode::always);
  EXPECT_EQ(parse_color_mode("never"), ColorMode::never);
  EXPECT_EQ(parse_color_mode("yes"), std::nullopt);
  EXPECT_TRUE(use_color(ColorMode::automatic, true, nullptr, "xterm-256color"));
  EXPECT_TRUE(use_color(ColorMode::automatic, true, "", "xterm"));  // empty NO_COLOR: unset
  EXPECT_TRUE(use_color(ColorMode::automatic, true, nullptr, nullptr));
  EXPECT_FALSE(use_color(ColorMode::automatic, false, nullptr, "xterm"));
  EXPECT_FALSE(use_color(ColorMode::automatic, true, "1", "xterm"));
  EXPECT_FALSE(use_color(ColorMode::automatic, true, nullptr, "dumb"));
  EXPECT_TRUE(use_color(ColorMode::always, false, "1", "dumb"));
  EXPECT_FALSE(use_color(ColorMode::never, true, nullptr, "xterm"));
  EXPECT_EQ(paint("pass", "32", true), "\x1b[32mpass\x1b[0m");
  EXPECT_EQ(paint("pass", "32", false), "pass");
}

// ---- the progress bar ----

harness::CaseResult result(const std::string& id, harness::Verdict v) {
  harness::CaseResult r;
  r.id = id;
  r.verdict = v;
  r.reason = "why";
  return r;
}

TEST(ProgressBar, CountsEveryVerdictAsItself) {
  std::ostringstream os;
  Progress bar(os, ProgressStyle::bar, 5, 200);
  bar.on_case(result("a.pass", harness::Verdict::pass));
  bar.on_case(result("a.xfail", harness::Verdict::xfail));
  bar.on_case(result("a.inconclusive", harness::Verdict::inconclusive));
  bar.on_case(result("a.xpass", harness::Verdict::xpass));
  EXPECT_EQ(bar.counts(), "pass 1  fail 0  error 0  xfail 1  xpass 1  inconclusive 1");
  const std::string drawn = os.str();
  const std::string last = drawn.substr(drawn.rfind('\r'));
  EXPECT_NE(last.find("4/5  pass 1  fail 0  error 0  xfail 1  xpass 1  inconclusive 1  a.xpass"),
            std::string::npos)
      << last;
  EXPECT_FALSE(coloured(last.substr(4))) << last;  // past the \r\x1b[K that clears the line
  Progress colour(os, ProgressStyle::bar, 2, 200, true);
  colour.on_case(result("b.fail", harness::Verdict::fail));
  EXPECT_EQ(colour.counts(true), "pass 0  \x1b[1;31mfail 1\x1b[0m  error 0");
}

TEST(ProgressBar, ANarrowTerminalKeepsTheColourSequencesWhole) {
  std::ostringstream os;
  Progress bar(os, ProgressStyle::bar, 3, 40, true);
  harness::CaseResult r = result("kms.a.very.long.case.identifier.indeed", harness::Verdict::fail);
  r.reason = std::string(200, 'x');
  bar.on_case(r);
  std::istringstream lines(os.str());
  for (std::string l; std::getline(lines, l, '\r');) {
    // Every colour opened is closed again.
    std::size_t opened = 0, closed = 0;
    for (std::size_t at = l.find("\x1b["); at != std::string::npos; at = l.find("\x1b[", at + 1))
      (l.compare(at, 4, "\x1b[0m") == 0 ? closed : opened) += 1;
    EXPECT_EQ(opened - (l.find("\x1b[K") != std::string::npos ? 1 : 0), closed) << l;
  }
}

}  // namespace
}  // namespace mikeyconf::tools
