// fuzz_assets --write|--check FUZZ_DIR
// Writes (or checks, exiting 1 on any difference) the seed corpora fuzz/corpus/<target>/ and
// the dictionaries fuzz/<target>.dict. Seeds are produced by the codec from the sample
// messages (codec/samples.h) and the third-party messages in tests/data/corpus, named by
// meaning; dictionaries come from the code-point tables (codec/codepoints.h).
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
  // Key data chains: the plaintext of mikey-ticket.md §15.3 (MPK + TGK, KV = SPI), a TEK+SALT
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
  return sync(fuzz_dir, make_seeds(fuzz_dir.parent_path()), make_dictionaries(),
              std::string(argv[1]) == "--check");
}
