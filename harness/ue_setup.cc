// prepare_ue (setup.h) and its options (ue_setup.h).
#include "harness/ue_setup.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "harness/ue_hook.h"
#include "harness/ue_runner.h"

namespace mikeyconf::harness {

namespace {

// Whether `program` (after substitution) can be started: a path must be an executable file; a
// bare name is looked up in PATH when the case starts (posix_spawnp), so it is not checked here.
std::string program_problem(const std::string& program) {
  if (program.find('/') == std::string::npos) return {};
  if (::access(program.c_str(), X_OK) != 0)
    return "the hook program " + program + " is not executable";
  return {};
}

}  // namespace

std::string running_executable() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

mikey::Result<SutSetup, SetupError> prepare_ue_with(const SutProfile& profile,
                                                    const UeSetupOptions& options) {
  if (profile.role != SutRole::initiator && profile.role != SutRole::responder) {
    return SetupError{2,
                      "prepare_ue: the profile's role is " + std::string(to_string(profile.role))};
  }
  SutSetup setup;
  setup.target = profile;
  if (options.embedded || !profile.hook) {
    UeHookSpec sample;
    sample.exec = {"{mikeyconf}", "ue", "--profile", "{profile}"};
    if (profile.hook) sample.timeout_ms = profile.hook->timeout_ms;
    setup.target.hook = sample;
  }
  HookVars vars;
  vars.mikeyconf = options.mikeyconf.empty() ? running_executable() : options.mikeyconf;
  std::error_code ec;
  const auto file = std::filesystem::absolute(profile.file, ec);
  vars.profile = ec ? profile.file : file.lexically_normal().string();
  vars.profile_dir = std::filesystem::path(vars.profile).parent_path().string();
  if (!setup.target.hook->exec.empty()) {
    const auto argv = substitute_hook_argv(setup.target.hook->exec, vars);
    if (std::string problem = program_problem(argv.front()); !problem.empty()) {
      return SetupError{3, problem};
    }
  }
  auto registry = std::make_shared<FreshnessRegistry>();
  setup.make_driver = [vars, registry]() -> std::unique_ptr<SutDriver> {
    return std::make_unique<UeDriver>(vars, registry);
  };
  return setup;
}

// SUT role initiator / responder: the harness plays the KMS and the peer UE per case; the UE is
// reached through the profile's hook. Embedded: the UE is the sample hook, the reference UE run
// as `mikeyconf ue` (this executable).
mikey::Result<SutSetup, SetupError> prepare_ue(const SutProfile& profile, bool embedded) {
  UeSetupOptions options;
  options.embedded = embedded;
  return prepare_ue_with(profile, options);
}

}  // namespace mikeyconf::harness
