// SP, the security policy payload (RFC 3830 §6.10): Policy no, Prot type, Policy param length
// (16 bits), then Policy param: a list of Type (1) | Length (1) | Value TLVs (§6.10.1 for
// SRTP) that exactly fills the Policy param length. Values are kept as bytes whatever their
// Type: RFC 3830 fixes no width for most of them (RFC 3830 §6.10.1: one byte only
// for Types 0, 2 and 5; the others take their width from the TLV Length).
#include "codec/payloads.h"

#include <new>
#include <string>

namespace mikey::codec {

ParseError parse_body(FieldReader& r, SecurityPolicy& out) noexcept {
  try {
    std::uint16_t len = 0;
    if (!r.u8("policy_no", out.policy_no) || !r.code("prot_type", out.prot_type) ||
        !r.u16("policy_param_length", len)) {
      return r.error();
    }
    std::size_t param_at = r.offset();
    FieldReader pr = r;
    if (!r.nested("policy_param", len, pr)) return r.error();
    r.record("policy_param", param_at, len);
    while (pr.remaining() > 0) {
      // A TLV that runs past the Policy param length is truncated at the TLV's first byte: the
      // param length, not the TLV, is what disagrees with the rest.
      std::size_t tlv_at = pr.offset();
      FieldReader tr = pr.child("param", out.params.size(), pr.where());
      PolicyParam& p = out.params.emplace_back();
      std::uint8_t value_len = 0;
      bool ok = tr.u8("type", p.type) && tr.u8("length", value_len) &&
                tr.bytes("value", value_len, p.value);
      pr.reader() = tr.reader();
      if (!ok) return tr.fail(Errc::truncated, tlv_at);
    }
    return {};
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return r.fail(Errc::too_many_payloads, r.offset());
  }
}

void serialize_body(FieldWriter& w, const SecurityPolicy& in) {
  std::size_t len = 0;
  for (const PolicyParam& p : in.params) len += 2 + p.value.size();
  w.u8("policy_no", in.policy_no);
  w.code("prot_type", in.prot_type);
  w.length("policy_param_length", len, 2);
  w.record("policy_param", w.offset(), len);
  FieldWriter pw = w.child("policy_param");
  for (std::size_t i = 0; i < in.params.size(); ++i) {
    const PolicyParam& p = in.params[i];
    FieldWriter tw = pw.child("param", i);
    tw.u8("type", p.type);
    tw.length("length", p.value.size(), 1);
    tw.bytes("value", p.value);
  }
}

}  // namespace mikey::codec
