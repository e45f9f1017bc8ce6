// `mikeyconf decode` in-process: the tree and JSON renderings, the pcap and the exit codes
// (tools/decode.h; the decoding itself is tested with reference/inspect).
#include "tools/decode.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "codec/errc.h"
#include "decode_run.h"
#include "inspect/input.h"
#include "inspect/json.h"
#include "inspect/pcap.h"
#include "reports/decoded_json.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace mikeyconf::tools {
namespace {

namespace codec = mikey::codec;
using inspect::Json;
using inspect::parse_json;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string shape_path(std::string_view name) {
  return std::string(MIKEYCONF_TOOLS_DIR) + "/tests/data/" + std::string(name) + ".hex";
}

mikey::Bytes shape_bytes(std::string_view name) {
  inspect::InputError error;
  auto in = inspect::decode_input(read_file(shape_path(name)), inspect::InputFormat::hex, error);
  EXPECT_TRUE(in) << error.message;
  return in ? in->bytes : mikey::Bytes{};
}

std::string as_string(const mikey::Bytes& b) { return {b.begin(), b.end()}; }

TEST(DecodeMainTest, HexBase64AndBinaryGiveTheSameFields) {
  const std::string hex_text = read_file(shape_path("psk_init"));
  const mikey::Bytes msg = shape_bytes("psk_init");
  const CommandRun from_hex = run_decode({"--json"}, hex_text);
  const CommandRun from_b64 = run_decode({"--json"}, mikey::wire::base64_encode(msg) + "\n");
  const CommandRun from_bin = run_decode({"--json", "--binary"}, as_string(msg));
  ASSERT_EQ(from_hex.code, 0) << from_hex.err;
  ASSERT_EQ(from_b64.code, 0) << from_b64.err;
  ASSERT_EQ(from_bin.code, 0) << from_bin.err;
  auto h = parse_json(from_hex.out);
  auto b = parse_json(from_b64.out);
  auto n = parse_json(from_bin.out);
  ASSERT_TRUE(h && b && n);
  EXPECT_EQ(h->at("input_format").get<std::string>(), "hex");
  EXPECT_EQ(b->at("input_format").get<std::string>(), "base64");
  EXPECT_EQ(n->at("input_format").get<std::string>(), "binary");
  EXPECT_EQ(h->at("fields"), b->at("fields"));
  EXPECT_EQ(h->at("fields"), n->at("fields"));
}

// ---- Renderings and exit codes ----

TEST(DecodeMainTest, PrintsTheTree) {
  CommandRun r = run_decode({shape_path("psk_init")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("MIKEY message, 264 bytes (hex input): valid\n", 0), 0u) << r.out;
  // offset, length, field (indented under its payload), value, code-point name
  EXPECT_NE(r.out.find("   145     1    encr_alg "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0  NULL\n"), std::string::npos);
  EXPECT_NE(r.out.find("   144   120  payload[5] KEMAC\n"), std::string::npos);
  EXPECT_NE(r.out.find("      key_data[2]\n"), std::string::npos);
  EXPECT_NE(r.out.find("\"sip:alice@example.org\""), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(DecodeMainTest, TruncatedMessageShowsThePartialTreeAndExitsOne) {
  const mikey::Bytes msg = shape_bytes("psk_init");
  const std::string cut = mikey::wire::to_hex(mikey::ByteView(msg).first(150));
  CommandRun r = run_decode({}, cut);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("MALFORMED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("payload[4] SP"), std::string::npos) << r.out;  // what was read
  EXPECT_NE(r.out.find("error: truncated at offset 148 in KEMAC"), std::string::npos) << r.out;

  CommandRun j = run_decode({"--json"}, cut);
  EXPECT_EQ(j.code, 1);
  auto doc = parse_json(j.out);
  ASSERT_TRUE(doc) << j.out;
  EXPECT_FALSE(doc->at("valid").get<bool>());
  const Json* err = inspect::find_member(*doc, "error");
  ASSERT_TRUE(err && err->is_object());
  EXPECT_EQ(err->at("code").get<std::string>(), "truncated");
  EXPECT_EQ(err->at("offset").get<std::uint64_t>(), 148u);
  EXPECT_EQ(err->at("payload").get<std::string>(), "KEMAC");
  EXPECT_EQ(err->at("message").get<std::string>(), codec::to_string(codec::Errc::truncated));
}

TEST(DecodeMainTest, JsonHasTheDocumentedShape) {
  CommandRun r = run_decode({"--json", shape_path("ticket_request_resp")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_TRUE(doc->at("valid").get<bool>());
  EXPECT_TRUE(doc->at("parses").get<bool>());
  EXPECT_TRUE(doc->at("error").is_null());
  EXPECT_EQ(doc->at("length").get<std::uint64_t>(), 259u);
  // The summary of the one shape (reports/decoded_json.h), as results.json writes it.
  EXPECT_EQ(doc->at("hex").get<std::string>(),
            mikey::wire::to_hex(shape_bytes("ticket_request_resp")));
  EXPECT_EQ(doc->at("data_type"), doc->at("message").at("hdr").at("data_type"));
  EXPECT_EQ(doc->at("data_type_name").get<std::string>(), "REQUEST_RESP");
  EXPECT_EQ(doc->at("payloads").size(), 5u);
  EXPECT_EQ(doc->at("payloads")[2].get<std::string>(), "TICKET");
  EXPECT_TRUE(doc->at("error_numbers").empty());
  EXPECT_EQ(doc->at("input_format").get<std::string>(), "hex");
  for (const Json& f : doc->at("fields")) {
    for (const char* key : {"path", "offset", "length", "mask", "value_hex"}) {
      EXPECT_NE(inspect::find_member(f, key), nullptr) << key << " missing in " << f.dump();
    }
    const Json* v = inspect::find_member(f, "value");
    if (v != nullptr) EXPECT_LE(f.at("length").get<std::uint64_t>(), 8u) << f.dump();
  }
  const Json* msg = inspect::find_member(*doc, "message");
  ASSERT_NE(msg, nullptr);
  EXPECT_EQ(msg->at("hdr").at("data_type_name").get<std::string>(), "REQUEST_RESP");
  const Json& payloads = msg->at("payloads");
  ASSERT_EQ(payloads.size(), 5u);
  const Json& ticket = payloads[2];
  EXPECT_EQ(ticket.at("type").get<std::uint64_t>(), 17u);
  EXPECT_EQ(ticket.at("type_name").get<std::string>(), "TICKET");
  EXPECT_EQ(ticket.at("offset").get<std::uint64_t>(), 44u);
  EXPECT_EQ(ticket.at("length").get<std::uint64_t>(), 152u);
  const Json* fields = inspect::find_member(ticket, "fields");
  ASSERT_NE(fields, nullptr);
  EXPECT_EQ(fields->at("ticket_type_name").get<std::string>(), "MIKEY base ticket");
  // A field holding decoded structure: its bytes under "value", the structure beside them.
  const Json* td = inspect::find_member(*fields, "ticket_data");
  ASSERT_TRUE(td && td->is_object());
  EXPECT_EQ(td->at("value").get<std::string>().size(), 2u * 99);
  EXPECT_EQ(td->at("payloads").at(4).at("type_name").get<std::string>(), "V");
  EXPECT_EQ(fields->at("tp_data").at("payloads").size(), 3u);
}

// decode --json and results.json write one shape: the same object, plus the input format.
TEST(DecodeMainTest, JsonIsTheReportsShapeOfTheMessage) {
  for (const char* shape : {"psk_init", "ticket_request_resp", "error"}) {
    CommandRun r = run_decode({"--json", shape_path(shape)});
    ASSERT_EQ(r.code, 0) << r.err;
    auto doc = parse_json(r.out);
    ASSERT_TRUE(doc) << r.out;
    Json expected = reports::decoded_message_json(shape_bytes(shape));
    expected["input_format"] = "hex";
    EXPECT_EQ(*doc, expected) << shape;
  }
  const CommandRun error = run_decode({"--json", shape_path("error")});
  auto doc = parse_json(error.out);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("data_type_name").get<std::string>(), "Error");
  EXPECT_FALSE(doc->at("error_numbers").empty());
}

TEST(DecodeMainTest, UsageErrorsExitTwo) {
  CommandRun r = run_decode({"--frobnicate"}, "0100");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown option '--frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("usage: mikeyconf decode"), std::string::npos) << r.err;

  r = run_decode({"/nonexistent/message.hex"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot read /nonexistent/message.hex"), std::string::npos) << r.err;

  r = run_decode({MIKEYCONF_TOOLS_DIR});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;

  r = run_decode({}, "");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("empty input"), std::string::npos) << r.err;

  r = run_decode({"--hex"}, "01 00 zz");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad hex input at offset 6"), std::string::npos) << r.err;

  r = run_decode({"--base64"}, "AQAF*AAA");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad base64 input at offset 4"), std::string::npos) << r.err;

  r = run_decode({"--hex", "--base64"}, "0100");
  EXPECT_EQ(r.code, 2);
  r = run_decode({"a.hex", "b.hex"});
  EXPECT_EQ(r.code, 2);
  r = run_decode({"--pcap"});
  EXPECT_EQ(r.code, 2);
  r = run_decode({"--pcap", "/nonexistent-dir/x.pcap"}, read_file(shape_path("error")));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot write /nonexistent-dir/x.pcap"), std::string::npos) << r.err;
}

TEST(DecodeMainTest, HelpExitsZero) {
  CommandRun r = run_decode({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, kDecodeUsage);
}

TEST(DecodeMainTest, PcapHoldsTheBinaryMessage) {
  const std::string path = ::testing::TempDir() + "decode_test.pcap";
  const mikey::Bytes msg = shape_bytes("error");
  CommandRun r = run_decode({"--pcap", path, "-"}, read_file(shape_path("error")));
  ASSERT_EQ(r.code, 0) << r.err;
  const inspect::PcapPacket p{msg};
  EXPECT_EQ(read_file(path), as_string(inspect::make_pcap(std::span(&p, 1))));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mikeyconf::tools
