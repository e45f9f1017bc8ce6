// The one-thing-wrong edits the answer-rewriting variants make (mutant_tools.h
// rewriting_answers), shared by the KMS, KMS_R and KMS_I variants. Each returns false when the
// answer at hand has nothing to change (it is then passed on as the reference sent it).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "harness/tests/mutant_tools.h"

namespace mikeyconf::harness::mutants {

// A PSK of the profile that is not `psk` (another user's).
Bytes another_psk(const SutProfile& profile, ByteView psk);

bool csb_id_not_copied(AnswerEdit& e);    // HDR CSB ID not the request's (RFC 6043 §4.2.x.5)
bool v_flag_set(AnswerEdit& e);           // HDR V flag 1
bool stale_timestamp(AnswerEdit& e);      // T one hour before the request's
bool without_mpki(AnswerEdit& e);         // no MPKi in the KEMAC
bool mac_without_request(AnswerEdit& e);  // MAC over the answer alone (§5.5)
bool without_mpkr_prime(AnswerEdit& e);   // with forking: no MPKr' in the KEMAC
bool without_randrkms(AnswerEdit& e);     // with forking: no RANDRkms in the modifier
// With forking: the modifier's IDRr names another identity than the one the keys were forked
// for (the answering endpoint).
bool modifier_names_another_endpoint(AnswerEdit& e);
// The KEMAC under keys from another user's PSK; the V MAC still the requester's.
bool kemac_for_another_user(AnswerEdit& e);

// The forking modifier of a RESOLVE_RESP (IDRr, RANDRkms) and the Ticket Policy PRF, or nullopt
// without forking.
struct Modifier {
  Bytes id_data;
  Bytes randrkms;
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;  // the Ticket Policy PRF (§5.1.1)
};
std::optional<Modifier> modifier_of(const AnswerEdit& e);

// RFC 6043 §5.1.1 forks only TGKs and MPKr: these fork keys of `types` as if they were TGKs.
AnswerChange forking_also(std::vector<codec::KeyDataType> types);
// MPKr' and the TGKs forked again from the ticket's own keys (opened with the TPKs of the
// profile), the ID Data of the modifier left out or not, the TGKs with `tgk_constant` (§5.1.1
// wants IDRr ID Data ‖ RANDRkms, and 0x1512B54A for TGK').
AnswerChange reforked(bool without_idrr, std::uint32_t tgk_constant);

}  // namespace mikeyconf::harness::mutants
