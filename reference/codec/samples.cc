#include "codec/samples.h"

namespace mikey::codec {

namespace {

Bytes pattern(std::size_t n, std::uint8_t start) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i);
  return b;
}

Hdr hdr(DataType type, bool v, MapType map = MapType::empty) {
  Hdr h;
  h.data_type = type;
  h.v = v;
  h.csb_id = 0x12345678;
  h.map_type = map;
  return h;
}

Hdr generic_id_hdr(DataType type, bool v) {
  Hdr h = hdr(type, v, MapType::generic_id);
  GenericIdEntry e;
  e.cs_id = 1;
  e.policies = {0};
  e.session_data = {0x11, 0x22, 0x33, 0x44};  // SSRC (RFC 6043 §6.1.1, S = 0)
  e.spi = {0, 0, 0, 1};
  h.generic_id.push_back(e);
  h.cs_count = 1;
  return h;
}

Payload t(std::uint64_t v = 0xe5a1b2c300000000u) {
  return make_payload(Timestamp{TsType::ntp_utc, v});
}
Payload idr(IdRole role, std::string_view id, IdType type = IdType::uri) {
  return make_payload(IdWithRole{role, type, to_bytes(id)});
}
Payload randr(RandRole role, std::uint8_t start) {
  return make_payload(RandWithRole{role, pattern(16, start)});
}
Payload v_sha1() { return make_payload(Verification{MacAlg::hmac_sha1_160, pattern(20, 0xa0)}); }
Payload kemac_encrypted(std::size_t n) {
  return make_payload(Kemac{EncrAlg::aes_cm_128, pattern(n, 0x40), MacAlg::null, {}});
}
Payload sp() {
  SecurityPolicy p;
  p.policy_no = 0;
  p.params = {{0, {1}}, {1, {16}}, {2, {1}}, {3, {20}}, {4, {14}}, {7, {1}}, {11, {10}}};
  return make_payload(std::move(p));
}

}  // namespace

Payload sample_tp(bool with_kemac) {
  TicketPolicy tp;
  tp.ticket_type = TicketType::mikey_base_ticket;
  tp.flags.d = true;
  tp.flags.f = true;
  tp.flags.h = true;
  tp.flags.n = true;
  tp.flags.o = true;
  tp.tp_data.present = true;
  tp.tp_data.payloads.push_back(
      make_payload(TimestampWithRole{TsRole::trs, TsType::ntp_utc_32, 0xe5a1b2c3}));
  tp.tp_data.payloads.push_back(
      make_payload(TimestampWithRole{TsRole::tre, TsType::ntp_utc_32, 0xe5a2b2c3}));
  if (with_kemac) {
    // RFC 6043 §6.10: the desired KEMAC uses NULL encryption and NULL MAC; Key Data zero.
    tp.tp_data.payloads.push_back(
        make_payload(Kemac{EncrAlg::null,
                           {0x00, 0x01, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                           MacAlg::null,
                           {}}));
  }
  tp.tp_data.payloads.push_back(idr(IdRole::idrr, "sip:bob@example.org"));
  return make_payload(std::move(tp));
}

Bytes sample_base_ticket_data() {
  // RFC 6043 App. A: THDR (Next Payload T, THDR Data length 0), T, RAND, KEMAC, IDRpsk, V.
  Message inner;
  inner.payloads = {t(), make_payload(Rand{pattern(16, 0x80)}), kemac_encrypted(44),
                    idr(IdRole::idrpsk, "kms-ticket-key-1", IdType::byte_string), v_sha1()};
  SerializeState st;
  FieldWriter w(st, "");
  w.code("thdr.next_payload", PayloadType::t);
  w.u16("thdr.thdr_data_length", 0);
  serialize_chain(w, inner.payloads);
  return std::move(st.writer).take();
}

Payload sample_ticket(bool with_initiator_data) {
  Ticket tk;
  tk.policy = *sample_tp(false).get<TicketPolicy>();
  tk.ticket_data = sample_base_ticket_data();
  if (with_initiator_data) {
    tk.policy.flags.i = true;
    tk.policy.flags.e = true;
    tk.initiator_data.present = true;
    tk.initiator_data.payloads = {v_sha1(), v_sha1()};  // Vi, Vr (RFC 6043 §6.10)
  }
  return make_payload(std::move(tk));
}

std::vector<NamedMessage> sample_messages() {
  std::vector<NamedMessage> out;
  auto add = [&](std::string name, Hdr h, std::vector<Payload> ps) {
    out.push_back({std::move(name), Message{std::move(h), std::move(ps), {}}});
  };
  // RFC 6043 §4.2 message definitions, in the RFC's payload order.
  add("ticket_request_init_psk", hdr(DataType::request_init_psk, true),
      {t(), randr(RandRole::randri, 0xc0), idr(IdRole::idri, "sip:alice@example.org"),
       idr(IdRole::idrkms, "sip:kms.example.org"), sample_tp(true),
       idr(IdRole::idrpsk, "psk-id-1", IdType::byte_string), v_sha1()});
  add("ticket_request_resp", hdr(DataType::request_resp, false),
      {t(0xe5a1b2c400000000u), idr(IdRole::idrkms, "sip:kms.example.org"), sample_ticket(false),
       kemac_encrypted(38), v_sha1()});
  add("ticket_transfer_init", generic_id_hdr(DataType::transfer_init, true),
      {t(), randr(RandRole::randri, 0xc0), idr(IdRole::idri, "sip:alice@example.org"),
       idr(IdRole::idrr, "sip:bob@example.org"), sp(), sample_ticket(false), v_sha1()});
  add("ticket_transfer_init_forking", generic_id_hdr(DataType::transfer_init, true),
      {t(), randr(RandRole::randri, 0xc0), idr(IdRole::idri, "sip:alice@example.org"),
       idr(IdRole::idrr, "sip:bob@example.org"), sample_ticket(true), v_sha1()});
  add("ticket_transfer_resp", generic_id_hdr(DataType::transfer_resp, false),
      {t(0xe5a1b2c500000000u), randr(RandRole::randrr, 0xd0),
       idr(IdRole::idrr, "sip:bob@example.org"), randr(RandRole::randrkms, 0xe0), v_sha1()});
  add("ticket_resolve_init_psk", hdr(DataType::resolve_init_psk, true),
      {t(), randr(RandRole::randrr, 0xd0), idr(IdRole::idrr, "sip:bob@example.org"),
       idr(IdRole::idrkms, "sip:kms.example.org"), sample_ticket(false),
       idr(IdRole::idrpsk, "psk-id-2", IdType::byte_string), v_sha1()});
  add("ticket_resolve_resp", hdr(DataType::resolve_resp, false),
      {t(0xe5a1b2c600000000u), idr(IdRole::idrkms, "sip:kms.example.org"), kemac_encrypted(60),
       idr(IdRole::idrr, "sip:bob@example.org"), randr(RandRole::randrkms, 0xe0), v_sha1()});
  add("ticket_error", hdr(DataType::error, false),
      {t(), make_payload(Err{ErrorNo::invalid_ticket, 0}), v_sha1()});
  // RFC 3830 §3 message shapes.
  add("mikey_psk_init",
      [] {
        Hdr h = hdr(DataType::psk_init, true, MapType::srtp_id);
        h.srtp_id.push_back({0, 0x11223344, 0});
        h.cs_count = 1;
        return h;
      }(),
      {t(), make_payload(Rand{pattern(16, 0x80)}),
       make_payload(Id{IdType::uri, to_bytes("sip:alice@example.org")}), sp(),
       make_payload(Kemac{EncrAlg::aes_cm_128, pattern(36, 0x40), MacAlg::hmac_sha1_160,
                          pattern(20, 0x90)})});
  add("mikey_psk_verify", hdr(DataType::psk_verify, false, MapType::empty), {t(), v_sha1()});
  add("mikey_pk_init", hdr(DataType::pk_init, true),
      {t(), make_payload(Rand{pattern(16, 0x80)}),
       make_payload(Cert{CertType::x509v3, pattern(64, 0x30)}),
       make_payload(
           Kemac{EncrAlg::aes_cm_128, pattern(36, 0x40), MacAlg::hmac_sha1_160, pattern(20, 0x90)}),
       make_payload(Chash{HashFunc::sha256, pattern(32, 0x50)}),
       make_payload(Pke{PkeCache::cache, pattern(128, 0x60)}),
       make_payload(Sign{SignType::rsa_pss, pattern(128, 0x70)})});
  add("mikey_dh_init", hdr(DataType::dh_init, true),
      {t(), make_payload(Rand{pattern(16, 0x80)}),
       make_payload(
           Dh{DhGroup::oakley_2, pattern(128, 0x10), 0, KvType::spi, KvData{{1, 2, 3, 4}, {}, {}}}),
       make_payload(Sign{SignType::rsa_pkcs1_v15, pattern(64, 0x70)})});
  add("mikey_general_ext", hdr(DataType::psk_init, true),
      {t(), make_payload(GeneralExtension{GenExtType::key_id, {0x00, 0x02, 0xab, 0xcd}}),
       make_payload(Kemac{EncrAlg::null, {}, MacAlg::null, {}})});
  return out;
}

std::vector<NamedMessage> rfc3830_variant_messages() {
  std::vector<NamedMessage> out;
  auto add = [&](std::string name, DataType type, bool v, std::vector<Payload> ps) {
    out.push_back({std::move(name), Message{hdr(type, v), std::move(ps), {}}});
  };
  auto id = [](std::string_view uri) { return make_payload(Id{IdType::uri, to_bytes(uri)}); };
  auto dh = [](std::uint8_t start) {
    return make_payload(
        Dh{DhGroup::oakley_2, pattern(128, start), 0, KvType::null, KvData{{}, {}, {}}});
  };
  auto rand = [] { return make_payload(Rand{pattern(16, 0x80)}); };
  auto kemac = [] {
    return make_payload(
        Kemac{EncrAlg::aes_cm_128, pattern(36, 0x40), MacAlg::hmac_sha1_160, pattern(20, 0x90)});
  };
  auto sign = [] { return make_payload(Sign{SignType::rsa_pkcs1_v15, pattern(64, 0x70)}); };
  // RFC 3830 §3.1: I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC.
  add("mikey_psk_init_ids", DataType::psk_init, true,
      {t(), rand(), id("sip:alice@example.org"), id("sip:bob@example.org"), sp(), sp(), kemac()});
  // RFC 3830 §3.2: R_MESSAGE = HDR, T, [IDr], V.
  add("mikey_pk_verify", DataType::pk_verify, false, {t(), id("sip:bob@example.org"), v_sha1()});
  // RFC 3830 §3.3: I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi.
  add("mikey_dh_init_cert", DataType::dh_init, true,
      {t(), rand(), make_payload(Cert{CertType::x509v3, pattern(64, 0x30)}),
       id("sip:bob@example.org"), sp(), dh(0x10), sign()});
  // R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr.
  add("mikey_dh_resp", DataType::dh_resp, false,
      {t(), id("sip:bob@example.org"), id("sip:alice@example.org"), dh(0x20), dh(0x10), sign()});
  // RFC 4650 §3: I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, DHi, KEMAC.
  add("mikey_dhhmac_init", DataType::dhhmac_init, true,
      {t(), rand(), id("sip:alice@example.org"), id("sip:bob@example.org"), dh(0x10),
       make_payload(Kemac{EncrAlg::null, {}, MacAlg::hmac_sha1_160, pattern(20, 0x90)})});
  // RFC 3830 §5.1.2: Error message = HDR, T, {ERR}, [V].
  add("mikey_error", DataType::error, false,
      {t(), make_payload(Err{ErrorNo::auth_failure, 0}), make_payload(Err{ErrorNo::invalid_sp, 0}),
       v_sha1()});
  return out;
}

}  // namespace mikey::codec
