// Setting up a run around a chaining SUT (sut_role kms_r / kms_i; chain.h, harness/README.md
// "Chaining"): the harness KMS opposite it, the embedded reference SUT, an ephemeral PKI for a
// mutually authenticated KMS-to-KMS link, and the drivers. prepare_sut (setup.h) calls the
// two-argument forms; tests pass options to build faulty embedded variants.
#pragma once

#include <functional>

#include "harness/setup.h"
#include "roles/kms.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness {

struct ChainSetupOptions {
  // Embedded SUT only: edits the reference SUT's configuration before it starts.
  std::function<void(mikey::roles::KmsConfig&)> edit_sut_config;
  // Embedded SUT only: wraps its Annex A handler (on every listener it has).
  std::function<mikey::transport::KmsHandler(mikey::transport::KmsHandler)> wrap_sut;
};

mikey::Result<SutSetup, SetupError> prepare_kms_r(const SutProfile& profile, bool embedded,
                                                  const ChainSetupOptions& options);
mikey::Result<SutSetup, SetupError> prepare_kms_i(const SutProfile& profile, bool embedded,
                                                  const ChainSetupOptions& options);

}  // namespace mikeyconf::harness
