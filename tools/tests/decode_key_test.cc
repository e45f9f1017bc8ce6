// `mikeyconf decode --key` in-process (tools/decode_key.h) on messages the reference roles built
// with known keys (tests/data/keyed/*.hex, the keys of cases/profiles/reference.yaml): the
// message's MAC under its PSK, a TICKET opened with its TPK, a wrong key and a modified message
// refused, the JSON member and the exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode_run.h"
#include "inspect/json.h"

namespace mikeyconf::tools {
namespace {

using inspect::Json;

constexpr std::string_view kAlicePsk =
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
constexpr std::string_view kBobPsk =
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f";
constexpr std::string_view kTpk1 = "808182838485868788898a8b8c8d8e8f";
constexpr std::string_view kMismatch = "MAC does not match: wrong key or modified message";

std::string keyed(std::string_view name) {
  std::ifstream f(std::string(MIKEYCONF_TOOLS_DIR) + "/tests/data/keyed/" + std::string(name) +
                  ".hex");
  EXPECT_TRUE(f) << "cannot open " << name;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// The kemac_plaintext entry for `target` of a --json run.
Json opening(const CommandRun& r, std::string_view target) {
  auto j = inspect::parse_json(r.out);
  EXPECT_TRUE(j) << r.out;
  if (!j || !j->contains("kemac_plaintext")) return Json();
  for (const Json& o : j->at("kemac_plaintext"))
    if (o.at("target").get<std::string>() == target) return o;
  return Json();
}

TEST(DecodeKeyTest, RequestInitMacVerifiesUnderTheInitiatorsPsk) {
  const CommandRun r = run_decode({"--key", kAlicePsk}, keyed("request_init_alice"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "message (key as PSK): MAC ok, no KEMAC")) << r.out;
}

TEST(DecodeKeyTest, WrongPskIsAMacMismatchAndExit1) {
  const CommandRun r = run_decode({"--key", kBobPsk}, keyed("request_init_alice"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, std::string("message (key as PSK): ") + std::string(kMismatch)))
      << r.out;
  EXPECT_TRUE(contains(r.out, "the key opened nothing")) << r.out;
}

TEST(DecodeKeyTest, ModifiedMessageIsAMacMismatchUnderTheRightKey) {
  std::string text = keyed("request_init_alice");
  // "sip:alice@" → "sip:alicf@" in the IDRi ID data: the message still parses.
  const std::string alice = "616c696365";
  const std::size_t at = text.find(alice);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, alice.size(), "616c696366");
  const CommandRun r = run_decode({"--key", kAlicePsk}, text);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, kMismatch)) << r.out;
}

TEST(DecodeKeyTest, TicketOfARequestRespOpensUnderItsTpk) {
  const CommandRun r = run_decode({"--json", "--key", kTpk1}, keyed("request_resp_alice"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const Json ticket = opening(r, "payload[2].TICKET");
  ASSERT_TRUE(ticket.is_object()) << r.out;
  EXPECT_EQ(ticket.at("key_as"), "TPK");
  EXPECT_EQ(ticket.at("mac"), "ok");
  // RFC 6043 App. A.1: the ticket KEMAC is MPK first, then the session keys.
  const Json& keys = ticket.at("key_data");
  ASSERT_GE(keys.size(), 2u) << ticket.dump();
  EXPECT_EQ(keys[0].at("type"), "MPK");
  EXPECT_EQ(keys[0].at("key_hex").get<std::string>().size(), 32u);
  EXPECT_NE(keys[1].at("type"), "MPK");
  // Without --initial a response's own KEMAC is not tried, and that is said.
  const Json message = opening(r, "message");
  ASSERT_TRUE(message.is_object());
  EXPECT_EQ(message.at("mac"), "not_checked");
  EXPECT_TRUE(contains(message.at("problem").get<std::string>(), "initial message"));
}

TEST(DecodeKeyTest, TicketUnderAWrongTpkIsAMismatch) {
  const CommandRun r =
      run_decode({"--key", "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"}, keyed("request_resp_alice"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(
      contains(r.out, std::string("payload[2].TICKET (key as TPK): ") + std::string(kMismatch)))
      << r.out;
}

TEST(DecodeKeyTest, ResolveInitOpensAsMessageUnderThePskAndAsTicketUnderTheTpk) {
  const std::string msg = keyed("resolve_init_bob");
  const CommandRun psk = run_decode({"--json", "--key", kBobPsk}, msg);
  EXPECT_EQ(psk.code, 0) << psk.out;
  EXPECT_EQ(opening(psk, "message").at("mac"), "ok");
  const CommandRun tpk = run_decode({"--json", "--key", kTpk1}, msg);
  EXPECT_EQ(tpk.code, 0) << tpk.out;
  EXPECT_EQ(opening(tpk, "message").at("mac"), "mismatch");
  bool ticket_ok = false;
  const auto parsed = inspect::parse_json(tpk.out);
  ASSERT_TRUE(parsed);
  for (const Json& o : parsed->at("kemac_plaintext"))
    ticket_ok |= o.at("key_as") == "TPK" && o.at("mac") == "ok";
  EXPECT_TRUE(ticket_ok) << tpk.out;
}

// The key of `type` in an opening's key_data ("" when there is none).
std::string key_of(const Json& opening, std::string_view type) {
  for (const Json& k : opening.at("key_data"))
    if (k.at("type") == type) return k.at("key_hex").get<std::string>();
  return "";
}

std::string keyed_path(std::string_view name) {
  return std::string(MIKEYCONF_TOOLS_DIR) + "/tests/data/keyed/" + std::string(name) + ".hex";
}

// Two derivations agree: the TGK the KMS gave the Initiator in the REQUEST_RESP KEMAC (PSK
// keys, RFC 6043 §5.1.2, with the REQUEST_INIT's RANDRi) is the TGK it sealed in the ticket
// (TPK keys, App. A.2.1).
TEST(DecodeKeyTest, RequestRespKemacOpensWithThePskAndTheInitialMessage) {
  const std::string initial = keyed_path("request_init_alice");
  const CommandRun r =
      run_decode({"--json", "--key", kAlicePsk, "--initial", initial}, keyed("request_resp_alice"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const Json message = opening(r, "message");
  ASSERT_TRUE(message.is_object()) << r.out;
  EXPECT_EQ(message.at("mac"), "ok") << message.dump();
  const CommandRun t = run_decode({"--json", "--key", kTpk1}, keyed("request_resp_alice"));
  const std::string tgk = key_of(opening(t, "payload[2].TICKET"), "TGK");
  EXPECT_EQ(tgk.size(), 32u);
  EXPECT_EQ(key_of(message, "TGK"), tgk);
  // The KEMAC's first key is MPKi (type MPK), not the ticket's MPK.
  EXPECT_EQ(message.at("key_data")[0].at("type"), "MPK");
  EXPECT_NE(key_of(message, "MPK"), key_of(opening(t, "payload[2].TICKET"), "MPK"));
  // The wrong PSK with the right initial message: a MAC mismatch, exit 1.
  const CommandRun bad =
      run_decode({"--key", kBobPsk, "--initial", initial}, keyed("request_resp_alice"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(contains(bad.out, std::string("message (key as PSK): ") + std::string(kMismatch)))
      << bad.out;
}

TEST(DecodeKeyTest, ResolveRespKemacCarriesTheTicketsTek) {
  const CommandRun r =
      run_decode({"--json", "--key", kBobPsk, "--initial", keyed_path("resolve_init_bob")},
                 keyed("resolve_resp_bob"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const CommandRun t = run_decode({"--json", "--key", kTpk1}, keyed("resolve_init_bob"));
  const std::string tek = key_of(opening(t, "payload[4].TICKET"), "TEK");
  EXPECT_FALSE(tek.empty()) << t.out;
  EXPECT_EQ(key_of(opening(r, "message"), "TEK"), tek) << r.out;
}

// A whole exchange (RFC 6043 §4.2): the MPKi the KMS gives alice in the REQUEST_RESP KEMAC and
// bob in the RESOLVE_RESP KEMAC is one key, and it verifies the TRANSFER_INIT alice sent and
// the TRANSFER_RESP bob answered (no key forking, so MPKi protects both, §5.1.2).
TEST(DecodeKeyTest, TheMpkiTheKmsHandsOutVerifiesTheTransferExchange) {
  const CommandRun request =
      run_decode({"--json", "--key", kAlicePsk, "--initial", keyed_path("request_init_alice_tek")},
                 keyed("request_resp_alice_tek"));
  const std::string mpki = key_of(opening(request, "message"), "MPK");
  ASSERT_EQ(mpki.size(), 32u) << request.out;
  const CommandRun resolve =
      run_decode({"--json", "--key", kBobPsk, "--initial", keyed_path("resolve_init_bob")},
                 keyed("resolve_resp_bob"));
  EXPECT_EQ(key_of(opening(resolve, "message"), "MPK"), mpki) << resolve.out;

  const CommandRun init = run_decode({"--json", "--key", mpki}, keyed("transfer_init_alice_bob"));
  EXPECT_EQ(init.code, 0) << init.out;
  EXPECT_EQ(opening(init, "message").at("key_as"), "MPKi");
  EXPECT_EQ(opening(init, "message").at("mac"), "ok") << init.out;
  const CommandRun resp =
      run_decode({"--json", "--key", mpki, "--initial", keyed_path("transfer_init_alice_bob")},
                 keyed("transfer_resp_bob_alice"));
  EXPECT_EQ(resp.code, 0) << resp.out;
  EXPECT_EQ(opening(resp, "message").at("mac"), "ok") << resp.out;
}

TEST(DecodeKeyTest, InitialMessageOfTheWrongTypeOrMissing) {
  const CommandRun wrong = run_decode(
      {"--key", kBobPsk, "--initial", keyed_path("request_init_alice")}, keyed("resolve_resp_bob"));
  EXPECT_EQ(wrong.code, 1);
  EXPECT_TRUE(contains(wrong.out,
                       "the --initial message is a REQUEST_INIT_PSK, not a "
                       "RESOLVE_INIT_PSK"))
      << wrong.out;
  const CommandRun none = run_decode({"--key", kBobPsk}, keyed("resolve_resp_bob"));
  EXPECT_EQ(none.code, 1);
  EXPECT_TRUE(contains(none.out, "give the RESOLVE_INIT_PSK with --initial FILE")) << none.out;
  const CommandRun alone =
      run_decode({"--initial", keyed_path("request_init_alice")}, keyed("resolve_resp_bob"));
  EXPECT_EQ(alone.code, 2);
  EXPECT_TRUE(contains(alone.err, "--initial goes with --key")) << alone.err;
}

TEST(DecodeKeyTest, BadKeyIsAUsageError) {
  for (std::string_view bad : {"xyz", "123", ""}) {
    const CommandRun r = run_decode({"--key", bad}, keyed("request_init_alice"));
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_TRUE(contains(r.err, "--key")) << r.err;
  }
}

TEST(DecodeKeyTest, WithoutKeyNothingChanges) {
  const CommandRun r = run_decode({"--json"}, keyed("request_init_alice"));
  EXPECT_EQ(r.code, 0);
  EXPECT_FALSE(inspect::parse_json(r.out)->contains("kemac_plaintext"));
}

}  // namespace
}  // namespace mikeyconf::tools
