// KMS variants that get one rule of MIKEY's message protection wrong (RFC 3830 §4.1, §4.2,
// §5.3, §6.1; RFC 6043 §5.1, §5.4, §5.5, §6.1, §6.2, §12.1): keys derived with a wrong PRF,
// constant, label or length, a wrong MAC input or IV, a wrong Error message, an algorithm left
// out. Answers are opened with the requester's keys and sealed again with that one mistake.
#include <algorithm>

#include "crypto/labels.h"
#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"
#include "roles/clock.h"
#include "roles/error_message.h"

namespace mikeyconf::harness::mutants {

namespace {

using transport::KmsAnswer;
using transport::KmsHandler;
using transport::RequestType;

// The reference KMS with its REQUEST_RESPs and RESOLVE_RESPs rewritten by `change`.
Runner rewriting_both(AnswerChange change) {
  return kms_wrapped([change](KmsHandler inner) {
    const SutProfile p = testing::reference_profile();
    return rewriting_answers(
        rewriting_answers(std::move(inner), p, codec::DataType::request_resp, change), p,
        codec::DataType::resolve_resp, change);
  });
}

Runner rewriting_one(codec::DataType which, AnswerChange change) {
  return kms_wrapped([which, change](KmsHandler inner) {
    return rewriting_answers(std::move(inner), testing::reference_profile(), which, change);
  });
}

Runner serving_substitutes(Substitute substitute) {
  return kms_wrapped([substitute](KmsHandler inner) {
    return substituting(std::move(inner), testing::reference_profile(), substitute);
  });
}

// An answer to a request whose HDR names PRF `from` is protected with PRF `to`.
AnswerChange prf_read_as(codec::PrfFunc from, codec::PrfFunc to) {
  return [from, to](AnswerEdit& e) {
    if (e.keys.prf != from) return false;
    e.keys.prf = to;
    return true;
  };
}

// The request's RANDR payload as received (Next payload, role, length and value).
Bytes whole_randr_payload(const roles::Received& r) {
  for (const codec::Payload& p : r.message().payloads) {
    if (p.get<codec::RandWithRole>() != nullptr) {
      const ByteView b = roles::payload_bytes(r.bytes, p);
      return Bytes(b.begin(), b.end());
    }
  }
  return {};
}

// The request without the MAC field of its final V.
Bytes without_mac(const roles::Received& r) {
  const auto* v = roles::last_v(r.message());
  if (v == nullptr || v->mac.size() > r.bytes.size()) return r.bytes;
  return Bytes(r.bytes.begin(), r.bytes.end() - static_cast<std::ptrdiff_t>(v->mac.size()));
}

// An SP payload (SRTP, no parameters) before the final V.
bool with_sp(AnswerEdit& e) {
  auto& ps = e.answer.model.payloads;
  codec::SecurityPolicy sp;
  sp.prot_type = codec::ProtType::srtp;
  ps.insert(ps.end() - 1, codec::make_payload(sp));
  return true;
}

// An Error message `inner` sent, rebuilt by `rebuild` (nullopt: kept).
using ErrorRebuild = std::function<std::optional<Bytes>(const roles::Received& request,
                                                        codec::ErrorNo no, bool authenticated)>;
KmsHandler rebuilding_errors(KmsHandler inner, ErrorRebuild rebuild) {
  return [inner, rebuild](RequestType t, ByteView req) {
    KmsAnswer a = inner(t, req);
    const auto no = error_number(a.mikey);
    if (!no) return a;
    const codec::ParseOutcome e = codec::parse_message(a.mikey);
    const bool authenticated = e.ok() && e.message.find(codec::PayloadType::v) != nullptr;
    if (auto b = rebuild(roles::receive(req), *no, authenticated)) a.mikey = std::move(*b);
    return a;
  };
}

// T-5.4-10: an authenticated Error MACed with the answer's keys (label type 0x02) instead of
// the auth_key of the message in error.
KmsHandler error_mac_response_keys(KmsHandler inner) {
  const SutProfile p = testing::reference_profile();
  return rebuilding_errors(
      std::move(inner),
      [p](const roles::Received& r, codec::ErrorNo no, bool authenticated) -> std::optional<Bytes> {
        const UserProfile* user = requester(p, r);
        auto keys = user != nullptr ? exchange_keys(r.bytes, user->psk) : std::nullopt;
        const codec::Verification* v = r.parsed.ok() ? roles::last_v(r.message()) : nullptr;
        if (!authenticated || !keys || v == nullptr) return std::nullopt;
        const roles::MessageProtection wrong = keys->response(codec::EncrAlg::null);
        return roles::build_error(roles::error_context(r.parsed), no, roles::SystemClock().now(),
                                  &wrong, v->auth_alg);
      });
}

// T-5.4-8: an unauthenticated Error names another CSB ID than the message in error.
KmsHandler error_hdr_not_copied(KmsHandler inner) {
  return rebuilding_errors(
      std::move(inner),
      [](const roles::Received& r, codec::ErrorNo no, bool authenticated) -> std::optional<Bytes> {
        if (authenticated) return std::nullopt;
        roles::ErrorContext ctx = roles::error_context(r.parsed);
        ctx.csb_id = ~ctx.csb_id;
        return roles::build_error(ctx, no, roles::SystemClock().now());
      });
}

// The key derivation and algorithm suites (RFC 3830 §4.1, RFC 6043 §5.1, TS 33.328 §6).
void add_derivation_mutants(std::vector<Mutant>& out) {
  auto add = [&out](std::string name, Runner run) {
    out.push_back({std::move(name), SutRole::kms, std::move(run)});
  };
  add("request-resp-with-sp-payload", rewriting_one(codec::DataType::request_resp, with_sp));
  // M-4.1.2-1: the MIKEY-1 PRF computed as PRF-HMAC-SHA-256 in the answers' keys.
  add("mikey-1-prf-computed-with-sha-256",
      rewriting_both(prf_read_as(codec::PrfFunc::mikey_1, codec::PrfFunc::prf_hmac_sha256)));
  // T-6.1-2: PRF func 1 (PRF-HMAC-SHA-256) computed as MIKEY-1 in the answers' keys.
  add("prf-hmac-sha-256-computed-as-mikey-1",
      rewriting_both(prf_read_as(codec::PrfFunc::prf_hmac_sha256, codec::PrfFunc::mikey_1)));
  // M-4.1.4-1: the answers' auth_key derived with the salt constant 0x29B88916.
  add("auth-key-with-salt-constant", rewriting_both([](AnswerEdit& e) {
        e.seal.auth_constant = mikey::crypto::kConstSalt;
        return true;
      }));
  // M-4.2.3-1: the KEMAC's AES-CM IV built with CSB ID 0 instead of the exchange's.
  add("kemac-iv-without-csb-id", rewriting_both([](AnswerEdit& e) {
        if (e.keys.csb_id == 0) return false;
        e.seal.kemac_iv_csb_id = 0;
        return true;
      }));
  // M-4.2.4-1: HMAC-SHA-1-160 not implemented. Run with the harness parties on the 256-bit suite:
  // with the 128-bit one every exchange fails, which the setup probe cannot tell from a profile
  // naming the wrong suite (a setup fault is never a SUT fault).
  add("no-hmac-sha-1", kms_wrapped(
                           [](transport::KmsHandler) {
                             return testing::altered_kms([](roles::KmsConfig& c) {
                               c.policy.mac_algs = {codec::MacAlg::hmac_sha256_256};
                             });
                           },
                           [](SutProfile& p) { p.algorithms = mikey::roles::kSuite256; }));
  // T-12.1-5: PRF-HMAC-SHA-256 and HMAC-SHA-256-256 without AES-CM-256.
  add("suite-256-without-aes-cm-256",
      kms_altered([](roles::KmsConfig& c) { c.policy.encr_algs = {codec::EncrAlg::aes_cm_128}; }));
}

// The protection of the answers (RFC 6043 §5.3 - §5.5).
void add_protection_mutants(std::vector<Mutant>& out) {
  auto add = [&out](std::string name, Runner run) {
    out.push_back({std::move(name), SutRole::kms, std::move(run)});
  };
  // M-6.1-2: an HDR version other than 1 is not refused (served as version 1).
  add("accepts-any-hdr-version", serving_substitutes([](const roles::Received& r) {
        std::optional<Bytes> out;
        if (!r.parsed.ok() || r.message().hdr.version == 1) return out;
        codec::Message m = r.message();
        m.hdr.version = 1;
        if (auto b = codec::serialize_message(m); b.ok()) out = std::move(b).value();
        return out;
      }));
  // T-5.1-1: the answers' keys labelled with the whole RANDR payload, not RAND length ‖ RAND.
  add("labels-with-whole-randr-payload", rewriting_both([](AnswerEdit& e) {
        e.keys.rand = whole_randr_payload(e.request);
        return !e.keys.rand.empty();
      }));
  // T-5.1.2-3 / T-5.1.2-4: the answer's keys derived without RANDRi / RANDRr.
  add("request-resp-keys-without-randri",
      rewriting_one(codec::DataType::request_resp, [](AnswerEdit& e) {
        e.keys.rand.clear();
        return true;
      }));
  add("resolve-resp-keys-without-randrr",
      rewriting_one(codec::DataType::resolve_resp, [](AnswerEdit& e) {
        e.keys.rand.clear();
        return true;
      }));
  // T-5.5-3: the answers' MAC covers the request without its MAC field.
  add("response-mac-over-request-without-its-mac", rewriting_both([](AnswerEdit& e) {
        e.keys.request = without_mac(e.request);
        return true;
      }));
  // T-6.2-1: a KEMAC named AES-CM-256 encrypted with a 128-bit key (AES-CM-128).
  add("aes-cm-256-with-128-bit-key", rewriting_both([](AnswerEdit& e) {
        if (e.answer.encr != codec::EncrAlg::aes_cm_256) return false;
        e.answer.encr = codec::EncrAlg::aes_cm_128;
        e.seal.kemac_label = codec::EncrAlg::aes_cm_256;
        return true;
      }));
  // T-6.2-2: HMAC-SHA-256-256 keyed with a 160-bit auth_key.
  add("hmac-sha-256-with-160-bit-key", rewriting_both([](AnswerEdit& e) {
        const codec::Verification* v = roles::last_v(e.answer.model);
        if (v == nullptr || v->auth_alg != codec::MacAlg::hmac_sha256_256) return false;
        e.seal.auth_key_length = 20;
        return true;
      }));
  // T-5.4-2: a request whose MAC fails is served (re-MACed with the user's key).
  add("serves-requests-failing-mac",
      serving_substitutes([](const roles::Received& r) { return std::optional<Bytes>(r.bytes); }));
  add("error-mac-with-response-keys", kms_wrapped(error_mac_response_keys));  // T-5.4-10
  add("error-hdr-not-copied", kms_wrapped(error_hdr_not_copied));             // T-5.4-8
}

}  // namespace

void add_kms_crypto_mutants(std::vector<Mutant>& out) {
  add_derivation_mutants(out);
  add_protection_mutants(out);
}

}  // namespace mikeyconf::harness::mutants
