// The chaining roles end to end (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex B): the kms_r and kms_i
// suites against their embedded defaults (a reference KMS_R calling the harness KMS_I, a
// reference KMS_I answering the harness KMS_R, over HTTPS with mutual TLS from a throwaway PKI),
// faulty variants of each that the suites must catch, and the schema and setup errors of the
// chaining profile keys. Real loopback sockets throughout.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "codec/message.h"
#include "harness/chain_setup.h"
#include "harness/engine.h"
#include "harness/loader.h"
#include "harness/mutate.h"
#include "harness/tests/test_support.h"
#include "roles/credential.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {
namespace {

namespace transport = mikey::transport;
namespace codec = mikey::codec;
namespace roles = mikey::roles;
using mikey::Bytes;
using mikey::ByteView;

std::filesystem::path profile_path(const std::string& stem) {
  return testing::cases_dir() / "profiles" / (stem + ".yaml");
}

SutProfile load(const std::string& stem) {
  auto p = load_profile(profile_path(stem));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? std::move(p).value() : SutProfile{};
}

std::size_t cases_of(SutRole role) {
  std::size_t n = 0;
  for (const Scenario& s : testing::suite()) n += s.sut_role == role ? 1 : 0;
  return n;
}

std::map<std::string, Verdict> verdicts(const RunResult& run) {
  std::map<std::string, Verdict> v;
  for (const CaseResult& c : run.cases) v[c.id] = c.verdict;
  return v;
}

std::string not_passed(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (c.verdict != Verdict::pass) {
      out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
    }
  }
  return out;
}

void print(const char* what, const RunResult& run, double seconds) {
  const Summary s = run.summary();
  std::string failing;
  for (const CaseResult& c : run.cases)
    if (c.verdict == Verdict::fail) failing += " " + c.id;
  std::printf(
      "[ chain    ] %s: %zu cases in %.2f s: %zu pass, %zu fail, %zu error, %zu "
      "inconclusive, %zu skipped%s%s\n",
      what, s.total, seconds, s.pass, s.fail, s.error, s.inconclusive, s.skipped,
      failing.empty() ? "" : "; failing:", failing.c_str());
}

// The whole suite of `profile`'s role against its embedded reference, optionally faulty.
RunResult run_embedded(const SutProfile& profile, const ChainSetupOptions& options,
                       const char* what, RunOptions run_options = {}) {
  auto setup = profile.role == SutRole::kms_r ? prepare_kms_r(profile, true, options)
                                              : prepare_kms_i(profile, true, options);
  EXPECT_TRUE(setup.ok()) << (setup.ok() ? "" : setup.error().message);
  if (!setup.ok()) return {};
  run_options.strict = true;
  run_options.seed = 20261130;
  const auto start = std::chrono::steady_clock::now();
  RunResult run =
      run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, run_options);
  print(what, run, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return run;
}

// ---- The embedded defaults pass their suites (through run_configured_suite, as `mikeyconf
// run --sut cases/profiles/reference-kms-*.yaml --embedded` calls it) ----

void expect_clean_run(const std::string& stem, SutRole role, const std::string& sanity) {
  SuiteConfig config;
  config.cases_dir = testing::cases_dir();
  config.profile = profile_path(stem);
  config.baseline = testing::cases_dir() / "baselines" / (stem + ".yaml");
  config.embedded = true;
  config.options.strict = true;
  const auto start = std::chrono::steady_clock::now();
  auto run = run_configured_suite(config);
  ASSERT_TRUE(run.ok()) << run.error().message;
  print(stem.c_str(), run.value(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  const Summary s = run->summary();
  EXPECT_EQ(s.total, cases_of(role));
  EXPECT_GE(s.total, 10u);
  EXPECT_EQ(s.pass, s.total) << not_passed(run.value());
  EXPECT_EQ(run->exit_code(), 0);
  ASSERT_FALSE(run->cases.empty());
  EXPECT_EQ(run->cases.front().id, sanity);
  ASSERT_EQ(run->health.size(), 2u);
  EXPECT_TRUE(run->health.back().ok);
  for (const CaseResult& c : run->cases) {
    EXPECT_NE(c.replay.find("--embedded --sut "), std::string::npos) << c.replay;
    EXPECT_FALSE(c.transcript.empty()) << c.id;
  }
}

TEST(ChainingE2ETest, TheReferenceKmsRPassesTheKmsRSuite) {
  expect_clean_run("reference-kms-r", SutRole::kms_r, "kms_r.sanity");
}

TEST(ChainingE2ETest, TheReferenceKmsIPassesTheKmsISuite) {
  expect_clean_run("reference-kms-i", SutRole::kms_i, "kms_i.sanity");
}

TEST(ChainingE2ETest, ThePlainHttpLinkRunsWhenTheProfileSaysSo) {
  // chaining.url http: no TLS on the link; the mutual-TLS cases are skipped for want of the
  // capability, everything else passes.
  for (const char* stem : {"reference-kms-r", "reference-kms-i"}) {
    SCOPED_TRACE(stem);
    SutProfile p = load(stem);
    p.chaining->url = "http://127.0.0.1:0";
    p.chaining->scheme = "http";
    p.chaining->tls.reset();
    p.chaining->ephemeral_pki = false;
    std::erase(p.capabilities, "kms-link:mutual-tls");
    RunResult run = run_embedded(p, {}, stem);
    const Summary s = run.summary();
    EXPECT_EQ(s.fail + s.error + s.inconclusive, 0u) << not_passed(run);
    EXPECT_GE(s.skipped, 1u);
    EXPECT_EQ(s.pass + s.skipped, s.total);
  }
}

// ---- Faulty KMS_R variants ----

// The offset of the first payload of type `t` in `m` (its Next payload byte), or nullopt.
std::optional<std::size_t> payload_offset(const roles::Received& r, codec::PayloadType t) {
  const codec::Payload* p = roles::find_payload(r.message(), t);
  if (p == nullptr) return std::nullopt;
  ByteView b = roles::payload_bytes(r.bytes, *p);
  if (b.empty()) return std::nullopt;
  return static_cast<std::size_t>(b.data() - r.bytes.data());
}

TEST(ChainingE2ETest, AKmsRThatCorruptsForkedKeysWhenReEncodingIsCaught) {
  // Re-encoding broken for forked keys: one bit of the KEMAC it built for the Responder flips
  // whenever the answer carries a forking modifier (RANDRkms).
  ChainSetupOptions o;
  o.wrap_sut = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      const roles::Received r = roles::receive(a.mikey);
      if (!r.parsed.ok() || r.message().hdr.data_type != codec::DataType::resolve_resp ||
          roles::find_randr(r.message().payloads, codec::RandRole::randrkms) == nullptr) {
        return a;
      }
      const codec::Payload* k = roles::find_payload(r.message(), codec::PayloadType::kemac);
      auto at = payload_offset(r, codec::PayloadType::kemac);
      if (k != nullptr && at) {
        // KEMAC = Next, Encr alg, Encr data len (2), Encr data, Mac alg (NULL): the byte before
        // the last is encrypted key data.
        const std::size_t end = *at + roles::payload_bytes(r.bytes, *k).size();
        a.mikey[end - 2] ^= 0x80;
      }
      return a;
    };
  };
  RunResult run = run_embedded(load("reference-kms-r"), o, "kms_r corrupting forked keys");
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms_r.sanity"), Verdict::pass);
  EXPECT_EQ(v.at("kms_r.chain.forking"), Verdict::fail);
  EXPECT_EQ(v.at("kms_r.chain.re-encoding"), Verdict::pass);
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(ChainingE2ETest, AKmsRThatForwardsBeforeCheckingTheResponderMacIsCaught) {
  // Skips B.1-1: every Responder RESOLVE_INIT is re-MACed with that Responder's PSK before the
  // reference KMS_R sees it, so a bad MAC is never noticed and the ticket goes to KMS_I.
  const SutProfile profile = load("reference-kms-r");
  ChainSetupOptions o;
  o.wrap_sut = [profile](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner, profile](transport::RequestType t, ByteView req) {
      if (t != transport::RequestType::ticket_resolve) return inner(t, req);
      const roles::Received r = roles::receive(req);
      const auto* psk_id =
          r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrpsk) : nullptr;
      const auto* idr =
          r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
      for (const UserProfile& u : profile.users) {
        if (psk_id == nullptr || idr == nullptr || !u.psk_id || u.psk_id->data != psk_id->data) {
          continue;
        }
        ProtectionKeys keys{u.psk, idr->data, profile.kms_identity.data, true};
        auto fixed = re_protect(req, keys);
        if (fixed.ok()) return inner(t, fixed.value());
      }
      return inner(t, req);
    };
  };
  RunResult run = run_embedded(profile, o, "kms_r ignoring the Responder's MAC");
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms_r.sanity"), Verdict::pass);
  EXPECT_EQ(v.at("kms_r.before-kms-i.bad-mac"), Verdict::fail);
  EXPECT_EQ(run.exit_code(), 1);
}

// ---- Faulty KMS_I variants ----

TEST(ChainingE2ETest, AKmsIThatLooksUpTheKeyByTheForwardedIdrrIsCaught) {
  // B.0-6 broken: when a forward's IDRr names one of its own users, this KMS_I takes that
  // user's key (emulated by dropping KMS_R's IDRpsk before the reference sees the request, so
  // the reference falls back to the IDRr). Forwards for Responders it does not know, and its own
  // users' direct requests, still work.
  const SutProfile profile = load("reference-kms-i");
  std::set<Bytes> own;
  for (const UserProfile& u : profile.users)
    if (u.home != UserHome::peer) own.insert(u.identity.data);
  const Bytes link_psk_id = profile.chaining->psk_id->data;
  ChainSetupOptions o;
  // Without IDRpsk the reference would key the forward by KMS_R's link certificate
  // (docs/latitude.md "link-idrpsk"); this KMS_I knows no certificate names.
  o.edit_sut_config = [](roles::KmsConfig& c) {
    for (roles::KmsUser& u : c.users) u.tls_names.clear();
  };
  o.wrap_sut = [own, link_psk_id](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner, own, link_psk_id](transport::RequestType t, ByteView req) {
      if (t != transport::RequestType::ticket_resolve) return inner(t, req);
      const roles::Received r = roles::receive(req);
      if (!r.parsed.ok()) return inner(t, req);
      const auto* idr = roles::find_idr(r.message().payloads, codec::IdRole::idrr);
      const auto* psk_id = roles::find_idr(r.message().payloads, codec::IdRole::idrpsk);
      const auto psk_at = testing::idr_index(r.message(), codec::IdRole::idrpsk);
      const bool forwarded = psk_id != nullptr && psk_id->data == link_psk_id;
      if (idr == nullptr || !psk_at || !forwarded || own.count(idr->data) == 0) {
        return inner(t, req);
      }
      Mutation drop;
      drop.knob = Knob::delete_field;
      drop.field = "payload[IDR:" + std::to_string(*psk_at) + "]";
      auto lookup_by_idrr = apply_mutation(req, drop);
      return lookup_by_idrr.ok() ? inner(t, lookup_by_idrr.value()) : inner(t, req);
    };
  };
  RunResult run = run_embedded(profile, o, "kms_i keyed by the forwarded IDRr");
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms_i.sanity"), Verdict::pass);
  EXPECT_EQ(v.at("kms_i.chain.responder-known-to-both"), Verdict::fail);
  EXPECT_EQ(v.at("kms_i.chain.own-user-direct"), Verdict::pass);  // no IDRpsk mismatch there
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(ChainingE2ETest, AKmsIThatIgnoresTheKmsRMacIsCaught) {
  // Accepts whatever MAC KMS_R sent: every forward is re-MACed with the KMS-to-KMS key before
  // the reference KMS_I sees it.
  const SutProfile profile = load("reference-kms-i");
  ChainSetupOptions o;
  o.wrap_sut = [profile](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner, profile](transport::RequestType t, ByteView req) {
      const ChainingSpec& link = *profile.chaining;
      const roles::Received r = roles::receive(req);
      const auto* psk_id =
          r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrpsk) : nullptr;
      const auto* idr =
          r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
      if (t != transport::RequestType::ticket_resolve || psk_id == nullptr || idr == nullptr ||
          !link.psk_id || psk_id->data != link.psk_id->data) {
        return inner(t, req);
      }
      auto fixed =
          re_protect(req, ProtectionKeys{link.psk, idr->data, profile.kms_identity.data, true});
      return fixed.ok() ? inner(t, fixed.value()) : inner(t, req);
    };
  };
  RunResult run = run_embedded(profile, o, "kms_i ignoring KMS_R's MAC");
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms_i.sanity"), Verdict::pass);
  EXPECT_EQ(v.at("kms_i.link.bad-mac"), Verdict::fail);
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(ChainingE2ETest, AKmsRWithAWrongLinkKeyFailsTheOpeningSanityCheck) {
  // Its KMS-to-KMS PSK is not the one KMS_I knows: KMS_I refuses every forward (Auth failure),
  // so the SUT cannot resolve anything and the run stops after the opening sanity case.
  ChainSetupOptions o;
  o.edit_sut_config = [](roles::KmsConfig& c) {
    for (roles::PeerKms& peer : c.peers) {
      const auto* psk = roles::as_psk(peer.credential.get());
      ASSERT_NE(psk, nullptr);
      Bytes wrong(psk->psk().begin(), psk->psk().end());
      wrong.front() ^= 0x01;
      peer.credential = std::make_shared<const roles::PskCredential>(
          mikey::crypto::SecureBytes(wrong), psk->psk_id());
    }
  };
  RunResult run = run_embedded(load("reference-kms-r"), o, "kms_r with a wrong link key");
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms_r.sanity"), Verdict::fail);
  EXPECT_EQ(v.at("kms_r.chain.three-party"), Verdict::error);
  EXPECT_EQ(run.exit_code(), 1);
}

// ---- Schema and setup errors ----

TEST(ChainingSchemaTest, ProfileKeysAreCheckedWithPositions) {
  const std::string base =
      "name: x\nrole: kms_r\nbase_url: http://127.0.0.1:0\n"
      "kms_config: {kms: {identity: sip:k}, users: [{identity: sip:a, psk: "
      "000102030405060708090a0b0c0d0e0f}]}\n"
      "users:\n  a: {identity: sip:a, home: peer}\n"
      "parties: {initiator: a, responder: a}\n";
  auto missing = parse_profile_text(base, "p.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().to_string().find("p.yaml:2:"), std::string::npos)
      << missing.error().to_string();
  EXPECT_NE(missing.error().to_string().find("needs chaining"), std::string::npos);
  auto bad_home = parse_profile_text(
      "name: x\nrole: kms\nbase_url: http://127.0.0.1:0\n"
      "kms_config: {kms: {identity: sip:k}, users: [{identity: sip:a, psk: "
      "000102030405060708090a0b0c0d0e0f}]}\n"
      "users:\n  a: {identity: sip:a, home: peer}\n"
      "parties: {initiator: a, responder: a}\n",
      "k.yaml");
  ASSERT_FALSE(bad_home.ok());
  EXPECT_NE(bad_home.error().to_string().find("home: is for role kms_r or kms_i"),
            std::string::npos)
      << bad_home.error().to_string();
  auto unknown =
      parse_profile_text(base +
                             "chaining:\n  peer_identity: sip:i\n  url: "
                             "http://127.0.0.1:0\n  psk: 000102030405060708090a0b0c0d0e0f\n"
                             "  colour: blue\n",
                         "u.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().to_string().find("u.yaml:12:"), std::string::npos)
      << unknown.error().to_string();
  auto no_tls =
      parse_profile_text(base +
                             "chaining:\n  peer_identity: sip:i\n  url: "
                             "https://127.0.0.1:0\n  psk: 000102030405060708090a0b0c0d0e0f\n",
                         "t.yaml");
  ASSERT_FALSE(no_tls.ok());
  EXPECT_NE(no_tls.error().to_string().find("needs tls"), std::string::npos);
  auto ok =
      parse_profile_text(base +
                             "chaining:\n  peer_identity: sip:i\n  url: "
                             "https://127.0.0.1:8443\n  psk: 000102030405060708090a0b0c0d0e0f\n"
                             "  psk_id: l\n  tls: ephemeral\n  peer_timeout_ms: 700\n",
                         "o.yaml");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->chaining->port, 8443);
  EXPECT_TRUE(ok->chaining->ephemeral_pki);
  EXPECT_EQ(ok->chaining->peer_timeout_ms, 700u);
  EXPECT_EQ(ok->users[0].home, UserHome::peer);
}

TEST(ChainingSchemaTest, ScenarioRulesFollowTheRole) {
  auto parse = [](const std::string& role, const std::string& steps) {
    return parse_scenario_text(
        "id: c.x\ntitle: t\nrequirements: [B.0-6]\nlevel: SHALL\n"
        "sut_role: " +
            role + "\nsteps:\n" + steps,
        "s.yaml", &testing::requirements());
  };
  const std::string relay =
      "  - send: REQUEST_INIT_PSK\n  - send: RESOLVE_INIT_PSK\n    from: kms_r\n"
      "  - expect: {outcome: granted}\n";
  EXPECT_TRUE(parse("kms_i", relay).ok());
  auto wrong_role = parse("kms_r", relay);
  ASSERT_FALSE(wrong_role.ok());
  EXPECT_NE(wrong_role.error().to_string().find("s.yaml:9:"), std::string::npos)
      << wrong_role.error().to_string();
  auto tap_in_kms_i = parse("kms_i",
                            "  - send: REQUEST_INIT_PSK\n  - send: RESOLVE_INIT_PSK\n"
                            "  - expect: {forwarded.count: 1}\n");
  ASSERT_FALSE(tap_in_kms_i.ok());
  EXPECT_NE(tap_in_kms_i.error().to_string().find("sut_role kms_r"), std::string::npos);
  auto bad_answer = parse("kms_r",
                          "  - send: REQUEST_INIT_PSK\n  - send: RESOLVE_INIT_PSK\n"
                          "    set: {kms_i.answer: sulk}\n  - expect: {outcome: refused}\n");
  ASSERT_FALSE(bad_answer.ok());
  EXPECT_NE(bad_answer.error().to_string().find("s.yaml:9:"), std::string::npos)
      << bad_answer.error().to_string();
  EXPECT_NE(bad_answer.error().to_string().find("not_mikey"), std::string::npos);
  auto link_without_relay =
      parse("kms_i",
            "  - send: REQUEST_INIT_PSK\n  - send: RESOLVE_INIT_PSK\n"
            "    set: {link.client_certificate: false}\n  - expect: {outcome: refused}\n");
  ASSERT_FALSE(link_without_relay.ok());
  EXPECT_NE(link_without_relay.error().to_string().find("from: kms_r"), std::string::npos);
  auto unknown_tap = parse("kms_r",
                           "  - send: REQUEST_INIT_PSK\n  - send: RESOLVE_INIT_PSK\n"
                           "  - expect: {forwarded.colour: 1}\n");
  ASSERT_FALSE(unknown_tap.ok());
  EXPECT_NE(unknown_tap.error().to_string().find("unknown check"), std::string::npos);
}

TEST(ChainingSchemaTest, SetupRefusesWhatASutOfItsOwnCannotUse) {
  // An ephemeral PKI or a port-0 link only make sense for the embedded SUT: exit code 2.
  SutProfile r = load("reference-kms-r");
  auto ephemeral = prepare_sut(r, false);
  ASSERT_FALSE(ephemeral.ok());
  EXPECT_EQ(ephemeral.error().exit_code, 2);
  EXPECT_NE(ephemeral.error().message.find("ephemeral"), std::string::npos);
  r.chaining->url = "http://127.0.0.1:0";
  r.chaining->scheme = "http";
  r.chaining->tls.reset();
  r.chaining->ephemeral_pki = false;
  auto port0 = prepare_sut(r, false);
  ASSERT_FALSE(port0.ok());
  EXPECT_EQ(port0.error().exit_code, 2);
  EXPECT_NE(port0.error().message.find("port 0"), std::string::npos);
  SutProfile i = load("reference-kms-i");
  std::erase_if(i.users, [](const UserProfile& u) { return u.home != UserHome::sut; });
  auto no_peer_users = prepare_sut(i, true);
  ASSERT_FALSE(no_peer_users.ok());
  EXPECT_EQ(no_peer_users.error().exit_code, 2);
}

}  // namespace
}  // namespace mikeyconf::harness
