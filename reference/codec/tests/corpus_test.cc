// Third-party MIKEY messages (tests/data/corpus/mikey-thirdparty, provenance in its
// PROVENANCE.md): the decoder decodes each valid one and rejects each malformed one with a
// typed error at the offset an independent structural decoder reports (its verdict table in
// PROVENANCE.md); none may crash. Where our reading differs from that decoder, the row says why.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "codec/message.h"
#include "codec/samples.h"
#include "wire/hex.h"

namespace mikey::codec {
namespace {

const char kCorpus[] = "tests/data/corpus/mikey-thirdparty";

Bytes load(const std::string& name) {
  std::ifstream in(std::string(kCorpus) + "/" + name + ".hex");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto b = wire::from_hex(text);
  EXPECT_TRUE(b.ok()) << name;
  return b.ok() ? b.value() : Bytes{};
}

struct Expect {
  Errc code;
  std::uint32_t offset;
};

// Files that decode. Trailing bytes are a deviation for us (the independent decoder calls them
// an error by default; "ok with --allow-trailing"). MIKEY-SAKKE payloads (RFC 6509) decode
// because the codec knows payload 26 (the independent decoder needs --ext-rfc6509).
const char* const kValid[] = {
    "gortsplib__case_a",
    "gortsplib__case_b",
    "gortsplib__case_c",
    "gortsplib__extra_padding_at_end",
    "gortsplib__kemac_key_data_with_spi",
    "onvif__get_parameter_response",
    "onvif__rtsp_setup_keymgmt",
    "onvif__set_parameter_rekey",
    "streamwide__test1_gmk",
    "streamwide__test2_csk",
    "streamwide__test3_pck",
    "streamwide__test4_gmk_legacy_iwf",
    // @29 "1 trailing byte": a deviation here.
    "gortsplib-fuzz__2968ff6b6c107cd2",
};

TEST(CorpusTest, ValidThirdPartyMessagesDecodeAndRoundTrip) {
  for (const char* name : kValid) {
    Bytes bytes = load(name);
    ParseOutcome out = parse_message(bytes, kWithLayout);
    ASSERT_TRUE(out.ok()) << name << ": " << to_string(out.error.code) << " at "
                          << out.error.offset;
    auto again = serialize_message(out.message);
    ASSERT_TRUE(again.ok()) << name;
    EXPECT_EQ(again.value(), bytes) << name;
  }
}

TEST(CorpusTest, ExtraPaddingIsReportedAsTrailingBytes) {
  ParseOutcome out = parse_message(load("gortsplib__extra_padding_at_end"), kWithLayout);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.deviations.size(), 1u);
  EXPECT_EQ(out.deviations[0].kind, DeviationKind::trailing_bytes);
  EXPECT_EQ(out.deviations[0].offset, 115u);  // as in PROVENANCE.md
}

TEST(CorpusTest, StreamwideSakkeMessagesHaveTheExpectedChain) {
  // PROVENANCE.md: HDR T RAND IDR IDR IDR IDR SP SAKKE EXT SIGN.
  ParseOutcome out = parse_message(load("streamwide__test1_gmk"), kWithLayout);
  ASSERT_TRUE(out.ok());
  const PayloadType want[] = {PayloadType::t,   PayloadType::rand,  PayloadType::idr,
                              PayloadType::idr, PayloadType::idr,   PayloadType::idr,
                              PayloadType::sp,  PayloadType::sakke, PayloadType::general_ext,
                              PayloadType::sign};
  ASSERT_EQ(out.message.payloads.size(), std::size(want));
  for (std::size_t i = 0; i < std::size(want); ++i)
    EXPECT_EQ(out.message.payloads[i].type, want[i]);
  EXPECT_EQ(out.message.hdr.data_type, DataType::sakke_msg);
  EXPECT_EQ(out.message.hdr.map_type, MapType::generic_id);
  EXPECT_EQ(out.message.payloads[7].offset, 217u);  // where the independent decoder stopped
}

TEST(CorpusTest, GortsplibCaseAMatchesItsPublishedStructure) {
  // PROVENANCE.md: HDR (SRTP-ID, 1 CS), T (NTP-UTC), RAND, SP, KEMAC (NULL encryption, one TEK
  // key data of 30 bytes = key||salt, MAC NULL).
  ParseOutcome out = parse_message(load("gortsplib__case_a"), kWithLayout);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.message.hdr.map_type, MapType::srtp_id);
  const Kemac* k = out.message.payloads.back().get<Kemac>();
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->encr_alg, EncrAlg::null);
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ASSERT_EQ(parse_key_data_chain(k->encr_data, 0, st, "key_data", chain).code, Errc::ok);
  ASSERT_EQ(chain.keys.size(), 1u);
  EXPECT_EQ(chain.keys[0].type, KeyDataType::tek);
  EXPECT_EQ(chain.keys[0].key.size(), 30u);
}

// Malformed files: our error code and offset. The offset is the field that could not be
// read; it equals the independent decoder's offset except where noted: that decoder reports a
// short HDR at offset 0 ("fixed part needs 10 bytes") where we name the first missing field,
// and an SP parameter overrun at its value where we name the TLV's first byte.
const std::map<std::string, Expect> kMalformed = {
    {"gortsplib-fuzz__0e2aa46892dbf440", {Errc::truncated, 58}},  // TLV at 58, value at 60
    {"gortsplib-fuzz__0e400a18088f3ef1", {Errc::truncated, 10}},
    {"gortsplib-fuzz__1308b4f12c633cfe", {Errc::truncated, 31}},
    {"gortsplib-fuzz__21d92b615e38b74d", {Errc::truncated, 9}},  // 9 bytes: no map type
    {"gortsplib-fuzz__2c79d879e91381fc", {Errc::truncated, 52}},
    {"gortsplib-fuzz__3274006efd885c07", {Errc::truncated, 109}},
    {"gortsplib-fuzz__34785eb47d444797", {Errc::truncated, 52}},
    {"gortsplib-fuzz__34b60fae6a60ed23", {Errc::unknown_mac_alg, 109}},
    {"gortsplib-fuzz__3cf3060ecf42827a", {Errc::unknown_payload_type, 31}},
    // Their verdict is about bytes left inside the KEMAC's key data (@55); before that, the
    // KEMAC's Next payload is 0x30, which we report first (Encr data stays opaque here).
    {"gortsplib-fuzz__15a72f9c17aa83eb", {Errc::unknown_payload_type, 86}},
    {"gortsplib-fuzz__4305b65c1705da06", {Errc::truncated, 21}},
    {"gortsplib-fuzz__450a97754aa91bb3", {Errc::unknown_map_type, 9}},
    {"gortsplib-fuzz__49b410a3c47b1687", {Errc::unknown_map_type, 9}},
    {"gortsplib-fuzz__4afa2df02fd9d00a", {Errc::unknown_map_type, 9}},
    {"gortsplib-fuzz__4cece13ffff9b317", {Errc::truncated, 77}},
    {"gortsplib-fuzz__68b704daf492f697", {Errc::truncated, 29}},
    {"gortsplib-fuzz__6e357cea2c7a331b", {Errc::truncated, 83}},
    {"gortsplib-fuzz__730d6c62c6f77fdc", {Errc::truncated, 75}},
    // Their verdict is inside the KEMAC key data (@81); the KEMAC's Next payload 0x30 comes first.
    {"gortsplib-fuzz__7e509fbe194aa190", {Errc::unknown_payload_type, 112}},
    // Their verdicts are inside the KEMAC key data; the KEMAC's Next payload 0x30 at the very
    // end of the message comes first for us.
    {"gortsplib-fuzz__7827f50473cee286", {Errc::unknown_payload_type, 112}},
    {"gortsplib-fuzz__7bf4d4e3d8104096", {Errc::unknown_payload_type, 80}},
    {"gortsplib-fuzz__87828f4d0c4c5b02", {Errc::unknown_payload_type, 110}},
    {"gortsplib-fuzz__93e877be95b75ad0", {Errc::unknown_payload_type, 110}},
    {"gortsplib-fuzz__8bfad049e124e765", {Errc::unknown_payload_type, 19}},
    {"gortsplib-fuzz__a10c26126d5754cc", {Errc::truncated, 21}},
    {"gortsplib-fuzz__a6078eb8043d4763", {Errc::unknown_ts_type, 20}},
    {"gortsplib-fuzz__af43d20f8944989e", {Errc::unknown_map_type, 9}},
    {"gortsplib-fuzz__c20cecf53e42d68f", {Errc::truncated, 47}},
    {"gortsplib-fuzz__cd41233d242004e0", {Errc::truncated, 19}},
    {"gortsplib-fuzz__cde5035558ff62ef", {Errc::truncated, 73}},
    {"gortsplib-fuzz__d43da2b1fa37becf", {Errc::truncated, 50}},
    {"gortsplib-fuzz__dbd8b97d5c1e0809", {Errc::truncated, 8}},  // 8 bytes: no #CS
    {"gortsplib-fuzz__dd7554c158a4bf76", {Errc::truncated, 52}},
    {"gortsplib-fuzz__f039aafb6c8fbf5c", {Errc::unknown_map_type, 9}},
    {"gortsplib-fuzz__f41ce99116022ac9", {Errc::unknown_map_type, 9}},
    {"gortsplib-fuzz__fccb75db092e7fe6", {Errc::truncated, 4}},  // 7 bytes: no CSB ID
};

TEST(CorpusTest, MalformedThirdPartyMessagesFailAtTheExpectedOffset) {
  for (const auto& [name, want] : kMalformed) {
    ParseOutcome out = parse_message(load(name), kWithLayout);
    EXPECT_EQ(out.error.code, want.code) << name << " got " << to_string(out.error.code);
    EXPECT_EQ(out.error.offset, want.offset) << name;
  }
}

TEST(CorpusTest, EveryFileIsClassified) {
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kCorpus)) {
    if (e.path().extension() != ".hex") continue;
    ++files;
    std::string name = e.path().stem().string();
    bool valid = std::find(std::begin(kValid), std::end(kValid), name) != std::end(kValid);
    EXPECT_NE(valid, kMalformed.count(name) > 0) << name << " must be in exactly one list";
  }
  EXPECT_EQ(files, 49u);
  EXPECT_EQ(std::size(kValid) + kMalformed.size(), 49u);
}

}  // namespace
}  // namespace mikey::codec
