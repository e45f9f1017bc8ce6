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

#include "inspect/decode.h"
#include "inspect/input.h"
#include "inspect/json.h"
#include "inspect/pcap.h"
#include "inspect/render.h"

namespace mikeyconf::tools {

using inspect::InputFormat;

const std::string_view kDecodeUsage =
    "usage: mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE] [FILE|-]\n"
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
    "\n"
    "exit status: 0 valid, 1 malformed message, 2 usage error (bad option, unreadable or\n"
    "empty input, bad hex/base64)\n";

namespace {

struct DecodeArgs {
  InputFormat format = InputFormat::automatic;
  bool json = false;
  std::optional<std::string> pcap;
  std::optional<std::string> file;  // nullopt or "-": stdin
};

int usage_error(Io& io, std::string_view message) {
  io.err << "mikeyconf decode: " << message << "\n"
         << "usage: mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE] "
            "[FILE|-]\n";
  return kExitUsage;
}

bool read_all(std::istream& in, std::string& out) {
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// Reads the option list into `a`; returns an exit code when the command ends here (help or a
// usage error), nullopt to carry on.
std::optional<int> parse_args(std::span<const std::string_view> args, DecodeArgs& a, Io& io) {
  bool format_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      io.out << kDecodeUsage;
      return kExitOk;
    } else if (arg == "--hex" || arg == "--base64" || arg == "--binary") {
      InputFormat f = arg == "--hex"      ? InputFormat::hex
                      : arg == "--base64" ? InputFormat::base64
                                          : InputFormat::binary;
      if (format_given && a.format != f) {
        return usage_error(io, "--hex, --base64 and --binary exclude each other");
      }
      a.format = f;
      format_given = true;
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg == "--pcap" || arg.rfind("--pcap=", 0) == 0) {
      if (arg == "--pcap") {
        if (i + 1 >= args.size()) return usage_error(io, "--pcap needs a file name");
        a.pcap = std::string(args[++i]);
      } else {
        a.pcap = std::string(arg.substr(7));
      }
      if (a.pcap->empty()) return usage_error(io, "--pcap needs a file name");
    } else if (arg == "--") {
      if (i + 2 < args.size()) return usage_error(io, "more than one input file");
      if (i + 1 < args.size()) {
        if (a.file) return usage_error(io, "more than one input file");
        a.file = std::string(args[i + 1]);
      }
      break;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usage_error(io, fmt::format("unknown option '{}'", arg));
    } else {
      if (a.file) return usage_error(io, "more than one input file");
      a.file = std::string(arg);
    }
  }
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

}  // namespace

int decode_main(std::span<const std::string_view> args, Io& io) {
  DecodeArgs a;
  if (std::optional<int> done = parse_args(args, a, io)) return *done;
  std::string raw;
  if (std::optional<int> failed = read_input(a, io, raw)) return *failed;

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
  if (a.json) {
    inspect::Json j = inspect::render_json(result);
    j["input_format"] = std::string(inspect::to_string(input->format));
    io.out << inspect::dump_json(j, 2) << "\n";
  } else {
    io.out << inspect::render_tree(result, input->format);
  }
  io.out.flush();
  return result.valid() ? kExitOk : kExitFailed;
}

}  // namespace mikeyconf::tools
