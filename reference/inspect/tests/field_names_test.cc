// Code-point names of layout-map fields (reference/codec/field_names.h).
#include "codec/field_names.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "codec/message.h"
#include "codec/samples.h"
#include "codec/ticket_codec.h"

namespace mikey::codec {
namespace {

struct Case {
  std::string_view path;
  std::uint32_t value;
  std::string_view registry;
  std::string_view name;
};

TEST(FieldNamesTest, NamesTheRegistryOfEveryCodePointField) {
  const Case cases[] = {
      {"hdr.data_type", 11, "DataType", "REQUEST_INIT_PSK"},
      {"hdr.next_payload", 17, "PayloadType", "TICKET"},
      {"payload[0].T.next_payload", 21, "PayloadType", "General Ext"},
      {"payload[3].TP.tp_data.first_payload", 14, "PayloadType", "IDR"},
      {"payload[2].TICKET.ticket_data.thdr.next_payload", 5, "PayloadType", "T"},
      {"hdr.prf_func", 1, "PrfFunc", "PRF-HMAC-SHA-256"},
      {"payload[3].TP.prf_func", 0, "PrfFunc", "MIKEY-1"},
      {"hdr.map_type", 2, "MapType", "GENERIC-ID"},
      {"hdr.generic_id[0].prot_type", 0, "ProtType", "SRTP"},
      {"payload[4].KEMAC.encr_alg", 3, "EncrAlg", "AES-CM-256"},
      {"payload[4].KEMAC.mac_alg", 1, "MacAlg", "HMAC-SHA-1-160"},
      {"payload[6].V.auth_alg", 2, "MacAlg", "HMAC-SHA-256-256"},
      {"payload[0].T.ts_type", 3, "TsType", "NTP-UTC-32"},
      {"payload[0].TR.ts_role", 2, "TsRole", "TRs (start of validity)"},
      {"payload[1].ID.id_type", 0, "IdType", "NAI"},
      {"payload[1].IDR.id_role", 4, "IdRole", "IDRpsk"},
      {"payload[1].RANDR.rand_role", 3, "RandRole", "RANDRkms"},
      {"payload[1].CERT.cert_type", 1, "CertType", "X.509v3 URL"},
      {"payload[1].CHASH.hash_func", 2, "HashFunc", "SHA-256"},
      {"payload[1].DH.dh_group", 2, "DhGroup", "OAKLEY 2"},
      {"payload[1].DH.kv", 1, "KvType", "SPI/MKI"},
      {"payload[7].SIGN.s_type", 2, "SignType", "ECCSI"},
      {"payload[2].SP.prot_type", 1, "ProtType", "TESLA"},
      {"payload[2].ERR.error_no", 14, "ErrorNo", "Invalid TICKET"},
      {"payload[2].TICKET.ticket_type", 2, "TicketType", "3GPP base ticket"},
      {"payload[5].PKE.c", 2, "PkeCache", "Cache for CSB"},
      {"payload[5].KEMAC.encr_data.key_data[1].kv", 2, "KvType", "Interval"},
      {"payload[4].General_Ext.data.key_id[0].key_id_type", 1, "KeyIdType", "MBMS Service Key ID"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(code_point_registry(c.path), c.registry) << c.path;
    EXPECT_TRUE(is_code_point_field(c.path)) << c.path;
    EXPECT_EQ(code_point_name(c.path, c.value), c.name) << c.path;
  }
}

TEST(FieldNamesTest, TellsTheTypeFieldsApartByTheirParent) {
  EXPECT_EQ(code_point_name("payload[5].KEMAC.encr_data.key_data[0].type", 6), "MPK");
  EXPECT_EQ(code_point_name("payload[3].SP.policy_param.param[4].type", 6), "Key derivation rate");
  EXPECT_EQ(code_point_name("payload[4].General_Ext.type", 3), "Key ID");
  EXPECT_EQ(code_point_registry("payload[4].General_Ext.type"), "GenExtType");
  EXPECT_EQ(code_point_registry("payload[0].X.type"), "");
  EXPECT_EQ(code_point_registry("payload[0].KEMAC.c"), "");  // only PKE's C is a code point
}

TEST(FieldNamesTest, LengthsDataAndUnassignedValuesHaveNoName) {
  for (std::string_view path : {"hdr.version", "hdr.csb_id", "payload[0].RAND.rand_len",
                                "payload[4].KEMAC.encr_data", "payload[2].TP.d", "trailing"}) {
    EXPECT_FALSE(is_code_point_field(path)) << path;
    EXPECT_EQ(code_point_name(path, 0), "") << path;
  }
  EXPECT_EQ(code_point_name("hdr.data_type", 27), "");     // unassigned
  EXPECT_EQ(code_point_name("hdr.next_payload", 18), "");  // unassigned
  EXPECT_EQ(code_point_name("hdr.data_type", 0x100), "");  // does not fit the field
  EXPECT_EQ(code_point_name("payload[2].TICKET.ticket_type", 0x10001), "");
}

// Every field name the codec records, classified once. When a payload parser gains or renames
// a field this test names it, so field_names.cc (and the decoder's byte-string list) follow.
TEST(FieldNamesTest, ClassifiesEveryFieldTheCodecRecords) {
  const std::set<std::string> code_points = {"data_type", "next_payload", "first_payload",
                                             "prf_func",  "map_type",     "encr_alg",
                                             "mac_alg",   "auth_alg",     "ts_type",
                                             "id_type",   "cert_type",    "hash_func",
                                             "dh_group",  "s_type",       "prot_type",
                                             "error_no",  "ts_role",      "id_role",
                                             "rand_role", "ticket_type",  "kv",
                                             "c",         "type",         "key_id_type"};
  const std::set<std::string> others = {"version",
                                        "v",
                                        "csb_id",
                                        "cs_count",
                                        "policy_no",
                                        "ssrc",
                                        "roc",
                                        "cs_id",
                                        "s_flag",
                                        "policy_count",
                                        "policies",
                                        "session_data_length",
                                        "session_data",
                                        "spi_length",
                                        "spi",
                                        "encr_data_len",
                                        "encr_data",
                                        "mac",
                                        "data_len",
                                        "data",
                                        "dh_value",
                                        "reserved",
                                        "vf_length",
                                        "valid_from",
                                        "vt_length",
                                        "valid_to",
                                        "signature_len",
                                        "signature",
                                        "ts_value",
                                        "id_len",
                                        "id_data",
                                        "cert_len",
                                        "certificate",
                                        "hash",
                                        "policy_param_length",
                                        "policy_param",
                                        "length",
                                        "value",
                                        "rand_len",
                                        "rand",
                                        "rand_length",
                                        "subtype",
                                        "d",
                                        "e",
                                        "f",
                                        "g",
                                        "h",
                                        "i",
                                        "j",
                                        "k",
                                        "l",
                                        "m",
                                        "n",
                                        "o",
                                        "res",
                                        "tp_data_length",
                                        "tp_data",
                                        "ticket_data_length",
                                        "ticket_data",
                                        "initiator_data_length",
                                        "initiator_data",
                                        "trailing",
                                        "key_data_len",
                                        "key_data",
                                        "salt_len",
                                        "salt_data",
                                        "key_id_length",
                                        "key_id",
                                        "thdr_data_length",
                                        "thdr_data",
                                        "sakke_params",
                                        "id_scheme",
                                        "sakke_data_length",
                                        "sakke_data"};
  std::map<std::string, std::string> seen;  // last segment → one path using it
  auto collect = [&](const Layout& layout) {
    for (const FieldRange& f : layout.fields()) {
      std::string_view p = f.path;
      std::string last(p.substr(p.rfind('.') == std::string_view::npos ? 0 : p.rfind('.') + 1));
      last = last.substr(0, last.find('['));
      seen.emplace(last, f.path);
    }
  };
  for (const NamedMessage& m : sample_messages()) {
    Layout layout;
    auto bytes = serialize_message(m.message, &layout);
    ASSERT_TRUE(bytes.ok()) << m.name;
    collect(layout);
    ParseOutcome parsed = parse_message(*bytes);
    ASSERT_TRUE(parsed.ok()) << m.name;
    for (const Payload* p : parsed.message.find_all(PayloadType::ticket)) {
      ParseState st;
      st.options = kWithLayout;
      TicketData td;
      if (parse_ticket_data(*p->get<Ticket>(), 0, st, "ticket_data", td).code == Errc::ok) {
        collect(st.layout);
      }
    }
  }
  ASSERT_FALSE(seen.empty());
  for (const auto& [name, path] : seen) {
    const bool cp = code_points.count(name) != 0;
    EXPECT_TRUE(cp || others.count(name) != 0) << "unclassified field " << path;
    if (name == "type" || name == "c") continue;  // decided by the parent segment
    EXPECT_EQ(is_code_point_field(path), cp) << path;
  }
}

}  // namespace
}  // namespace mikey::codec
