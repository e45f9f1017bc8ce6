// Faulty variants of the reference for the requirement-level mutation score
// (cases/mutation-registry.yaml, mutation_score_test.cc: a case that passes a faulty SUT earns no
// trust): each is the reference in one SUT role with one fault that violates exactly one
// requirement row, and runs the suite's cases against itself. Most faults sit outside the reference
// — its handler wrapped and the answer rewritten (re-protected with the user's keys,
// mutant_tools.h), a second reference KMS with an altered configuration, an HTTP server that edits
// or screens — and the rest are roles::KmsFaults switched on in a second reference KMS
// (roles/kms_faults.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/chain_setup.h"
#include "harness/embedded_kms.h"
#include "harness/engine.h"
#include "harness/scenario.h"
#include "harness/tests/test_support.h"
#include "roles/kms.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness::mutants {

// One run of cases against a variant. `setup_error`: the variant could not be started (the run
// is empty), never a verdict on it.
struct MutantRun {
  RunResult run;
  std::string setup_error;
};
// Runs the cases `options` selects (testing::suite()) against a freshly started variant.
using Runner = std::function<MutantRun(const RunOptions& options)>;

struct Mutant {
  std::string name;  // as in the registry ("response-v-flag-set")
  SutRole role = SutRole::kms;
  Runner run;
};

// Every implemented variant; names are unique.
const std::vector<Mutant>& all();
// The variant called `name`, or nullptr.
const Mutant* find(std::string_view name);

// ---- Building variants (mutants.cc) ----

using Wrap = std::function<mikey::transport::KmsHandler(mikey::transport::KmsHandler)>;
using Alter = std::function<void(mikey::roles::KmsConfig&)>;

// The reference KMS (testing::reference_profile(), changed by `edit_profile` if given) with its
// handler wrapped.
Runner kms_wrapped(Wrap wrap, std::function<void(SutProfile&)> edit_profile = {});
// A reference KMS whose configuration `alter` changed serves instead of the reference.
Runner kms_altered(Alter alter);
// The reference behind testing::EditingServer: `screen` sees every request first, `edit` every
// response (either may be empty).
Runner kms_behind_http(testing::EditingServer::Edit edit,
                       decltype(testing::EditingServer::screen) screen = {});
// The embedded reference KMS_R / KMS_I (cases/profiles/reference-kms-r.yaml, -kms-i.yaml) built
// with `options`.
Runner chain_variant(SutRole role, ChainSetupOptions options);
// The profile of the embedded default of a role.
SutProfile profile_of(SutRole role);

// ---- The variants (one file per group) ----

void add_kms_http_mutants(std::vector<Mutant>& out);    // mutants_kms_http.cc
void add_kms_answer_mutants(std::vector<Mutant>& out);  // mutants_kms_answers.cc
void add_kms_policy_mutants(std::vector<Mutant>& out);  // mutants_kms_policy.cc
void add_kms_ticket_mutants(std::vector<Mutant>& out);  // mutants_kms_tickets.cc
void add_kms_crypto_mutants(std::vector<Mutant>& out);  // mutants_kms_crypto.cc
void add_chain_mutants(std::vector<Mutant>& out);       // mutants_chain.cc

}  // namespace mikeyconf::harness::mutants
