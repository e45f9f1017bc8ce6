// The pieces of `mikeyconf fuzz --exec` in-process: the process runner, the triage of a run,
// minimisation, the seeds and the replay command.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "codec/message.h"
#include "harness/exec_fuzz.h"
#include "harness/exec_fuzz_corpus.h"
#include "harness/exec_fuzz_process.h"
#include "harness/exec_fuzz_triage.h"

namespace mikeyconf::harness {
namespace {

using End = ProcessRun::End;

ProcessRun sh(const std::string& script, std::string_view input = "", std::uint32_t ms = 5000,
              std::size_t cap = 64 * 1024) {
  return run_process({"sh", "-c", script}, mikey::as_bytes(input), ms, cap);
}

std::size_t open_fds() {
  std::size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
  }
  return n;
}

// Gone, or a zombie waiting for init: either way no longer running.
bool not_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

class IgnorePipe : public ::testing::Test {
 protected:
  void SetUp() override { old_ = std::signal(SIGPIPE, SIG_IGN); }
  void TearDown() override { std::signal(SIGPIPE, old_); }
  void (*old_)(int) = nullptr;
};

using ProcessTest = IgnorePipe;

TEST_F(ProcessTest, ReportsExitStatusAndBothOutputs) {
  const ProcessRun r = sh("cat; echo oops >&2; exit 3", "abc");
  EXPECT_EQ(r.end, End::exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "abc");
  EXPECT_EQ(r.err, "oops\n");
}

TEST_F(ProcessTest, ReportsTheSignalThatEndedIt) {
  const ProcessRun r = sh("kill -SEGV $$");
  EXPECT_EQ(r.end, End::signaled);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(signal_name(r.signal), "SIGSEGV");
}

TEST_F(ProcessTest, TimeoutKillsTheWholeProcessGroup) {
  const auto start = std::chrono::steady_clock::now();
  const ProcessRun r = sh("sleep 30 & echo $!; sleep 30", "", 1000);
  EXPECT_EQ(r.end, End::timed_out);
  ASSERT_FALSE(r.out.empty()) << "the shell did not start within the timeout";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  const pid_t grandchild = static_cast<pid_t>(std::stol(r.out));
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = not_running(grandchild);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "pid " << grandchild << " outlived the timeout";
}

TEST_F(ProcessTest, MissingCommandIsNotStarted) {
  const ProcessRun r = run_process({"/nonexistent/parser"}, {}, 1000);
  EXPECT_EQ(r.end, End::not_started);
  EXPECT_NE(r.start_error.find("No such file"), std::string::npos) << r.start_error;
}

TEST_F(ProcessTest, LeavesNoDescriptorAndNoZombie) {
  const std::size_t before = open_fds();
  for (int i = 0; i < 30; ++i) {
    sh("cat >/dev/null; echo x", "input");
    sh("sleep 5", "", 20);
    run_process({"/nonexistent/parser"}, {}, 100);
  }
  EXPECT_EQ(open_fds(), before);
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // every child reaped
  EXPECT_EQ(errno, ECHILD);
  // The child sees standard input, output and error only.
  const ProcessRun r = sh("ls /proc/$$/fd");
  EXPECT_EQ(r.out, "0\n1\n2\n");
}

TEST_F(ProcessTest, CapsOutputWithoutBlockingTheChild) {
  const ProcessRun r =
      sh("head -c 1000000 /dev/zero; head -c 300000 /dev/zero >&2", "", 10000, 1000);
  EXPECT_EQ(r.end, End::exited);
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_EQ(r.err.size(), 1000u);
}

TEST_F(ProcessTest, ChildThatIgnoresItsInputIsNoProblem) {
  const std::string big(1 << 20, 'x');
  const ProcessRun r = sh("exit 0", big);
  EXPECT_EQ(r.end, End::exited);
  EXPECT_EQ(r.exit_code, 0);
}

constexpr std::string_view kAsan =
    "=================================================================\n"
    "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000031 at pc "
    "0x55d0c3 bp 0x7ffc sp 0x7ffc\n"
    "READ of size 1 at 0x602000000031 thread T0\n"
    "    #0 0x55d0c3 in parse_id /src/id.c:42:7\n"
    "    #1 0x55d1f0 in parse_chain /src/chain.c:10:3\n"
    "    #2 0x55d2aa in main /src/main.c:5:1\n"
    "    #3 0x7f00 in __libc_start_main\n"
    "\n"
    "SUMMARY: AddressSanitizer: heap-buffer-overflow /src/id.c:42:7 in parse_id\n";

TEST(TriageTest, SanitizerReportGivesKindAndTopFrames) {
  auto r = sanitizer_report(kAsan);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->summary, "AddressSanitizer: heap-buffer-overflow");
  EXPECT_EQ(r->frames,
            (std::vector<std::string>{"parse_id /src/id.c:42:7", "parse_chain /src/chain.c:10:3",
                                      "main /src/main.c:5:1"}));
}

TEST(TriageTest, SameBugAtOtherAddressesHasOneSignature) {
  ProcessRun a;
  a.end = End::exited;
  a.exit_code = 1;
  a.err = kAsan;
  ProcessRun b = a;
  b.err.replace(b.err.find("0x55d1f0"), 8, "0x99a1f0");
  b.err.replace(b.err.find("==4242=="), 8, "==7=====");
  auto oa = classify(a), ob = classify(b);
  ASSERT_TRUE(oa && ob);
  EXPECT_EQ(oa->kind, ExecFindingKind::crash);
  EXPECT_EQ(oa->signature, ob->signature);
  EXPECT_EQ(oa->id(), ob->id());
  ProcessRun other = a;
  other.err.replace(other.err.find("parse_id"), 8, "parse_sp");
  EXPECT_NE(classify(other)->signature, oa->signature);
}

TEST(TriageTest, UbsanRuntimeErrorKeepsItsLocation) {
  auto r = sanitizer_report(
      "/src/kemac.c:17:12: runtime error: signed integer overflow: 2147483647 + 1 cannot be "
      "represented in type 'int'\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->summary, "runtime error: signed integer overflow");
  ASSERT_FALSE(r->frames.empty());
  EXPECT_EQ(r->frames.front(), "/src/kemac.c:17:12");
}

TEST(TriageTest, ExitStatusAloneIsNeverAFinding) {
  ProcessRun r;
  r.end = End::exited;
  r.exit_code = 1;
  r.err = "malformed message\n";
  EXPECT_FALSE(classify(r));
  r.exit_code = 0;  // a sanitizer that recovers: reported, but the process went on fine
  r.err = kAsan;
  EXPECT_FALSE(classify(r));
  r.end = End::timed_out;
  ASSERT_TRUE(classify(r));
  EXPECT_EQ(classify(r)->kind, ExecFindingKind::hang);
  r.end = End::signaled;
  r.signal = SIGABRT;
  r.err = "";
  EXPECT_EQ(classify(r)->signature, "crash|SIGABRT");
}

TEST(MinimiseTest, KeepsOnlyTheBytesThatMatter) {
  mikey::Bytes input(200, 0x00);
  input[37] = 0x42;
  input[150] = 0x43;
  const auto needs_both = [](mikey::ByteView b) {
    std::set<std::uint8_t> s(b.begin(), b.end());
    return s.count(0x42) == 1 && s.count(0x43) == 1;
  };
  std::uint64_t runs = 0;
  const mikey::Bytes out = minimise(input, needs_both, 1000, runs);
  EXPECT_EQ(out, (mikey::Bytes{0x42, 0x43}));
  EXPECT_GT(runs, 0u);
  EXPECT_LE(minimise(input, needs_both, 3, runs).size(), input.size());
  EXPECT_EQ(runs, 3u);  // the bound holds
}

TEST(SeedsTest, EveryMessageTypeTheReferenceBuildsIsASeed) {
  std::set<int> types;
  for (const CorpusEntry& e : builtin_seeds()) {
    EXPECT_TRUE(e.valid) << e.name;
    EXPECT_FALSE(e.fields.empty()) << e.name;
    types.insert(static_cast<int>(mikey::codec::parse_message(e.bytes).message.hdr.data_type));
  }
  using mikey::codec::DataType;
  for (DataType t :
       {DataType::psk_init, DataType::psk_verify, DataType::pk_init, DataType::pk_verify,
        DataType::dh_init, DataType::dh_resp, DataType::dhhmac_init, DataType::error,
        DataType::request_init_psk, DataType::request_resp, DataType::transfer_init,
        DataType::transfer_resp, DataType::resolve_init_psk, DataType::resolve_resp}) {
    EXPECT_TRUE(types.count(static_cast<int>(t))) << "no seed of data type " << static_cast<int>(t);
  }
}

TEST(MutatorTest, SameSeedSameMutantsAndNeverTooLong) {
  const std::vector<CorpusEntry> seeds = builtin_seeds();
  ByteMutator m1(64), m2(64);
  std::mt19937_64 r1(7), r2(7);
  for (int i = 0; i < 200; ++i) {
    const CorpusEntry& a = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const CorpusEntry& b = seeds[static_cast<std::size_t>(i * 7) % seeds.size()];
    const mikey::Bytes x = m1.mutate(a, b, r1);
    EXPECT_EQ(x, m2.mutate(a, b, r2));
    EXPECT_LE(x.size(), 64u);
  }
}

TEST(ReplayTest, InputFileOrStandardInputQuoted) {
  EXPECT_EQ(replay_command({"tshark", "-r", "{input}"}, "out/f/input.bin"),
            "tshark -r out/f/input.bin");
  EXPECT_EQ(replay_command({"parse", "--in={input}"}, "o/input.bin"), "parse --in=o/input.bin");
  EXPECT_EQ(replay_command({"my parser", "-x"}, "a b/input.bin"),
            "'my parser' -x < 'a b/input.bin'");
}

}  // namespace
}  // namespace mikeyconf::harness
