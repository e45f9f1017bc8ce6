// fuzz_assets --write|--check FUZZ_DIR
// Writes (or checks, exiting 1 on any difference) the seed corpora fuzz/corpus/<target>/ and
// the dictionaries fuzz/<target>.dict. Seeds are produced by the codec from the sample
// messages (codec/samples.h) and the third-party messages in tests/data/corpus, named by
// meaning; dictionaries come from the code-point tables (codec/codepoints.h). The role targets'
// seeds are recorded from exchanges the reference roles run in the world of role_world.h
// (seed corpora are recorded from real exchanges, not written by hand), and each is checked to
// reach what its name says before it is written; a seed that no longer does makes fuzz_assets
// exit 1.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "codec/codepoints.h"
#include "codec/message.h"
#include "codec/samples.h"
#include "crypto/rng.h"
#include "role_world.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"
#include "roles_sequence.h"
#include "transport/annex_a.h"
#include "transport/client.h"
#include "transport/request_parser.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace fs = std::filesystem;
using mikey::Bytes;
using namespace mikey::codec;

namespace {

// target → file name → content
using Assets = std::map<std::string, std::map<std::string, std::string>>;

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

void collect_payloads(const std::vector<Payload>& ps, mikey::ByteView msg, const std::string& name,
                      Assets& seeds) {
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const Payload& p = ps[i];
    std::string target = "payload_";
    switch (p.type) {
      case PayloadType::general_ext:
        target += "general_ext";
        break;
      default: {
        std::string t(to_string(p.type));
        for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        target += t;
      }
    }
    if (p.offset + p.length <= msg.size() && p.length > 0) {
      Bytes b(msg.begin() + p.offset, msg.begin() + p.offset + p.length);
      if (p.type != PayloadType::sign) b[0] = 0;  // a lone payload ends its chain
      seeds[target][name + "_" + std::to_string(i)] = str(b);
    }
    if (const auto* tp = p.get<TicketPolicy>()) {
      collect_payloads(tp->tp_data.payloads, msg, name + "_tpdata", seeds);
    }
    if (const auto* tk = p.get<Ticket>()) {
      collect_payloads(tk->policy.tp_data.payloads, msg, name + "_tpdata", seeds);
      collect_payloads(tk->initiator_data.payloads, msg, name + "_initdata", seeds);
      seeds["ticket_type1"][name] = str(tk->ticket_data);
      seeds["ticket_type2"][name] = str(tk->ticket_data);  // PROVISIONAL, NOT 3GPP layout
    }
  }
}

void add_message_seeds(const std::string& name, const Bytes& bytes, Assets& seeds) {
  seeds["message"][name] = str(bytes);
  seeds["roundtrip"][name] = str(bytes);
  seeds["base64"][name] = mikey::wire::base64_encode(bytes);
  seeds["hex"][name] = mikey::wire::to_hex(bytes);
  ParseOutcome out = parse_message(bytes);
  collect_payloads(out.message.payloads, bytes, name, seeds);
}

// Set when a recorded seed does not do what its name says.
bool g_bad_seed = false;

void bad_seed(const std::string& target, const std::string& name, const std::string& why) {
  std::fprintf(stderr, "fuzz_assets: seed %s/%s: %s\n", target.c_str(), name.c_str(), why.c_str());
  g_bad_seed = true;
}

// An Annex A request as the reference client sends it.
std::string annex_a_request(mikey::transport::RequestType type, mikey::ByteView mikey_bytes) {
  mikey::transport::ClientOptions o;
  o.host_header = "kms.example.org";
  return mikey::transport::AnnexAClient(o).build_request(type, mikey_bytes);
}

// The same request with its body sent as two chunks (RFC 7230 §4.1).
std::string chunked(mikey::transport::RequestType type, mikey::ByteView mikey_bytes) {
  std::string req = annex_a_request(type, mikey_bytes);
  const std::size_t head_end = req.find("\r\n\r\n");
  std::string body = req.substr(head_end + 4);
  std::string head = req.substr(0, head_end + 2);
  const std::size_t cl = head.find("Content-Length: ");
  head.erase(cl, head.find("\r\n", cl) + 2 - cl);
  head += "Transfer-Encoding: chunked\r\n\r\n";
  auto hex_size = [](std::size_t n) {
    std::string digits;
    do {
      digits.insert(digits.begin(), "0123456789abcdef"[n % 16]);
      n /= 16;
    } while (n != 0);
    return digits;
  };
  const std::size_t half = body.size() / 2;
  return head + hex_size(half) + "\r\n" + body.substr(0, half) + "\r\n" +
         hex_size(body.size() - half) + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n";
}

// http_request: requests built from the sample messages, and malformed variants of them that
// stop at each stage of validate_request (annex_a.h).
void add_http_request_seeds(Assets& seeds) {
  using mikey::transport::RequestType;
  Bytes request_init;
  Bytes resolve_init;
  for (const NamedMessage& s : sample_messages()) {
    auto bytes = serialize_message(s.message);
    if (!bytes.ok()) continue;
    if (s.name == "ticket_request_init_psk") request_init = bytes.value();
    if (s.name == "ticket_resolve_init_psk") resolve_init = bytes.value();
  }
  auto& out = seeds["http_request"];
  const std::string request = annex_a_request(RequestType::ticket_request, request_init);
  out["ticketrequest_request_init_psk"] = request;
  out["ticketresolve_resolve_init_psk"] =
      annex_a_request(RequestType::ticket_resolve, resolve_init);
  out["ticketrequest_chunked"] = chunked(RequestType::ticket_request, request_init);
  out["ticketrequest_keepalive_pipelined"] = request + request;
  Bytes failing = request_init;  // the echo handler answers HDR byte 2 = 0xff with a KMS failure
  if (failing.size() > 2) failing[2] = 0xff;
  out["ticketrequest_kms_failure"] = annex_a_request(RequestType::ticket_request, failing);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string r = request;
    r.replace(r.find(from), from.size(), to);
    return r;
  };
  out["malformed_http10"] = replace("HTTP/1.1", "HTTP/1.0");
  out["malformed_get"] = replace("POST", "GET");
  out["malformed_missing_host"] = replace("Host: kms.example.org\r\n", "");
  out["malformed_unknown_path"] = replace("/keymanagement", "/kms");
  out["malformed_unknown_requesttype"] = replace("ticketrequest", "ticketfetch");
  out["malformed_repeated_requesttype"] =
      replace("requesttype=ticketrequest", "requesttype=ticketrequest&requesttype=ticketresolve");
  out["malformed_content_type"] = replace("application/mikey", "text/plain");
  out["malformed_type_mismatch"] = replace("ticketrequest", "ticketresolve");
  std::string no_length = request;
  const std::size_t cl = no_length.find("Content-Length: ");
  no_length.erase(cl, no_length.find("\r\n", cl) + 2 - cl);
  out["malformed_no_length"] = no_length;
  std::string bad_body = request;
  bad_body[request.find("\r\n\r\n") + 5] = '*';
  out["malformed_bad_base64"] = bad_body;
  out["malformed_truncated"] = request.substr(0, request.size() - 7);
  out["malformed_expect_continue"] =
      replace("Content-Type:", "Expect: 100-continue\r\nContent-Type:");
}

// The KMS's answer to an HTTP request, as the kms_http target computes it: "" when it is a 200
// whose body is a MIKEY message of type `want`, else what went wrong.
std::string kms_http_outcome(const std::string& http, DataType want) {
  Bytes out = mikey::fuzz::kms_http_response(
      mikey::ByteView(reinterpret_cast<const std::uint8_t*>(http.data()), http.size()));  // NOLINT
  std::string text(out.begin(), out.end());
  if (text.rfind("HTTP/1.1 200 ", 0) != 0) return text.substr(0, text.find("\r\n"));
  auto body = mikey::wire::base64_decode(text.substr(text.find("\r\n\r\n") + 4));
  if (!body.ok()) return "200 without a base64 body";
  ParseOutcome parsed = parse_message(body.value());
  if (!parsed.ok()) return "200 with an unparseable MIKEY message";
  if (parsed.message.hdr.data_type != want) {
    return "answered with " + std::string(to_string(parsed.message.hdr.data_type));
  }
  return "";
}

// kms_http and its twin: REQUEST_INIT_PSK and RESOLVE_INIT_PSK recorded from Alice and Bob
// against the KMS of role_world.h at the seeds' time. Each must get REQUEST_RESP / RESOLVE_RESP
// from a fresh KMS, as every input of the target does.
void add_kms_http_seeds(Assets& seeds) {
  using mikey::transport::RequestType;
  namespace roles = mikey::roles;
  namespace world = mikey::fuzz;
  struct Case {
    std::string name;
    bool forking = false;
    roles::TicketFormat format = roles::kBaseTicket;
    bool mode3 = false;   // Alice creates the ticket herself (no Ticket Request)
    bool sha256 = false;  // Alice and Bob protect their messages with the 256-bit suite
  };
  const std::vector<Case> cases = {
      {"type1", false, roles::kBaseTicket, false, false},
      {"type1_forking", true, roles::kBaseTicket, false, false},
      {"type2", false, roles::kProvisionalType2, false, false},
      {"type1_sha256", false, roles::kBaseTicket, false, true},
      {"mode3", false, roles::kBaseTicket, true, false},
      {"mode3_forking", true, roles::kBaseTicket, true, false},
  };
  std::map<std::string, std::string> recorded;
  auto record = [&](const std::string& name, RequestType type, const Bytes& mikey_bytes,
                    DataType want) {
    std::string http = annex_a_request(type, mikey_bytes);
    std::string why = kms_http_outcome(http, want);
    if (!why.empty()) bad_seed("kms_http", name, why);
    recorded[name] = http;
    if (type == RequestType::ticket_request) {
      std::string c = chunked(type, mikey_bytes);
      why = kms_http_outcome(c, want);
      if (!why.empty()) bad_seed("kms_http", name + "_chunked", why);
      recorded[name + "_chunked"] = c;
    }
  };
  for (const Case& c : cases) {
    roles::ManualClock clock(world::seed_time());
    mikey::crypto::DeterministicRng rng(1);
    const roles::Algorithms algs = c.sha256 ? roles::kSuite256 : roles::kSuite128;
    roles::KmsConfig kc = world::kms_config();
    roles::InitiatorConfig ac = world::alice_config();
    roles::ResponderConfig bc = world::bob_config();
    ac.algorithms = algs;  // same PSKs, other PRF / MAC / Encr for the messages
    bc.algorithms = algs;
    roles::Kms kms(std::move(kc), clock, rng);
    roles::Initiator alice(std::move(ac), clock, rng);
    roles::Responder bob(std::move(bc), clock, rng);
    roles::TicketRequest r = world::ticket_request(c.forking, c.format, algs);
    if (c.mode3) {
      if (!alice.create_ticket(r, world::mode3_key(roles::kSuite128)).ok()) {
        bad_seed("kms_http", c.name, "create_ticket failed");
        continue;
      }
    } else {
      auto init = alice.request_ticket(r);
      if (!init.ok()) {
        bad_seed("kms_http", c.name, "request_ticket failed");
        continue;
      }
      record("ticketrequest_alice_" + c.name, RequestType::ticket_request, init.value(),
             DataType::request_resp);
      roles::KmsReply reply = kms.handle_request_init(init.value());
      if (!alice.process_request_resp(reply.message).ok()) {
        bad_seed("kms_http", c.name, "REQUEST_RESP refused");
        continue;
      }
    }
    roles::TransferOptions o;
    o.responder = world::bob_id();
    auto transfer = alice.transfer_init(o);
    if (!transfer.ok()) {
      bad_seed("kms_http", c.name, "transfer_init failed");
      continue;
    }
    auto step = bob.process_transfer_init(transfer.value());
    if (!step.ok() || step->action != roles::ResponderAction::send_resolve_init) {
      bad_seed("kms_http", c.name, "no RESOLVE_INIT");
      continue;
    }
    record("ticketresolve_bob_" + c.name, RequestType::ticket_resolve, step->message,
           DataType::resolve_resp);
  }
  for (const auto& [name, http] : recorded) {
    seeds["kms_http"][name] = http;
    seeds["kms_http_fuzzmode"][name] = http;
  }
}

// roles_sequence and its twin: step scripts that drive the happy paths; each must end with both
// sides holding equal SRTP keys for the same exchange (and the same CSB update where one is made).
void add_roles_sequence_seeds(Assets& seeds) {
  namespace seq = mikey::fuzz::sequence;
  using seq::Step;
  auto exchange = [](seq::Script s, seq::RequestParams p = {}) -> seq::Script {
    s.add(Step::request, p)
        .add(Step::request_resp)
        .add(Step::transfer, seq::TransferParams{})
        .add(Step::resolve)
        .add(Step::resolve_resp)
        .add(Step::transfer_resp);
    return s;
  };
  seq::RequestParams forking;
  forking.forking = true;
  seq::RequestParams type2;
  type2.format = 1;
  seq::RequestParams reusable;
  reusable.tweaks = seq::kReuse;
  seq::RequestParams initiator_keys;
  initiator_keys.tweaks = seq::kInitiatorKeys;
  seq::RequestParams fresh_randrr;
  fresh_randrr.tweaks = seq::kFreshRandrr;
  seq::RequestParams tek_tgk;
  tek_tgk.tweaks = seq::kTekAndTgk;
  seq::UpdateParams update;
  update.new_keys = true;
  seq::TransferParams two_sessions;
  two_sessions.shape = 1;
  seq::TimeParams eight_seconds;
  eight_seconds.seconds = 2;

  struct Seed {
    std::string name;
    Bytes input;
    bool needs_update = false;
    int key_checks = 1;
  };
  std::vector<Seed> list;
  list.push_back({"exchange_type1", exchange(seq::Script(1)).bytes()});
  list.push_back({"exchange_type1_forking", exchange(seq::Script(2), forking).bytes()});
  list.push_back({"exchange_type2", exchange(seq::Script(3), type2).bytes()});
  list.push_back({"exchange_suite256", exchange(seq::Script(4, true)).bytes()});
  list.push_back({"exchange_g_flag", exchange(seq::Script(5), fresh_randrr).bytes()});
  list.push_back({"exchange_tek_tgk_two_sessions", seq::Script(6)
                                                       .add(Step::request, tek_tgk)
                                                       .add(Step::request_resp)
                                                       .add(Step::transfer, two_sessions)
                                                       .add(Step::resolve)
                                                       .add(Step::resolve_resp)
                                                       .add(Step::transfer_resp)
                                                       .bytes()});
  list.push_back({"exchange_then_csb_update",
                  exchange(seq::Script(7), initiator_keys)
                      .add(Step::time_passes, eight_seconds)
                      .add(Step::csb_update, update)
                      .bytes(),
                  true});
  list.push_back({"exchange_then_ticket_reuse",
                  exchange(seq::Script(8), reusable)
                      .add(Step::time_passes, eight_seconds)
                      .add(Step::transfer, seq::TransferParams{})
                      .add(Step::transfer_resp)
                      .bytes(),
                  false, 2});
  list.push_back({"mode3_exchange", seq::Script(9)
                                        .add(Step::create_ticket, seq::RequestParams{})
                                        .add(Step::transfer, seq::TransferParams{})
                                        .add(Step::resolve)
                                        .add(Step::resolve_resp)
                                        .add(Step::transfer_resp)
                                        .bytes()});
  list.push_back({"exchange_then_replays", exchange(seq::Script(10))
                                               .add(Step::reuse, seq::ReuseParams{0, {}})
                                               .add(Step::reuse, seq::ReuseParams{2, {}})
                                               .add(Step::reuse, seq::ReuseParams{4, {}})
                                               .bytes()});
  for (const Seed& s : list) {
    seq::Summary sum = seq::run(s.input.data(), s.input.size());
    if (sum.key_checks < s.key_checks) {
      bad_seed("roles_sequence", s.name, "does not end with both sides holding the same keys");
    }
    if (s.needs_update && sum.updates_checked == 0) {
      bad_seed("roles_sequence", s.name, "the CSB update did not reach both sides");
    }
    seeds["roles_sequence"][s.name] = str(s.input);
    seeds["roles_sequence_fuzzmode"][s.name] = str(s.input);
  }
}

Assets make_seeds(const fs::path& repo) {
  Assets seeds;
  for (const NamedMessage& s : sample_messages()) {
    auto bytes = serialize_message(s.message);
    if (bytes.ok()) add_message_seeds(s.name, bytes.value(), seeds);
  }
  // Third-party messages (tests/data/corpus/mikey-thirdparty/PROVENANCE.md).
  fs::path corpus = repo / "tests/data/corpus/mikey-thirdparty";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(corpus, ec)) {
    if (e.path().extension() != ".hex") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto bytes = mikey::wire::from_hex(text);
    if (bytes.ok())
      add_message_seeds("thirdparty_" + e.path().stem().string(), bytes.value(), seeds);
  }
  // Key data chains: the plaintext of the self-generated KEMAC example (MPK +
  // TGK, KV = SPI), a TEK+SALT
  // with an interval, and a GTGK with no KV.
  seeds["key_data"]["mpk_tgk_spi"] =
      str(*mikey::wire::from_hex("14610010101112131415161718191a1b1c1d1e1f0400000001"
                                 "00010010202122232425262728292a2b2c2d2e2f0400000002"));
  seeds["key_data"]["tek_salt_interval"] = str(*mikey::wire::from_hex(
      "0032001000112233445566778899aabbccddeeff000e0102030405060708090a0b0c0d0e"
      "06000000000001060000ffffffff"));
  seeds["key_data"]["gtgk_null_kv"] =
      str(*mikey::wire::from_hex("00400010000102030405060708090a0b0c0d0e0f"));
  // RFC 6267 IBAKE (22): Encr data len + Encr data; no public example, so a synthetic one.
  seeds["payload_ibake"]["synthetic_16_bytes"] =
      str(*mikey::wire::from_hex("000010000102030405060708090a0b0c0d0e0f"));
  seeds["base64"]["wrapped_crlf"] = "AQsFgBI0\r\nVngAAQ==\r\n";
  seeds["base64"]["bad_padding"] = "AQ=A";
  seeds["hex"]["spaced_upper"] = "01 0B 05 80\n12 34";
  add_http_request_seeds(seeds);
  add_kms_http_seeds(seeds);
  add_roles_sequence_seeds(seeds);
  return seeds;
}

// Registries whose code points are useful tokens for each target.
std::map<std::string, std::set<std::string>> dictionary_registries() {
  std::set<std::string> all;
  for (const CodePoint& cp : all_code_points()) all.insert(std::string(cp.registry));
  std::set<std::string> ticket = {"PayloadType", "TicketType", "PrfFunc", "IdRole",  "IdType",
                                  "TsRole",      "TsType",     "MacAlg",  "EncrAlg", "KeyDataType"};
  return {
      {"message", all},
      {"roundtrip", all},
      {"payload_kemac", {"PayloadType", "EncrAlg", "MacAlg"}},
      {"payload_pke", {"PayloadType", "PkeCache"}},
      {"payload_dh", {"PayloadType", "DhGroup", "KvType"}},
      {"payload_sign", {"SignType"}},
      {"payload_t", {"PayloadType", "TsType"}},
      {"payload_id", {"PayloadType", "IdType"}},
      {"payload_cert", {"PayloadType", "CertType"}},
      {"payload_chash", {"PayloadType", "HashFunc"}},
      {"payload_v", {"PayloadType", "MacAlg"}},
      {"payload_sp", {"PayloadType", "ProtType", "SrtpParam"}},
      {"payload_rand", {"PayloadType"}},
      {"payload_err", {"PayloadType", "ErrorNo"}},
      {"payload_tr", {"PayloadType", "TsRole", "TsType"}},
      {"payload_idr", {"PayloadType", "IdRole", "IdType"}},
      {"payload_randr", {"PayloadType", "RandRole"}},
      {"payload_tp", ticket},
      {"payload_ticket", ticket},
      {"payload_general_ext", {"PayloadType", "GenExtType", "KeyIdType"}},
      {"payload_ibake", {"PayloadType"}},
      {"payload_sakke", {"PayloadType"}},
      {"ticket_type1", ticket},
      {"ticket_type2", ticket},
      {"key_data", {"PayloadType", "KeyDataType", "KvType"}},
  };
}

std::string escape(std::uint32_t value, std::uint8_t width) {
  char buf[16];
  std::string out;
  for (int i = width - 1; i >= 0; --i) {
    std::snprintf(buf, sizeof buf, "\\x%02X", (value >> (8 * i)) & 0xff);
    out += buf;
  }
  return out;
}

std::string token_name(std::string_view registry, std::string_view name) {
  std::string out(registry);
  out += '_';
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

Assets make_dictionaries() {
  Assets dicts;
  for (const auto& [target, registries] : dictionary_registries()) {
    std::string text =
        "# " + target +
        ": code points from reference/codec/codepoints.h (generated by fuzz_assets)\n";
    for (const CodePoint& cp : all_code_points()) {
      if (!registries.count(std::string(cp.registry))) continue;
      text += token_name(cp.registry, cp.name) + "=\"" + escape(cp.value, cp.width) + "\"\n";
    }
    if (target == "key_data") {
      // The Type|KV byte of RFC 3830 §6.13: every known type with every known KV.
      for (int type = 0; type <= 7; ++type)
        for (int kv = 0; kv <= 2; ++kv)
          text += "key_data_type" + std::to_string(type) + "_kv" + std::to_string(kv) + "=\"" +
                  escape(static_cast<std::uint32_t>(type << 4 | kv), 1) + "\"\n";
    }
    dicts["."][target + ".dict"] = text;
  }
  dicts["."]["base64.dict"] =
      "# base64: padding, line breaks and the start of a MIKEY HDR (generated by fuzz_assets)\n"
      "pad1=\"=\"\npad2=\"==\"\ncrlf=\"\\x0D\\x0A\"\nlf=\"\\x0A\"\nhdr_v1=\"AQ\"\n";
  // HTTP/1.1 and Annex A tokens (annex_a.h defaults) for the targets that read HTTP requests.
  const std::string http_tokens =
      "post=\"POST\"\nget=\"GET\"\npath=\"/keymanagement\"\n"
      "query_ticketrequest=\"?requesttype=ticketrequest\"\n"
      "query_ticketresolve=\"?requesttype=ticketresolve\"\n"
      "query_more=\"&\"\npercent=\"%\"\n"
      "content_type=\"Content-Type: application/mikey\"\n"
      "content_length=\"Content-Length: \"\n"
      "chunked=\"Transfer-Encoding: chunked\"\n"
      "last_chunk=\"0\\x0D\\x0A\\x0D\\x0A\"\n"
      "crlf=\"\\x0D\\x0A\"\nend_of_header=\"\\x0D\\x0A\\x0D\\x0A\"\n"
      "http11=\"HTTP/1.1\"\nhttp10=\"HTTP/1.0\"\nhost=\"Host: \"\n"
      "expect_continue=\"Expect: 100-continue\"\n"
      "connection_close=\"Connection: close\"\n"
      "connection_keep_alive=\"Connection: keep-alive\"\n";
  dicts["."]["http_request.dict"] =
      "# http_request: HTTP/1.1 and Annex A tokens (generated by fuzz_assets)\n" + http_tokens;
  // kms_http also reaches the KMS: base64 padding and the base64 of HDR starts (version 1, data
  // type REQUEST_INIT_PSK / RESOLVE_INIT_PSK, next payload T).
  const std::string kms_tokens =
      http_tokens + "pad1=\"=\"\npad2=\"==\"\n" + "hdr_request_init_psk=\"" +
      mikey::wire::base64_encode(Bytes{1, 11, 5}) + "\"\n" + "hdr_resolve_init_psk=\"" +
      mikey::wire::base64_encode(Bytes{1, 16, 5}) + "\"\n";
  for (const char* t : {"kms_http", "kms_http_fuzzmode"}) {
    dicts["."][std::string(t) + ".dict"] = "# " + std::string(t) +
                                           ": HTTP/1.1, Annex A and MIKEY HDR tokens "
                                           "(generated by fuzz_assets)\n" +
                                           kms_tokens;
  }
  dicts["."]["hex.dict"] =
      "# hex: digits, case and separators (generated by fuzz_assets)\n"
      "zero=\"00\"\nff_lower=\"ff\"\nff_upper=\"FF\"\nspace=\" \"\nnewline=\"\\x0A\"\n";
  return dicts;
}

int sync(const fs::path& fuzz_dir, const Assets& seeds, const Assets& dicts, bool check) {
  int diffs = 0;
  auto put = [&](const fs::path& p, const std::string& content) {
    std::ifstream in(p, std::ios::binary);
    std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in && have == content) return;
    if (check) {
      std::fprintf(stderr, "fuzz_assets: %s is %s\n", p.c_str(), in ? "out of date" : "missing");
      ++diffs;
      return;
    }
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  };
  for (const auto& [target, files] : seeds)
    for (const auto& [name, content] : files) put(fuzz_dir / "corpus" / target / name, content);
  for (const auto& [dir, files] : dicts)
    for (const auto& [name, content] : files) put(fuzz_dir / name, content);
  if (check && diffs) std::fprintf(stderr, "fuzz_assets: run 'fuzz_assets --write fuzz'\n");
  return diffs ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "--write" && std::string(argv[1]) != "--check")) {
    std::fprintf(stderr, "usage: fuzz_assets --write|--check FUZZ_DIR\n");
    return 2;
  }
  fs::path fuzz_dir = fs::absolute(argv[2]).lexically_normal();
  if (fuzz_dir.filename().empty()) fuzz_dir = fuzz_dir.parent_path();
  const Assets seeds = make_seeds(fuzz_dir.parent_path());
  if (g_bad_seed) return 1;
  return sync(fuzz_dir, seeds, make_dictionaries(), std::string(argv[1]) == "--check");
}
