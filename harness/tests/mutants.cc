#include "harness/tests/mutants.h"

#include <mutex>

#include "crypto/rng.h"
#include "harness/driver.h"
#include "harness/loader.h"
#include "roles/clock.h"

namespace mikeyconf::harness::mutants {

namespace roles = mikey::roles;
namespace transport = mikey::transport;

namespace {

MutantRun run_against_profile(const SutProfile& profile, const RunOptions& options) {
  const DriverFactory drivers = [profile] { return std::make_unique<KmsDriver>(profile); };
  return {run_suite(testing::suite(), profile, drivers, nullptr, options), {}};
}

}  // namespace

Runner kms_wrapped(Wrap wrap, std::function<void(SutProfile&)> edit_profile) {
  return [wrap, edit_profile](const RunOptions& options) -> MutantRun {
    EmbeddedKmsOptions o;
    o.wrap = wrap;
    SutProfile profile = testing::reference_profile();
    if (edit_profile) edit_profile(profile);
    auto kms = EmbeddedKms::start(profile, o);
    if (!kms.ok()) return {{}, kms.error()};
    MutantRun out = run_against_profile(kms.value()->profile(), options);
    kms.value()->stop();
    return out;
  };
}

Runner kms_altered(Alter alter) {
  return kms_wrapped([alter](transport::KmsHandler) { return testing::altered_kms(alter); });
}

Runner kms_behind_http(testing::EditingServer::Edit edit,
                       decltype(testing::EditingServer::screen) screen) {
  return [edit, screen](const RunOptions& options) -> MutantRun {
    const SutProfile reference = testing::reference_profile();
    testing::EditingServer server(reference.annex_a, testing::reference_handler(reference), edit);
    server.screen = screen;
    const std::uint16_t port = server.start();
    if (port == 0) return {{}, "the editing server did not start"};
    MutantRun out = run_against_profile(reference.with_port(port), options);
    server.stop();
    return out;
  };
}

SutProfile profile_of(SutRole role) {
  const char* stem = role == SutRole::kms_r   ? "reference-kms-r"
                     : role == SutRole::kms_i ? "reference-kms-i"
                                              : "reference";
  auto p = load_profile(testing::cases_dir() / "profiles" / (std::string(stem) + ".yaml"));
  return p.ok() ? std::move(p).value() : SutProfile{};
}

Runner chain_variant(SutRole role, ChainSetupOptions options) {
  return [role, options](const RunOptions& run_options) -> MutantRun {
    const SutProfile profile = profile_of(role);
    auto setup = role == SutRole::kms_r ? prepare_kms_r(profile, true, options)
                                        : prepare_kms_i(profile, true, options);
    if (!setup.ok()) return {{}, setup.error().message};
    return {run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, run_options),
            {}};
  };
}

const std::vector<Mutant>& all() {
  static const std::vector<Mutant> mutants = [] {
    std::vector<Mutant> out;
    add_kms_http_mutants(out);
    add_kms_answer_mutants(out);
    add_kms_policy_mutants(out);
    add_kms_ticket_mutants(out);
    add_kms_crypto_mutants(out);
    add_chain_mutants(out);
    return out;
  }();
  return mutants;
}

const Mutant* find(std::string_view name) {
  for (const Mutant& m : all())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace mikeyconf::harness::mutants
