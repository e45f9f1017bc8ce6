// HDR, the Common Header payload (RFC 3830 §6.1; RFC 4563 §5; RFC 6043 §6.1, §6.1.1).
#include "codec/payloads.h"

#include <new>

namespace mikey::codec {

namespace {

ParseError parse_srtp_id(FieldReader& r, std::uint8_t count, std::vector<SrtpIdEntry>& out) {
  // RFC 3830 §6.1.1: #CS records of Policy_no (1), SSRC (4), ROC (4).
  for (std::uint8_t i = 0; i < count; ++i) {
    FieldReader er = r.child("srtp_id", i, r.where());
    SrtpIdEntry& e = out.emplace_back();
    bool ok = er.u8("policy_no", e.policy_no) && er.u32("ssrc", e.ssrc) && er.u32("roc", e.roc);
    r.reader() = er.reader();
    if (!ok) return er.error();
  }
  return {};
}

ParseError parse_generic_id_entry(FieldReader& r, GenericIdEntry& e) {
  // RFC 6043 §6.1.1: CS ID, Prot type, S | #P, Ps, Session Data Length, Session Data,
  // SPI Length, SPI.
  std::uint8_t sp = 0;
  std::uint16_t session_len = 0;
  std::uint8_t spi_len = 0;
  if (!r.u8("cs_id", e.cs_id) || !r.code("prot_type", e.prot_type) ||
      !r.bits(sp, {{"s_flag", 0x80}, {"policy_count", 0x7f}})) {
    return r.error();
  }
  e.s_flag = (sp & 0x80) != 0;
  Bytes ps;
  if (!r.bytes("policies", sp & 0x7f, ps)) return r.error();
  e.policies.assign(ps.begin(), ps.end());
  if (!r.u16("session_data_length", session_len) ||
      !r.bytes("session_data", session_len, e.session_data) || !r.u8("spi_length", spi_len) ||
      !r.bytes("spi", spi_len, e.spi)) {
    return r.error();
  }
  return {};
}

}  // namespace

ParseError parse_hdr(FieldReader& r, Hdr& out, PayloadType& first_payload) noexcept {
  try {
    std::uint8_t vprf = 0;
    if (!r.u8("version", out.version) || !r.code("data_type", out.data_type) ||
        !r.code("next_payload", first_payload) ||
        !r.bits(vprf, {{"v", 0x80}, {"prf_func", 0x7f}}) || !r.u32("csb_id", out.csb_id) ||
        !r.u8("cs_count", out.cs_count) || !r.code("map_type", out.map_type)) {
      return r.error();
    }
    out.v = (vprf & 0x80) != 0;
    out.prf_func = static_cast<PrfFunc>(vprf & 0x7f);
    switch (out.map_type) {
      case MapType::srtp_id:
        return parse_srtp_id(r, out.cs_count, out.srtp_id);
      case MapType::empty:
        // RFC 4563 §5 defines no map info: length 0 (INTERPRETATION, spec README q.12).
        return {};
      case MapType::generic_id:
        for (std::uint8_t i = 0; i < out.cs_count; ++i) {
          FieldReader er = r.child("generic_id", i, r.where());
          ParseError e = parse_generic_id_entry(er, out.generic_id.emplace_back());
          r.reader() = er.reader();
          if (e.code != Errc::ok) return e;
        }
        return {};
    }
    return r.fail(Errc::unknown_map_type, r.offset() - 1);
  } catch (const std::bad_alloc&) {
    return r.fail(Errc::too_many_payloads, r.offset());
  }
}

void serialize_hdr(FieldWriter& w, const Hdr& in, PayloadType first_payload) {
  std::size_t entries = in.map_type == MapType::srtp_id      ? in.srtp_id.size()
                        : in.map_type == MapType::generic_id ? in.generic_id.size()
                                                             : in.cs_count;
  if (entries != in.cs_count || raw(in.prf_func) > 0x7f ||
      (in.map_type != MapType::srtp_id && !in.srtp_id.empty()) ||
      (in.map_type != MapType::generic_id && !in.generic_id.empty()) ||
      raw(in.map_type) > raw(MapType::generic_id)) {
    return w.fail(Errc::inconsistent_model);
  }
  w.u8("version", in.version);
  w.code("data_type", in.data_type);
  w.code("next_payload", first_payload);
  w.bits(static_cast<std::uint8_t>((in.v ? 0x80 : 0) | raw(in.prf_func)),
         {{"v", 0x80}, {"prf_func", 0x7f}});
  w.u32("csb_id", in.csb_id);
  w.u8("cs_count", in.cs_count);
  w.code("map_type", in.map_type);
  for (std::size_t i = 0; i < in.srtp_id.size(); ++i) {
    FieldWriter ew = w.child("srtp_id", i);
    ew.u8("policy_no", in.srtp_id[i].policy_no);
    ew.u32("ssrc", in.srtp_id[i].ssrc);
    ew.u32("roc", in.srtp_id[i].roc);
  }
  for (std::size_t i = 0; i < in.generic_id.size(); ++i) {
    const GenericIdEntry& e = in.generic_id[i];
    FieldWriter ew = w.child("generic_id", i);
    if (e.policies.size() > 0x7f) return w.fail(Errc::field_too_large);
    ew.u8("cs_id", e.cs_id);
    ew.code("prot_type", e.prot_type);
    ew.bits(static_cast<std::uint8_t>((e.s_flag ? 0x80 : 0) | e.policies.size()),
            {{"s_flag", 0x80}, {"policy_count", 0x7f}});
    ew.bytes("policies", e.policies);
    ew.length("session_data_length", e.session_data.size(), 2);
    ew.bytes("session_data", e.session_data);
    ew.length("spi_length", e.spi.size(), 1);
    ew.bytes("spi", e.spi);
  }
}

}  // namespace mikey::codec
