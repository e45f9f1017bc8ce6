// The KMS configuration's users, mode-3 ticket keys and peer KMSs (RFC 6043 §10; TS 33.328
// §6.2.3.8, Annex B; TS 33.220 for GBA users).
#include <memory>

#include "config/kms_config_loader.h"
#include "transport/endpoint.h"

namespace mikey::config::detail {

void Loader::load_users(const Map& root, LoadedKmsConfig& out) {
  const Field* users = root.get("users");
  if (users == nullptr) return;
  for (const Field& e : list(*users)) {
    Map u(*this, e,
          {"identity", "psk", "psk_id", "gba", "peer_kms", "resolves_for", "tls_names",
           "mac_identity", "key_lookup"});
    roles::KmsUser user;
    const Field& id = u.require("identity");
    user.identity = identity(id, codec::IdType::uri);
    for (std::size_t i = 0; i < out.kms.users.size(); ++i) {
      if (out.kms.users[i].identity == user.identity) {
        fail(id.mark, id.path + ": duplicate user identity '" + identity_text(user.identity) +
                          "' (first at line " + std::to_string(user_marks_[i].line + 1) + ")");
      }
    }
    if (const Field* f = u.get("peer_kms")) user.peer_kms = boolean(*f);
    load_peer_user(u, user);
    if (const Field* f = u.get("resolves_for")) {
      for (const Field& r : list(*f)) user.resolves_for.push_back(identity(r, codec::IdType::uri));
    }
    const Field* psk = u.get("psk");
    const Field* gba = u.get("gba");
    if ((psk == nullptr) == (gba == nullptr)) {
      fail(e.key_mark, e.path + ": give exactly one credential: psk (with psk_id) or gba");
    }
    if (psk != nullptr) {
      std::optional<Identity> psk_id;
      if (const Field* f = u.get("psk_id")) psk_id = identity(*f, codec::IdType::byte_string);
      if (user.peer_kms && !psk_id && user.tls_names.empty()) {
        // Its key is found by IDRpsk or by the certificate it presents on the link (tls_names),
        // never by the forwarded IDRr (B.0-6).
        fail(psk->key_mark, e.path +
                                ": a peer KMS (peer_kms: true) needs a psk_id or tls_names: its "
                                "key is found by IDRpsk or by its link certificate");
      }
      // RFC 6043 §12.1: keys of at least 128 bits.
      Bytes key = hex(*psk, 16, 1024);
      user.credential =
          std::make_shared<const roles::PskCredential>(crypto::SecureBytes(key), psk_id);
      roles::wipe(key);
    } else {
      if (const Field* f = u.get("psk_id")) {
        fail(f->key_mark, f->path + ": a GBA user's IDRpsk is its B-TID (gba.btid)");
      }
      if (user.peer_kms) fail(gba->key_mark, e.path + ": a peer KMS cannot be a GBA user");
      Map g(*this, *gba, {"ks", "rand", "impi", "btid"});
      if (naf_fqdn_.empty()) {
        fail(gba->key_mark, gba->path +
                                ": GBA users need kms.naf_fqdn (the NAF_Id of the "
                                "Ks_NAF derivation, TS 33.220 B.3)");
      }
      roles::GbaMaterial m;
      Bytes ks = hex(g.require("ks"), 32, 32);  // Ks = CK || IK
      m.ks = crypto::SecureBytes(ks);
      roles::wipe(ks);
      m.rand = hex(g.require("rand"), 16, 16);
      m.impi = nonempty_string(g.require("impi"));
      m.btid = nonempty_string(g.require("btid"));
      auto cred = roles::gba_credential(m, naf_fqdn_);
      if (!cred.ok()) fail(gba->mark, gba->path + ": the Ks_NAF derivation failed");
      user.credential = std::move(cred).value();
    }
    // Two users with one IDRpsk would make the key lookup ambiguous.
    const auto* mine = roles::as_psk(user.credential.get());
    for (std::size_t i = 0; i < out.kms.users.size(); ++i) {
      const auto* theirs = roles::as_psk(out.kms.users[i].credential.get());
      if (mine->psk_id() && theirs != nullptr && theirs->psk_id() &&
          *mine->psk_id() == *theirs->psk_id()) {
        const Field* at = u.get("psk_id") != nullptr ? u.get("psk_id") : gba;
        fail(at->mark, e.path + ": IDRpsk '" + identity_text(*mine->psk_id()) +
                           "' is already used by the user at line " +
                           std::to_string(user_marks_[i].line + 1));
      }
    }
    user_marks_.push_back(id.mark);
    out.kms.users.push_back(std::move(user));
  }
}

void Loader::load_ticket_keys(const Map& root, LoadedKmsConfig& out) {
  const Field* keys = root.get("ticket_keys");
  if (keys == nullptr) return;
  std::vector<YAML::Mark> marks;
  for (const Field& e : list(*keys)) {
    Map k(*this, e, {"id", "format", "tpk", "encr", "mac", "shared_with"});
    roles::TicketKey key;
    const Field& id = k.require("id");
    key.id = to_bytes(nonempty_string(id));
    key.format = ticket_format(k.require("format"));
    for (std::size_t i = 0; i < out.kms.ticket_keys.size(); ++i) {
      const roles::TicketKey& other = out.kms.ticket_keys[i];
      if (other.id == key.id && other.format == key.format) {
        fail(id.mark, id.path + ": duplicate ticket key id '" + nonempty_string(id) +
                          "' for this format (first at line " + std::to_string(marks[i].line + 1) +
                          ")");
      }
    }
    Bytes tpk = hex(k.require("tpk"), 16, 1024);  // RFC 6043 §12.1: at least 128 bits
    key.tpk = crypto::SecureBytes(tpk);
    roles::wipe(tpk);
    if (const Field* f = k.get("encr")) key.encr = code_point<codec::EncrAlg>(*f, "EncrAlg");
    if (const Field* f = k.get("mac")) key.mac = code_point<codec::MacAlg>(*f, "MacAlg");
    if (const Field* f = k.get("shared_with")) {
      Identity who = identity(*f, codec::IdType::uri);
      bool known = false;
      for (const roles::KmsUser& u : out.kms.users) known |= !u.peer_kms && u.identity == who;
      if (!known) {
        fail(f->mark, f->path + ": '" + identity_text(who) +
                          "' is not a user of this KMS (a mode-3 key is shared with a user)");
      }
      key.shared_with = std::move(who);
    }
    marks.push_back(id.mark);
    out.kms.ticket_keys.push_back(std::move(key));
  }
}

// docs/latitude.md "link-mac-identity": idrr | kms_r (a KMS_I's `any` accepts both); a KMS_R
// spells its own identity `self`.
roles::LinkMacIdentity link_mac_identity(const Loader& l, const Field& f, bool receiver) {
  const std::string v = l.string(f);
  if (v == "idrr") return roles::LinkMacIdentity::forwarded_idrr;
  if (receiver && v == "kms_r") return roles::LinkMacIdentity::kms_r;
  if (receiver && v == "any") return roles::LinkMacIdentity::any;
  if (!receiver && v == "self") return roles::LinkMacIdentity::kms_r;
  l.fail(f.mark, f.path + (receiver ? ": expected idrr, kms_r or any" : ": expected idrr or self"));
}

// A peer KMS user's link keys (KMS_I side): the certificate names that authenticate it, which
// MAC identity it may use, whether its certificate outranks an IDRpsk.
void Loader::load_peer_user(const Map& u, roles::KmsUser& user) {
  const char* keys[] = {"tls_names", "mac_identity", "key_lookup"};
  for (const char* k : keys) {
    const Field* f = u.get(k);
    if (f != nullptr && !user.peer_kms) {
      fail(f->key_mark, f->path + ": only for a peer KMS (peer_kms: true)");
    }
  }
  if (const Field* f = u.get("tls_names")) {
    for (const Field& n : list(*f)) user.tls_names.push_back(nonempty_string(n));
  }
  if (const Field* f = u.get("mac_identity"))
    user.mac_identity = link_mac_identity(*this, *f, true);
  // docs/latitude.md "link-key-lookup".
  if (const Field* f = u.get("key_lookup")) {
    user.tls_identity_first = either(*f, "idrpsk_first", "tls_first");
  }
}

// What this KMS (as KMS_R) puts into its RESOLVE_INIT to the peer (docs/latitude.md).
void Loader::load_peer_knobs(const Map& m, roles::PeerKms& peer) {
  if (const Field* f = m.get("send_idrpsk")) peer.send_idrpsk = boolean(*f);
  if (const Field* f = m.get("mac_identity"))
    peer.mac_identity = link_mac_identity(*this, *f, false);
  if (const Field* f = m.get("forward_idrr")) {
    peer.forward_idrr = either(*f, "copy", "authenticated") ? roles::ForwardedIdrr::authenticated
                                                            : roles::ForwardedIdrr::copy;
  }
  if (const Field* f = m.get("default")) peer.default_route = boolean(*f);
}

// How long and how many of KMS_R's requests may wait on this peer (`peers[].link`).
void Loader::load_peer_link(const Map& m, PeerEndpoint& ep) {
  const Field* link = m.get("link");
  if (link == nullptr) return;
  std::vector<std::string_view> keys;
  for (const LinkLimit& k : link_limits()) keys.push_back(k.key);
  Map l(*this, *link, std::span<const std::string_view>(keys));
  for (const LinkLimit& k : link_limits()) {
    if (const Field* f = l.get(k.key))
      ep.*k.field = static_cast<std::uint32_t>(integer(*f, k.min, k.max));
  }
}

// https://HOST[:PORT][/PATH]; the port defaults to 443.
void parse_peer_url(const Loader& l, const Field& f, PeerEndpoint& p) {
  const std::string url = l.string(f);
  p.url = url;
  if (url.starts_with("http://")) {
    // TS 33.328 §6.2.3.8: KMSs are mutually authenticated and their signalling is integrity and
    // confidentiality protected, so plain HTTP between KMSs is refused.
    l.fail(f.mark, f.path +
                       ": a peer KMS is reached over https only (TS 33.328 §6.2.3.8: "
                       "mutually authenticated, confidentiality protected)");
  } else if (!url.starts_with("https://")) {
    l.fail(f.mark, f.path + ": expected https://HOST[:PORT][/PATH]");
  }
  auto e = transport::parse_endpoint(url);
  if (!e.ok()) l.fail(f.mark, f.path + ": " + e.error().message);
  p.tls = true;
  p.path = e->path;
  if (p.path.find('?') != std::string::npos || p.path.find('#') != std::string::npos) {
    l.fail(f.mark, f.path + ": the URL must not carry a query or fragment (requesttype is added)");
  }
  if (e->port == 0) l.fail(f.mark, f.path + ": the port must not be 0");
  p.host = e->host;
  p.port = e->port;
}

void Loader::load_peers(const Map& root, LoadedKmsConfig& out) {
  const Field* peers = root.get("peers");
  if (peers == nullptr) return;
  for (const Field& e : list(*peers)) {
    Map m(*this, e,
          {"identity", "url", "issuers", "psk", "psk_id", "algorithms", "tls", "send_idrpsk",
           "mac_identity", "forward_idrr", "default", "link"});
    roles::PeerKms peer;
    PeerEndpoint ep;
    const Field& id = m.require("identity");
    peer.identity = identity(id, codec::IdType::uri);
    if (peer.identity == out.kms.identity) {
      fail(id.mark, id.path + ": a KMS cannot be its own peer");
    }
    for (const roles::PeerKms& other : out.kms.peers) {
      if (other.identity == peer.identity) {
        fail(id.mark, id.path + ": duplicate peer identity '" + identity_text(peer.identity) + "'");
      }
    }
    parse_peer_url(*this, m.require("url"), ep);
    if (const Field* f = m.get("issuers")) {
      for (const Field& i : list(*f)) peer.issuers.push_back(identity(i, codec::IdType::uri));
    } else {
      peer.issuers.push_back(peer.identity);
    }
    load_peer_knobs(m, peer);
    // The key this KMS uses towards the peer; the peer knows it as a peer_kms user with the
    // same psk_id (the IDRpsk of our forwarded RESOLVE_INIT, B.1-2), or by our certificate.
    std::optional<Identity> psk_id;
    if (peer.send_idrpsk || m.get("psk_id") != nullptr) {
      psk_id = identity(m.require("psk_id"), codec::IdType::byte_string);
    }
    Bytes key = hex(m.require("psk"), 16, 1024);
    peer.credential =
        std::make_shared<const roles::PskCredential>(crypto::SecureBytes(key), std::move(psk_id));
    roles::wipe(key);
    if (peer.default_route) {
      for (const roles::PeerKms& other : out.kms.peers) {
        if (other.default_route) {
          fail(m.get("default")->mark, e.path + ": only one peer can be the default");
        }
      }
    }
    if (const Field* f = m.get("algorithms")) peer.algorithms = algorithms(*f);
    load_peer_link(m, ep);
    const Field* tls = m.get("tls");
    if (tls == nullptr) {
      fail(e.key_mark, e.path +
                           ": a peer KMS needs tls {ca, cert, key}: KMS-to-KMS signalling "
                           "is mutual TLS (TS 33.328 §6.2.3.8)");
    }
    Map t(*this, *tls, {"ca", "cert", "key", "server_name"});
    ep.ca = file(t.require("ca"));
    ep.cert = file(t.require("cert"));
    ep.key = file(t.require("key"));
    if (const Field* f = t.get("server_name")) ep.server_name = nonempty_string(*f);
    ep.identity = peer.identity;
    out.kms.peers.push_back(std::move(peer));
    out.peers.push_back(std::move(ep));
  }
}

}  // namespace mikey::config::detail
