// The engine (engine.h): one case through the runner of its role (role_runner.h); the suite
// around it is the scheduler's (suite_run.cc).
#include "harness/engine.h"

#include <chrono>
#include <exception>
#include <memory>

#include "harness/chain_runner.h"
#include "harness/kms_runner.h"
#include "harness/role_runner.h"
#include "harness/ue_runner.h"

namespace mikeyconf::harness {

using Steady = std::chrono::steady_clock;

namespace {

// sut_role initiator | responder: the UE under test, reached through its hook (ue_runner.h).
class UeRoleRunner final : public RoleRunner {
 public:
  UeRoleRunner(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
               CaseResult& out)
      : sc_(s), prof_(p), drv_(d), seed_(seed), out_(out) {}
  void run() override { run_ue_case(sc_, prof_, drv_, seed_, out_); }

 private:
  const Scenario& sc_;
  const SutProfile& prof_;
  SutDriver& drv_;
  std::uint64_t seed_;
  CaseResult& out_;
};

}  // namespace

std::unique_ptr<RoleRunner> make_role_runner(const Scenario& scenario, const SutProfile& profile,
                                             SutDriver& driver, std::uint64_t seed,
                                             CaseResult& out) {
  if (scenario.sut_role == SutRole::initiator || scenario.sut_role == SutRole::responder)
    return std::make_unique<UeRoleRunner>(scenario, profile, driver, seed, out);
  if (scenario.sut_role == SutRole::kms_r || scenario.sut_role == SutRole::kms_i)
    return std::make_unique<ChainRunner>(scenario, profile, driver, seed, out);
  return std::make_unique<KmsCaseRunner>(scenario, profile, driver, seed, out);
}

std::uint64_t case_seed(std::uint64_t run_seed, std::string_view id) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (char c : id) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  std::uint64_t z = run_seed ^ h;  // splitmix64 finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void fill_header(CaseResult& r, const Scenario& s) {
  r.id = s.id;
  r.title = s.title;
  r.file = s.file;
  r.requirements = s.requirements;
  r.level = s.level;
  r.sut_role = s.sut_role;
  r.tags = s.tags;
  r.needs = s.needs;
}

CaseResult run_case(const Scenario& scenario, const SutProfile& profile, SutDriver& driver,
                    std::uint64_t seed) {
  CaseResult r;
  fill_header(r, scenario);
  r.seed = seed;
  const auto start = Steady::now();
  try {
    make_role_runner(scenario, profile, driver, seed, r)->run();
  } catch (const HarnessError& e) {
    r.verdict = Verdict::error;
    r.reason = e.what();
  } catch (const std::exception& e) {
    r.verdict = Verdict::error;
    r.reason = std::string("harness exception: ") + e.what();
  }
  r.duration_ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
  return r;
}

}  // namespace mikeyconf::harness
