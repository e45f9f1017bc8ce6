// `mikeyconf kms`: serves the reference KMS (service::KmsService: roles::Kms over TS 33.328
// Annex A HTTP) from a YAML configuration (config/kms_config.h), with KMS-to-KMS chaining to peer
// KMSs over mutual TLS (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex B).
// `mikeyconf request-init`: a REQUEST_INIT_PSK for one user of such a configuration, in base64,
// ready for curl (README "Running the reference KMS").
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/types.h"
#include "tools/cli.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::tools {

extern const std::string_view kKmsUsage;
extern const std::string_view kRequestInitUsage;

// `mikeyconf kms --config FILE [--listen HOST:PORT] [--tls-cert F --tls-key F [--client-ca F]]
// [--threads N]`. Exit 0 after SIGTERM/SIGINT, 2 usage or configuration error (file:line:col),
// 3 when the server cannot start (port in use, TLS files unusable).
int kms_main(std::span<const std::string_view> args, Io& io);

// `mikeyconf request-init --config FILE --user ID [--responder ID] [--ticket-type 1|2]
// [--forking] [--lifetime S] [--suite 128|256]`: prints a base64 REQUEST_INIT_PSK (one line).
int request_init_main(std::span<const std::string_view> args, Io& io);

// What `mikeyconf request-init` asks for besides the user.
struct RequestInitChoices {
  mikey::roles::TicketRequest request;  // format, lifetime (responders and PRF are filled in)
  mikey::roles::Algorithms algorithms = mikey::roles::kSuite128;
  std::optional<mikey::roles::Identity> responder;  // unset: the configuration's first other user
  bool forking = false;
};
// A fresh REQUEST_INIT_PSK (now's timestamp) from `user` of `kms`, built by the reference
// Initiator. The error: what went wrong, empty when there is no responder to ask for.
mikey::Result<mikey::Bytes, std::string> make_request_init(const mikey::roles::KmsConfig& kms,
                                                           std::string_view user,
                                                           RequestInitChoices choices);

}  // namespace mikeyconf::tools
