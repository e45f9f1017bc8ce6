// `mikeyconf decode` in-process: input formats, the decoded field list, embedded structures,
// the tree and JSON renderings and the exit codes (tools/decode.h, tools/render.h).
#include "tools/decode.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tools/json.h"
#include "tools/pcap.h"
#include "tools/render.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace mikeyconf::tools {
namespace {

namespace codec = mikey::codec;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string shape_path(std::string_view name) {
  return std::string(MIKEYCONF_TOOLS_DIR) + "/tests/data/" + std::string(name) + ".hex";
}

std::string corpus_path(std::string_view name) {
  return std::string(MIKEYCONF_TOOLS_DIR) + "/../tests/data/corpus/mikey-thirdparty/" +
         std::string(name) + ".hex";
}

mikey::Bytes shape_bytes(std::string_view name) {
  InputError error;
  auto in = decode_input(read_file(shape_path(name)), InputFormat::hex, error);
  EXPECT_TRUE(in) << error.message;
  return in ? in->bytes : mikey::Bytes{};
}

std::string as_string(const mikey::Bytes& b) { return {b.begin(), b.end()}; }

struct DecodeRun {
  int code = -1;
  std::string out;
  std::string err;
};

DecodeRun run_decode(std::vector<std::string_view> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err};
  DecodeRun r;
  r.code = decode_main(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

const DecodedField* find_field(const DecodeResult& r, std::string_view path) {
  for (const DecodedField& f : r.fields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

// ---- Input formats ----

TEST(DecodeInputTest, DetectsHexBase64AndBinary) {
  EXPECT_EQ(detect_format("01 00 05 00\n0a0b"), InputFormat::hex);
  EXPECT_EQ(detect_format("# a comment: § with non-hex words\n0100 # trailing comment\n"),
            InputFormat::hex);
  EXPECT_EQ(detect_format("AQAFAAAAAAAB\r\nAAA=\r\n"), InputFormat::base64);
  EXPECT_EQ(detect_format("AQAF AAAA"), InputFormat::base64);  // decode_input points at ' '
  EXPECT_EQ(detect_format(std::string("\x01\x00\x05", 3)), InputFormat::binary);
  EXPECT_EQ(detect_format("hello, world"), InputFormat::binary);
  EXPECT_EQ(detect_format("   \n"), InputFormat::binary);
}

TEST(DecodeInputTest, HexSkipsWhitespaceAndComments) {
  InputError error;
  auto in = decode_input("01 02\n# 0304 is a comment\n05", InputFormat::automatic, error);
  ASSERT_TRUE(in) << error.message;
  EXPECT_EQ(in->format, InputFormat::hex);
  EXPECT_EQ(in->bytes, (mikey::Bytes{1, 2, 5}));
  in = decode_input("01:00:05:0a", InputFormat::automatic, error);  // as Wireshark copies it
  ASSERT_TRUE(in) << error.message;
  EXPECT_EQ(in->format, InputFormat::hex);
  EXPECT_EQ(in->bytes, (mikey::Bytes{1, 0, 5, 10}));
}

TEST(DecodeInputTest, BadHexNamesTheOffsetOfTheBadCharacter) {
  InputError error;
  EXPECT_FALSE(decode_input("01 0g 00", InputFormat::hex, error));
  EXPECT_NE(error.message.find("offset 4"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("'g'"), std::string::npos) << error.message;
  EXPECT_FALSE(decode_input("010", InputFormat::automatic, error));
  EXPECT_NE(error.message.find("odd number"), std::string::npos) << error.message;
}

TEST(DecodeInputTest, Base64IsLenientAboutLineBreaksAndStrictAboutTheRest) {
  const mikey::Bytes msg = shape_bytes("psk_init");
  std::string b64 = mikey::wire::base64_encode(msg);
  std::string wrapped;  // an HTTP body wrapped at 76 columns with CRLF, as MIME would
  for (std::size_t i = 0; i < b64.size(); i += 76) wrapped += b64.substr(i, 76) + "\r\n";
  InputError error;
  auto in = decode_input(wrapped, InputFormat::automatic, error);
  ASSERT_TRUE(in) << error.message;
  EXPECT_EQ(in->format, InputFormat::base64);
  EXPECT_EQ(in->bytes, msg);

  std::string bad = "  " + b64;
  bad[10] = '*';
  EXPECT_FALSE(decode_input(bad, InputFormat::base64, error));
  EXPECT_NE(error.message.find("offset 10"), std::string::npos) << error.message;
  bad = b64;
  bad.insert(8, " ");
  EXPECT_FALSE(decode_input(bad, InputFormat::automatic, error));
  EXPECT_NE(error.message.find("offset 8"), std::string::npos) << error.message;
}

TEST(DecodeInputTest, EmptyInputIsAnError) {
  InputError error;
  EXPECT_FALSE(decode_input("", InputFormat::automatic, error));
  EXPECT_NE(error.message.find("empty"), std::string::npos);
  EXPECT_FALSE(decode_input("# only a comment\n", InputFormat::hex, error));
  EXPECT_NE(error.message.find("empty"), std::string::npos);
}

// ---- Decoding ----

TEST(DecodeMessageTest, HexBase64AndBinaryGiveTheSameFields) {
  const std::string hex_text = read_file(shape_path("psk_init"));
  const mikey::Bytes msg = shape_bytes("psk_init");
  const DecodeRun from_hex = run_decode({"--json"}, hex_text);
  const DecodeRun from_b64 = run_decode({"--json"}, mikey::wire::base64_encode(msg) + "\n");
  const DecodeRun from_bin = run_decode({"--json", "--binary"}, as_string(msg));
  ASSERT_EQ(from_hex.code, 0) << from_hex.err;
  ASSERT_EQ(from_b64.code, 0) << from_b64.err;
  ASSERT_EQ(from_bin.code, 0) << from_bin.err;
  auto h = parse_json(from_hex.out);
  auto b = parse_json(from_b64.out);
  auto n = parse_json(from_bin.out);
  ASSERT_TRUE(h && b && n);
  EXPECT_EQ(h->find("input_format")->as_string(), "hex");
  EXPECT_EQ(b->find("input_format")->as_string(), "base64");
  EXPECT_EQ(n->find("input_format")->as_string(), "binary");
  EXPECT_EQ(*h->find("fields"), *b->find("fields"));
  EXPECT_EQ(*h->find("fields"), *n->find("fields"));
}

TEST(DecodeMessageTest, FieldsCarryValuesAndCodePointNames) {
  DecodeResult r = decode_message(shape_bytes("psk_init"));
  ASSERT_TRUE(r.valid());
  const DecodedField* f = find_field(r, "hdr.csb_id");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->offset, 4u);
  EXPECT_EQ(f->length, 4u);
  EXPECT_EQ(f->value_hex, "12345678");
  EXPECT_EQ(f->value, 0x12345678u);
  EXPECT_TRUE(f->registry.empty());

  f = find_field(r, "hdr.v");  // a bit field: its own bit, the whole byte in value_hex
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->mask, 0x80);
  EXPECT_EQ(f->value_hex, "80");
  EXPECT_EQ(f->value, 1u);

  f = find_field(r, "payload[5].KEMAC.mac_alg");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->registry, "MacAlg");
  EXPECT_EQ(f->name, "HMAC-SHA-1-160");

  f = find_field(r, "payload[1].RAND.rand");  // bytes, never a number
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->value);
  EXPECT_EQ(f->value_hex, "00112233445566778899aabbccddeeff");

  f = find_field(r, "payload[2].ID.id_data");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->text, "sip:alice@example.org");

  f = find_field(r, "payload[0].T.ts_value");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->text, "2025-06-19T11:12:45.694354Z");  // tshark: 11:12:45.694354999 UTC

  f = find_field(r, "payload[4].SP.policy_param.param[12].type");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "SRTP prefix length");
}

TEST(DecodeMessageTest, LengthsSharingAByteWithBitFieldsExcludeTheirBits) {
  DecodeResult r = decode_message(shape_bytes("pk_init"));
  ASSERT_TRUE(r.valid());
  const DecodedField* c = find_field(r, "payload[6].PKE.c");
  const DecodedField* len = find_field(r, "payload[6].PKE.data_len");
  ASSERT_TRUE(c && len);
  EXPECT_EQ(c->value, 1u);
  EXPECT_EQ(c->name, "Cache");
  EXPECT_EQ(len->value_hex, "4010");
  EXPECT_EQ(len->value, 16u);  // RFC 3830 §6.3: 14-bit Data len
  const DecodedField* sig_len = find_field(r, "payload[7].SIGN.signature_len");
  ASSERT_NE(sig_len, nullptr);
  EXPECT_EQ(sig_len->value, 32u);
}

TEST(DecodeMessageTest, NullEncryptedKemacShowsItsKeyDataChain) {
  DecodeResult r = decode_message(shape_bytes("psk_init"));
  ASSERT_TRUE(r.valid());
  const DecodedField* t = find_field(r, "payload[5].KEMAC.encr_data.key_data[0].type");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "TGK+SALT");
  const DecodedField* kv = find_field(r, "payload[5].KEMAC.encr_data.key_data[1].kv");
  ASSERT_NE(kv, nullptr);
  EXPECT_EQ(kv->name, "SPI/MKI");
  const DecodedField* vt = find_field(r, "payload[5].KEMAC.encr_data.key_data[0].valid_to");
  ASSERT_NE(vt, nullptr);
  EXPECT_EQ(vt->value_hex, "0000ffffffff");
  // The embedded fields follow their container in the list.
  std::size_t encr = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < r.fields.size(); ++i) {
    if (r.fields[i].path == "payload[5].KEMAC.encr_data") encr = i;
    if (r.fields[i].path == "payload[5].KEMAC.encr_data.key_data[0].next_payload") first = i;
  }
  EXPECT_EQ(first, encr + 1);
}

TEST(DecodeMessageTest, PublicKeyKemacStartsWithTheInitiatorsId) {
  DecodeResult r = decode_message(shape_bytes("pk_init"));
  ASSERT_TRUE(r.valid());
  const DecodedField* id = find_field(r, "payload[5].KEMAC.encr_data.payload[0].ID.id_data");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->text, "sip:alice@example.org");
  EXPECT_NE(find_field(r, "payload[5].KEMAC.encr_data.key_data[0].key_data"), nullptr);
}

TEST(DecodeMessageTest, EncryptedKemacIsNotedNotDecoded) {
  DecodeResult r = decode_message(shape_bytes("ticket_request_resp"));
  ASSERT_TRUE(r.valid());
  EXPECT_EQ(find_field(r, "payload[3].KEMAC.encr_data.key_data[0].type"), nullptr);
  bool noted = false;
  for (const DecodeNote& n : r.notes) noted = noted || n.path == "payload[3].KEMAC.encr_data";
  EXPECT_TRUE(noted);
}

TEST(DecodeMessageTest, TicketDataGoesThroughTheTicketCodec) {
  DecodeResult r = decode_message(shape_bytes("ticket_request_resp"));
  ASSERT_TRUE(r.valid()) << codec::to_string(r.error->error.code);
  const DecodedField* thdr = find_field(r, "payload[2].TICKET.ticket_data.thdr.next_payload");
  ASSERT_NE(thdr, nullptr);
  EXPECT_EQ(thdr->name, "T");
  const DecodedField* psk = find_field(r, "payload[2].TICKET.ticket_data.payload[3].IDR.id_role");
  ASSERT_NE(psk, nullptr);
  EXPECT_EQ(psk->name, "IDRpsk");
  const DecodedField* trs = find_field(r, "payload[2].TICKET.tp_data.payload[0].TR.ts_value");
  ASSERT_NE(trs, nullptr);
  EXPECT_EQ(trs->text, "2025-06-19T11:12:45Z");  // NTP-UTC-32
}

TEST(DecodeMessageTest, KemacInsideTicketPolicyIsDecodedToo) {
  DecodeResult r = decode_message(shape_bytes("ticket_request_init"));
  ASSERT_TRUE(r.valid());
  const DecodedField* kv =
      find_field(r, "payload[5].TP.tp_data.payload[0].KEMAC.encr_data.key_data[0].kv");
  ASSERT_NE(kv, nullptr);
  EXPECT_EQ(kv->name, "SPI/MKI");
}

TEST(DecodeMessageTest, KeyIdExtensionIsDecoded) {
  DecodeResult r = decode_message(shape_bytes("general_ext"));
  ASSERT_TRUE(r.valid());
  const DecodedField* t = find_field(r, "payload[4].General_Ext.data.key_id[1].key_id_type");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "MBMS Traffic Key ID");
  const DecodedField* vendor = find_field(r, "payload[2].General_Ext.data");
  ASSERT_NE(vendor, nullptr);
  EXPECT_EQ(vendor->text, "mikeyconf");
  EXPECT_EQ(find_field(r, "payload[2].General_Ext.data.key_id[0].key_id"), nullptr);
}

TEST(DecodeMessageTest, ListsDeviations) {
  InputError error;
  auto in = decode_input(read_file(corpus_path("gortsplib__extra_padding_at_end")),
                         InputFormat::automatic, error);
  ASSERT_TRUE(in) << error.message;
  DecodeResult r = decode_message(in->bytes);
  ASSERT_TRUE(r.valid());
  ASSERT_EQ(r.deviations.size(), 1u);
  EXPECT_EQ(r.deviations[0].kind, codec::DeviationKind::trailing_bytes);
  EXPECT_EQ(r.deviations[0].offset, 115u);
  const std::string tree = render_tree(r);
  EXPECT_NE(tree.find("@115 trailing_bytes"), std::string::npos) << tree;
  Json j = render_json(r);
  const Json& d = j.find("deviations")->as_array().at(0);
  EXPECT_EQ(d.find("kind")->as_string(), "trailing_bytes");
  EXPECT_EQ(d.find("offset")->as_uint(), 115u);
}

TEST(DecodeMessageTest, EveryTruncationFailsInsideThePrefix) {
  for (std::string_view shape : {"psk_init", "pk_init", "ticket_request_resp", "general_ext"}) {
    const mikey::Bytes msg = shape_bytes(shape);
    for (std::size_t n = 1; n < msg.size(); ++n) {
      DecodeResult r = decode_message(mikey::ByteView(msg).first(n));
      ASSERT_FALSE(r.valid()) << shape << " cut at " << n;
      EXPECT_LE(r.error->error.offset, n) << shape << " cut at " << n;
      for (const DecodedField& f : r.fields) {
        EXPECT_LE(f.offset + f.length, n) << f.path << " in " << shape << " cut at " << n;
      }
    }
  }
}

// ---- Renderings and exit codes ----

TEST(DecodeMainTest, PrintsTheTree) {
  DecodeRun r = run_decode({shape_path("psk_init")});
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
  DecodeRun r = run_decode({}, cut);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("MALFORMED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("payload[4] SP"), std::string::npos) << r.out;  // what was read
  EXPECT_NE(r.out.find("error: truncated at offset 148 in KEMAC"), std::string::npos) << r.out;

  DecodeRun j = run_decode({"--json"}, cut);
  EXPECT_EQ(j.code, 1);
  auto doc = parse_json(j.out);
  ASSERT_TRUE(doc) << j.out;
  EXPECT_FALSE(doc->find("valid")->as_bool());
  const Json* err = doc->find("error");
  ASSERT_TRUE(err && err->is_object());
  EXPECT_EQ(err->find("code")->as_string(), "truncated");
  EXPECT_EQ(err->find("offset")->as_uint(), 148u);
  EXPECT_EQ(err->find("payload")->as_string(), "KEMAC");
  EXPECT_EQ(err->find("message")->as_string(), codec::to_string(codec::Errc::truncated));
}

TEST(DecodeMainTest, JsonHasTheDocumentedShape) {
  DecodeRun r = run_decode({"--json", shape_path("ticket_request_resp")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_TRUE(doc->find("valid")->as_bool());
  EXPECT_TRUE(doc->find("error")->is_null());
  EXPECT_EQ(doc->find("length")->as_uint(), 259u);
  for (const Json& f : doc->find("fields")->as_array()) {
    for (const char* key : {"path", "offset", "length", "mask", "value_hex"}) {
      EXPECT_NE(f.find(key), nullptr) << key << " missing in " << f.dump();
    }
    const Json* v = f.find("value");
    if (v != nullptr) EXPECT_LE(f.find("length")->as_uint(), 8u) << f.dump();
  }
  const Json* msg = doc->find("message");
  ASSERT_NE(msg, nullptr);
  EXPECT_EQ(msg->find("hdr")->find("data_type_name")->as_string(), "REQUEST_RESP");
  const Json::Array& payloads = msg->find("payloads")->as_array();
  ASSERT_EQ(payloads.size(), 5u);
  const Json& ticket = payloads[2];
  EXPECT_EQ(ticket.find("type")->as_uint(), 17u);
  EXPECT_EQ(ticket.find("type_name")->as_string(), "TICKET");
  EXPECT_EQ(ticket.find("offset")->as_uint(), 44u);
  EXPECT_EQ(ticket.find("length")->as_uint(), 152u);
  const Json* fields = ticket.find("fields");
  ASSERT_NE(fields, nullptr);
  EXPECT_EQ(fields->find("ticket_type_name")->as_string(), "MIKEY base ticket");
  // A field holding decoded structure: its bytes under "value", the structure beside them.
  const Json* td = fields->find("ticket_data");
  ASSERT_TRUE(td && td->is_object());
  EXPECT_EQ(td->find("value")->as_string().size(), 2u * 99);
  EXPECT_EQ(td->find("payloads")->as_array().at(4).find("type_name")->as_string(), "V");
  EXPECT_EQ(fields->find("tp_data")->find("payloads")->as_array().size(), 3u);
}

TEST(DecodeMainTest, UsageErrorsExitTwo) {
  DecodeRun r = run_decode({"--frobnicate"}, "0100");
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
  DecodeRun r = run_decode({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, kDecodeUsage);
}

TEST(DecodeMainTest, PcapHoldsTheBinaryMessage) {
  const std::string path = ::testing::TempDir() + "decode_test.pcap";
  const mikey::Bytes msg = shape_bytes("error");
  DecodeRun r = run_decode({"--pcap", path, "-"}, read_file(shape_path("error")));
  ASSERT_EQ(r.code, 0) << r.err;
  const PcapPacket p{msg};
  EXPECT_EQ(read_file(path), as_string(make_pcap(std::span(&p, 1))));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mikeyconf::tools
