// The decode tree of one message: input formats, the decoded field list, embedded structures
// and the renderings (inspect/input.h, inspect/decode.h, inspect/render.h).
#include "inspect/decode.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "inspect/input.h"
#include "inspect/json.h"
#include "inspect/render.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace mikeyconf::inspect {
namespace {

namespace codec = mikey::codec;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string shape_path(std::string_view name) {
  return std::string(MIKEY_INSPECT_TOOLS_DIR) + "/tests/data/" + std::string(name) + ".hex";
}

std::string corpus_path(std::string_view name) {
  return std::string(MIKEY_INSPECT_TOOLS_DIR) + "/../tests/data/corpus/mikey-thirdparty/" +
         std::string(name) + ".hex";
}

mikey::Bytes shape_bytes(std::string_view name) {
  InputError error;
  auto in = decode_input(read_file(shape_path(name)), InputFormat::hex, error);
  EXPECT_TRUE(in) << error.message;
  return in ? in->bytes : mikey::Bytes{};
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
  const Json& d = j.at("deviations").at(0);
  EXPECT_EQ(d.at("kind").get<std::string>(), "trailing_bytes");
  EXPECT_EQ(d.at("offset").get<std::uint64_t>(), 115u);
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

}  // namespace
}  // namespace mikeyconf::inspect
