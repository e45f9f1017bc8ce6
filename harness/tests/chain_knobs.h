// The chaining latitude knobs (docs/latitude.md): each flips one reading of the embedded reference
// SUT of a chaining role, and declares it in the SUT profile when the harness must know it
// (PIXIT). A suite run with any one of them flipped must have no fail and no error
// (chain_latitude_e2e_test.cc; the latitude matrix test reads the same table).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "harness/profile.h"
#include "harness/scenario.h"
#include "roles/kms.h"

namespace mikeyconf::harness::testing {

struct ChainKnob {
  std::string_view name;      // the configuration key and value it stands for
  std::string_view latitude;  // the docs/latitude.md entry
  SutRole role;               // whose embedded reference it edits (kms_r or kms_i)
  // For ChainSetupOptions::edit_sut_config.
  std::function<void(mikey::roles::KmsConfig&)> edit_sut_config;
  // The profile's declaration of that reading (empty: none needed).
  std::function<void(SutProfile&)> declare;
};

namespace chain_knob_detail {

inline void each_peer(mikey::roles::KmsConfig& c,
                      const std::function<void(mikey::roles::PeerKms&)>& f) {
  for (mikey::roles::PeerKms& p : c.peers) f(p);
}

inline void each_peer_user(mikey::roles::KmsConfig& c,
                           const std::function<void(mikey::roles::KmsUser&)>& f) {
  for (mikey::roles::KmsUser& u : c.users)
    if (u.peer_kms) f(u);
}

}  // namespace chain_knob_detail

// Every chaining knob, each with the reading it switches to (the reference's default is the
// other one).
inline std::vector<ChainKnob> chain_knobs() {
  namespace roles = mikey::roles;
  using chain_knob_detail::each_peer;
  using chain_knob_detail::each_peer_user;
  return {
      // KMS_R leaves IDRpsk out (RFC 6043 §4.2.3.2 MAY); KMS_I finds the link key by the
      // mutual-TLS identity.
      {"peers[].send_idrpsk: false",
       "link-idrpsk",
       SutRole::kms_r,
       [](roles::KmsConfig& c) { each_peer(c, [](roles::PeerKms& p) { p.send_idrpsk = false; }); },
       {}},
      // KMS_R's MAC covers its own identity as Identity_r (RFC 6043 §5.5 read the other way).
      {"peers[].mac_identity: self",
       "link-mac-identity",
       SutRole::kms_r,
       [](roles::KmsConfig& c) {
         each_peer(c, [](roles::PeerKms& p) { p.mac_identity = roles::LinkMacIdentity::kms_r; });
       },
       {}},
      // KMS_R forwards an IDRr built from the Responder's authenticated identity instead of the
      // received payload (RFC 6043 §10: reuse SHOULD).
      {"peers[].forward_idrr: authenticated",
       "forwarded-copied",
       SutRole::kms_r,
       [](roles::KmsConfig& c) {
         each_peer(c,
                   [](roles::PeerKms& p) { p.forward_idrr = roles::ForwardedIdrr::authenticated; });
       },
       {}},
      // KMS_I's tickets name no issuer in the TP Data (IDRkms optional, RFC 6043 §6.10).
      {"policy.granted.idrkms: omit",
       "tp-idrkms",
       SutRole::kms_i,
       [](roles::KmsConfig& c) { c.policy.latitude.add_idrkms = false; },
       {}},
      // KMS_I checks the MAC of KMS_R's forward over KMS_R's own identity only; the profile says
      // so, and the harness KMS_R MACs that way.
      {"users[peer_kms].mac_identity: kms_r", "link-mac-identity", SutRole::kms_i,
       [](roles::KmsConfig& c) {
         each_peer_user(c,
                        [](roles::KmsUser& u) { u.mac_identity = roles::LinkMacIdentity::kms_r; });
       },
       [](SutProfile& p) { p.latitude.declared["link-mac-identity"] = "kms_r"; }},
      // KMS_I checks the MAC over the forwarded IDRr only (the harness's default reading).
      {"users[peer_kms].mac_identity: idrr",
       "link-mac-identity",
       SutRole::kms_i,
       [](roles::KmsConfig& c) {
         each_peer_user(
             c, [](roles::KmsUser& u) { u.mac_identity = roles::LinkMacIdentity::forwarded_idrr; });
       },
       {}},
      // KMS_I keys a forward by the link's certificate even when it names an IDRpsk.
      {"users[peer_kms].key_lookup: tls_first",
       "link-key-lookup",
       SutRole::kms_i,
       [](roles::KmsConfig& c) {
         each_peer_user(c, [](roles::KmsUser& u) { u.tls_identity_first = true; });
       },
       {}},
  };
}

}  // namespace mikeyconf::harness::testing
