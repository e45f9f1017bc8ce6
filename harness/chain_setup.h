// Setting up a run around a chaining SUT (sut_role kms_r / kms_i; chain.h, harness/README.md
// "Chaining"): the harness KMS opposite it, the embedded reference SUT, an ephemeral PKI for a
// mutually authenticated KMS-to-KMS link, and the drivers. prepare_sut (setup.h) calls the
// two-argument forms; tests pass options to build faulty embedded variants.
#pragma once

#include <functional>
#include <memory>

#include "harness/setup.h"
#include "roles/kms.h"
#include "transport/annex_a.h"
#include "transport/client.h"

namespace mikeyconf::harness {

namespace chain_detail {
struct LinkTls;
}

struct ChainSetupOptions {
  // Embedded SUT only: edits the reference SUT's configuration before it starts.
  std::function<void(mikey::roles::KmsConfig&)> edit_sut_config;
  // Embedded SUT only: wraps its Annex A handler (on every listener it has).
  std::function<mikey::transport::KmsHandler(mikey::transport::KmsHandler)> wrap_sut;
  // Embedded SUT only: edits its end of an https KMS-to-KMS link (kms_r: its client certificate
  // and the CA it checks KMS_I with; kms_i: its link listener's, `ca` empty: no client
  // certificate asked for).
  std::function<void(chain_detail::LinkTls&)> edit_sut_link_tls;
  // Embedded kms_r only: edits its KMS-to-KMS client (Annex A profile, TLS) and wraps its
  // KMS-to-KMS transport.
  std::function<void(mikey::transport::ClientOptions&)> edit_sut_link_client;
  std::function<std::unique_ptr<mikey::roles::KmsPeer>(std::unique_ptr<mikey::roles::KmsPeer>)>
      wrap_sut_peer;
};

mikey::Result<SutSetup, SetupError> prepare_kms_r(const SutProfile& profile, bool embedded,
                                                  const ChainSetupOptions& options);
mikey::Result<SutSetup, SetupError> prepare_kms_i(const SutProfile& profile, bool embedded,
                                                  const ChainSetupOptions& options);

}  // namespace mikeyconf::harness
