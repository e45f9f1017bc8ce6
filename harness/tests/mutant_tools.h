// What a faulty variant of the reference KMS (mutants.h) needs to misbehave in one precise way
// while speaking correct MIKEY everywhere else: the requester's key, the keys of an exchange
// (RFC 6043 §5.1.2), an answer opened and sealed again with one thing changed (§5.5 coverage,
// KEMAC keys), an authenticated Error (§5.4), a TICKET re-MACed with its TPK (App. A.1), and a
// substitute request handed to the reference with the answer made to fit the original.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/message.h"
#include "harness/profile.h"
#include "roles/message_util.h"
#include "roles/protect.h"
#include "roles/ticket.h"
#include "transport/annex_a.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::harness::mutants {

namespace codec = mikey::codec;
namespace roles = mikey::roles;
namespace transport = mikey::transport;
using mikey::Bytes;
using mikey::ByteView;

// Whether `m` is a MIKEY Error message (HDR data type 6).
bool is_error(ByteView m) noexcept;
// The HDR data type of `m`, or nullopt when it does not parse.
std::optional<codec::DataType> data_type_of(ByteView m) noexcept;
// The first Error number of an Error message, or nullopt.
std::optional<codec::ErrorNo> error_number(ByteView m);

// The profile user whose key protects `request`: by its IDRpsk, else by its IDRi (request) or
// IDRr (resolve). nullptr when none matches.
const UserProfile* requester(const SutProfile& profile, const roles::Received& request);

// The keys of one exchange as the sender of `request` derives them (RFC 6043 §5.1.2): its PSK,
// HDR PRF and CSB ID, its RAND, and the request itself (the §5.5 MAC input of the answer). Owns
// every byte the MessageProtections it returns point at: keep it alive while they are used.
struct ExchangeKeys {
  Bytes psk;
  Bytes request;
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  std::uint32_t csb_id = 0;
  bool resolve = false;  // RANDRr (RESOLVE_INIT) rather than RANDRi (REQUEST_INIT)
  Bytes rand;
  std::uint64_t request_t = 0;  // the request's T as it enters an AES-CM IV

  // The request's own keys (label type 0x01): what an authenticated Error uses (§5.4).
  roles::MessageProtection initial() const;
  // The answer's keys (label type 0x02), MAC over the answer ‖ the request, KEMAC under `encr`.
  roles::MessageProtection response(codec::EncrAlg encr) const;
};
// Fails when `request` does not parse or lacks its RAND.
std::optional<ExchangeKeys> exchange_keys(ByteView request, ByteView psk);

// A REQUEST_RESP / RESOLVE_RESP opened with the exchange's keys, to be changed and sealed again.
struct OpenAnswer {
  codec::Message model;  // as received (the KEMAC and the final V are rebuilt by seal_answer)
  roles::KeySet keys;    // the KEMAC's plaintext keys
  codec::EncrAlg encr = codec::EncrAlg::aes_cm_128;
};
mikey::Result<OpenAnswer, std::string> open_answer(ByteView answer, const ExchangeKeys& k);

struct SealOptions {
  const ExchangeKeys* kemac_keys = nullptr;      // the KEMAC under other keys (default: the MAC's)
  bool mac_covers_request = true;                // false: the MAC covers the answer alone
  std::optional<std::uint32_t> kemac_iv_csb_id;  // another CSB ID in the KEMAC's AES-CM IV
  std::optional<codec::EncrAlg> kemac_label;     // the Encr alg the KEMAC names (sealed: encr)
  // The V MAC keyed with an auth_key derived with this constant / of this length instead.
  std::optional<std::uint32_t> auth_constant;
  std::optional<std::size_t> auth_key_length;
};
// The answer with its KEMAC sealed under OpenAnswer::encr (Mac alg NULL; IV with the answer's T,
// RFC 3830 §4.2.3) and its V MAC computed with `k`.
mikey::Result<Bytes, std::string> seal_answer(const OpenAnswer& a, const ExchangeKeys& k,
                                              SealOptions o = {});

// `message` with the MAC of its final V recomputed with `auth_key` (its own algorithm) over the
// message ‖ `tail` (RFC 6043 §5.5), for variants whose auth_key or MAC input is wrong.
mikey::Result<Bytes, std::string> remac(ByteView message, ByteView auth_key, ByteView tail);

// What a variant serves instead of `request` (to be re-protected with the requester's key), or
// nullopt: the request as it is.
using Substitute = std::function<std::optional<Bytes>(const roles::Received& request)>;
// `inner` serving substitutes for requests of `profile`'s users: each is re-protected with the
// user's key and the answer made to fit the request actually sent (answer_substitute).
transport::KmsHandler substituting(transport::KmsHandler inner, SutProfile profile,
                                   Substitute substitute);

// One answer being rewritten by a variant: the request it answers, the keys it is sealed with
// (change them to mis-key it), the opened answer and how it is sealed.
struct AnswerEdit {
  const roles::Received& request;
  const SutProfile& profile;
  ExchangeKeys keys;
  OpenAnswer answer;
  SealOptions seal;
  std::optional<ExchangeKeys> kemac_keys;  // storage behind seal.kemac_keys
};
// Changes the answer; false: leave this one as the reference sent it.
using AnswerChange = std::function<bool(AnswerEdit&)>;
// `inner` with every answer of type `which` opened with the keys of the requester (a user of
// `profile`, or `link_psk` when the request names none), changed and sealed again.
transport::KmsHandler rewriting_answers(transport::KmsHandler inner, SutProfile profile,
                                        codec::DataType which, AnswerChange change,
                                        Bytes link_psk = {});

// `inner` without a replay cache (RFC 3830 §5.4): a message seen before is answered from a
// cache of the answers it got.
transport::KmsHandler answering_replays(transport::KmsHandler inner);

// An Error number to refuse a request with, or nullopt: leave its answer as it is.
using Judge = std::function<std::optional<codec::ErrorNo>(const roles::Received& request)>;
// `inner` refusing every request it answered with `granted` that `judge` picks, with an Error
// authenticated with the requester's keys (a user of `profile`, or `link_psk` when the request
// names none), as a KMS refuses once the request's MAC verified (RFC 6043 §5.4).
transport::KmsHandler refusing(transport::KmsHandler inner, SutProfile profile,
                               codec::DataType granted, Judge judge, Bytes link_psk = {});

// An Error message with `no` answering `request`, authenticated with its keys (RFC 6043 §5.4),
// as the reference sends once the request's MAC verified.
Bytes authenticated_error(ByteView request, const ExchangeKeys& k, codec::ErrorNo no);

// The KMS-only and mode-3 TPKs of a KMS profile (its `embedded:` keys and users' mode3_tpk).
std::vector<roles::TicketKey> ticket_keys(const SutProfile& profile);
// The TRs of the ticket a RESOLVE_INIT carries, as an NTP time; nullopt without one.
std::optional<roles::NtpTime> ticket_start(ByteView resolve_init);
// `message` with the V of its TICKET's Ticket Data recomputed (App. A.1) under the TPK among
// `keys` that the Ticket Data's IDRpsk and the ticket format select, over the TICKET as it is
// now. The message's own V is left as it was.
mikey::Result<Bytes, std::string> remac_ticket(ByteView message,
                                               std::span<const roles::TicketKey> keys);
// The TICKET of `message` opened with `keys` (roles::open_ticket), or nullopt.
std::optional<roles::OpenedTicket> open_ticket_of(ByteView message,
                                                  std::span<const roles::TicketKey> keys);

// `message` with its V recomputed with the keys of its sender (harness re_protect), for `user`
// towards the KMS `kms`.
mikey::Result<Bytes, std::string> reprotect_for(ByteView message, const UserProfile& user,
                                                const roles::Identity& kms);

// Hands `inner` a substitute of the request `keys` were made from (same PSK, CSB ID and RAND)
// and answers as if it had answered that request: a REQUEST_RESP / RESOLVE_RESP is sealed again
// so that its MAC covers the request actually sent (RFC 6043 §5.5); anything else is passed on.
transport::KmsAnswer answer_substitute(const transport::KmsHandler& inner, transport::RequestType t,
                                       ByteView substitute, const ExchangeKeys& keys);

}  // namespace mikeyconf::harness::mutants
