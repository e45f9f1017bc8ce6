#include "tools/decode.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "inspect/decode.h"
#include "inspect/input.h"
#include "inspect/json.h"
#include "inspect/pcap.h"
#include "inspect/render.h"
#include "reports/decoded_json.h"
#include "tools/decode_key.h"
#include "wire/hex.h"

namespace mikeyconf::tools {

using inspect::InputFormat;

const std::string_view kDecodeUsage =
    "usage: mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE]\n"
    "                        [--key HEX [--initial FILE]] [FILE|-]\n"
    "\n"
    "Decodes one MIKEY message (RFC 3830, RFC 6043 MIKEY-TICKET) and prints every field with\n"
    "its offset, length, value and code-point name, including the Key data of a NULL-encrypted\n"
    "KEMAC, the Ticket Data of a TICKET and RFC 4563 Key ID information.\n"
    "\n"
    "  FILE, -       input file; '-' or no FILE reads standard input\n"
    "  --hex         input is hex text (whitespace, ':' and '#' comments are skipped)\n"
    "  --base64      input is base64, e.g. a TS 33.328 Annex A HTTP body (CR/LF skipped)\n"
    "  --binary      input is the message itself\n"
    "                (default: detected from the content)\n"
    "  --json        print one JSON object instead of the tree\n"
    "  --pcap FILE   also write the binary message to FILE as a pcap (link type 147,\n"
    "                DLT_USER0; tshark -o 'uat:user_dlts:\"User 0 (DLT=147)\",\"mikey\",\"0\",\"\","
    "\"0\",\"\"')\n"
    "  --key HEX     open the message with this key and show its KEMAC's Key data: as the\n"
    "                PSK (MPKi for TRANSFER_INIT) of a REQUEST_INIT_PSK, RESOLVE_INIT_PSK or\n"
    "                TRANSFER_INIT, verifying its MAC, and as the TPK of every TICKET,\n"
    "                verifying the ticket's MAC\n"
    "  --initial FILE with --key on a REQUEST_RESP, RESOLVE_RESP or TRANSFER_RESP: the\n"
    "                exchange's initial message (hex, base64 or binary), whose CSB ID, RANDR\n"
    "                and bytes the response's keys and MAC take; the key is then also its\n"
    "                PSK (MPKi or MPKr' for TRANSFER_RESP)\n"
    "\n"
    "exit status: 0 valid (with --key: and the key verified a MAC), 1 malformed message or\n"
    "--key verified no MAC, 2 usage error (bad option, unreadable or empty input, bad\n"
    "hex/base64, bad --key)\n";

namespace {

struct DecodeArgs {
  InputFormat format = InputFormat::automatic;
  bool json = false;
  std::optional<std::string> pcap;
  std::optional<std::string> file;     // nullopt or "-": stdin
  std::optional<mikey::Bytes> key;     // --key
  std::optional<std::string> initial;  // --initial
};

int usage_error(Io& io, std::string_view message) {
  io.err << "mikeyconf decode: " << message << "\n"
         << "usage: mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE] "
            "[--key HEX [--initial FILE]] [FILE|-]\n";
  return kExitUsage;
}

bool read_all(std::istream& in, std::string& out) {
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

void define_decode(CLI::App& app) {
  // Repeatable so that "--hex --hex" stays valid; two different formats are refused in run.
  for (const char* name : {"--hex", "--base64", "--binary"}) flag_option(app, name, true);
  flag_option(app, "--json");
  value_option(app, "--pcap");
  value_option(app, "--key");
  value_option(app, "--initial");
  positional(app, "FILE");
}

// The parsed command line into `a`; a usage error message for two input formats.
std::optional<std::string> to_decode_args(const ParsedArgs& p, DecodeArgs& a) {
  int formats = 0;
  for (const auto& [name, format] :
       {std::pair{"--hex", InputFormat::hex}, std::pair{"--base64", InputFormat::base64},
        std::pair{"--binary", InputFormat::binary}}) {
    if (!p.flag(name)) continue;
    a.format = format;
    ++formats;
  }
  if (formats > 1) return std::string("--hex, --base64 and --binary exclude each other");
  a.json = p.flag("--json");
  if (const std::string* pcap = p.value("--pcap")) a.pcap = *pcap;
  if (const std::string* key = p.value("--key")) {
    auto bytes = mikey::wire::from_hex(*key);
    if (!bytes.ok() || bytes->empty()) return "--key wants the key in hex, e.g. --key 00112233...";
    a.key = std::move(bytes).value();
  }
  if (const std::string* initial = p.value("--initial")) {
    if (!a.key) return std::string("--initial goes with --key");
    a.initial = *initial;
  }
  if (!p.positional.empty()) a.file = p.positional.front();
  return std::nullopt;
}

// The input text: standard input, or the named file read whole.
std::optional<int> read_input(const DecodeArgs& a, Io& io, std::string& raw) {
  if (!a.file || *a.file == "-") {
    if (!read_all(io.in, raw)) return usage_error(io, "cannot read standard input");
    return std::nullopt;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(*a.file, ec)) {
    return usage_error(io, fmt::format("cannot read {}: is a directory", *a.file));
  }
  errno = 0;
  std::ifstream f(*a.file, std::ios::binary);
  if (!f) {
    return usage_error(io, fmt::format("cannot read {}: {}", *a.file,
                                       errno != 0 ? std::strerror(errno) : "open failed"));
  }
  if (!read_all(f, raw)) return usage_error(io, fmt::format("cannot read {}", *a.file));
  return std::nullopt;
}

// The --initial message's bytes (hex, base64 or binary, detected), or the usage exit code.
std::optional<int> read_initial(const DecodeArgs& a, Io& io, mikey::Bytes& out) {
  if (!a.initial) return std::nullopt;
  DecodeArgs file;
  file.file = *a.initial;
  std::string raw;
  if (std::optional<int> failed = read_input(file, io, raw)) return failed;
  inspect::InputError error;
  std::optional<inspect::DecodedInput> in =
      inspect::decode_input(raw, InputFormat::automatic, error);
  if (!in) return usage_error(io, "--initial: " + error.message);
  out = std::move(in->bytes);
  return std::nullopt;
}

int run_decode(const ParsedArgs& parsed, Io& io) {
  DecodeArgs a;
  if (auto problem = to_decode_args(parsed, a)) {
    return command_usage_error(io, "decode", *problem, kDecodeUsage);
  }
  std::string raw;
  if (std::optional<int> failed = read_input(a, io, raw)) return *failed;
  mikey::Bytes initial;
  if (std::optional<int> failed = read_initial(a, io, initial)) return *failed;

  inspect::InputError input_error;
  std::optional<inspect::DecodedInput> input = inspect::decode_input(raw, a.format, input_error);
  if (!input) return usage_error(io, input_error.message);

  if (a.pcap) {
    const inspect::PcapPacket packet{input->bytes, 0, 0};
    std::string error;
    if (!inspect::write_pcap_file(*a.pcap, std::span(&packet, 1), inspect::kLinkTypeUser0,
                                  &error)) {
      return usage_error(io, error);
    }
  }

  inspect::DecodeResult result = inspect::decode_message(input->bytes);
  std::optional<KeyReport> keys;
  if (a.key && result.valid()) keys = open_with_key(input->bytes, *a.key, initial);
  if (a.json) {
    inspect::Json j = reports::decoded_message_json(result);
    j["input_format"] = std::string(inspect::to_string(input->format));
    if (keys) j["kemac_plaintext"] = key_report_json(*keys);
    io.out << inspect::dump_json(j, 2) << "\n";
  } else {
    io.out << inspect::render_tree(result, input->format);
    if (keys) io.out << render_key_report(*keys);
  }
  io.out.flush();
  return result.valid() && (!keys || keys->opened()) ? kExitOk : kExitFailed;
}

}  // namespace

int decode_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"decode", kDecodeUsage, &define_decode, &run_decode}, args, io);
}

}  // namespace mikeyconf::tools
