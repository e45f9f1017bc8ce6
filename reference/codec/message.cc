#include "codec/message.h"

#include <array>
#include <new>
#include <string>

namespace mikey::codec {

namespace {

// Body type for a payload type code, or nullopt when the code cannot appear in a chain.
std::optional<PayloadBody> body_for(PayloadType t) noexcept {
  switch (t) {
    case PayloadType::kemac:
      return Kemac{};
    case PayloadType::pke:
      return Pke{};
    case PayloadType::dh:
      return Dh{};
    case PayloadType::sign:
      return Sign{};
    case PayloadType::t:
      return Timestamp{};
    case PayloadType::id:
      return Id{};
    case PayloadType::cert:
      return Cert{};
    case PayloadType::chash:
      return Chash{};
    case PayloadType::v:
      return Verification{};
    case PayloadType::sp:
      return SecurityPolicy{};
    case PayloadType::rand:
      return Rand{};
    case PayloadType::err:
      return Err{};
    case PayloadType::tr:
      return TimestampWithRole{};
    case PayloadType::idr:
      return IdWithRole{};
    case PayloadType::randr:
      return RandWithRole{};
    case PayloadType::tp:
      return TicketPolicy{};
    case PayloadType::ticket:
      return Ticket{};
    case PayloadType::general_ext:
      return GeneralExtension{};
    case PayloadType::ibake:
    case PayloadType::esk:
      return OpaqueEncrData{};
    case PayloadType::sakke:
      return Sakke{};
    default:
      return std::nullopt;  // Last, Key data/SK/ECCPT (sub-payloads only), unassigned
  }
}

std::string payload_prefix(const std::string& base, std::size_t index, PayloadType t) {
  std::string name = indexed("payload", index) + ".";
  std::string tn(to_string(t));
  if (tn.empty()) tn = std::to_string(raw(t));
  for (char& c : tn) c = c == ' ' ? '_' : c;  // "General Ext" → "General_Ext": one path segment
  name.append(tn);
  return join_path(base, name);
}

}  // namespace

template <class T>
Payload make_payload(T body, PayloadType type) {
  Payload p;
  p.body = std::move(body);
  p.type = type == PayloadType::last ? default_type_of(p.body) : type;
  return p;
}

#define MIKEY_INSTANTIATE(T) template Payload make_payload<T>(T, PayloadType);
MIKEY_INSTANTIATE(Kemac)
MIKEY_INSTANTIATE(Pke)
MIKEY_INSTANTIATE(Dh)
MIKEY_INSTANTIATE(Sign)
MIKEY_INSTANTIATE(Timestamp)
MIKEY_INSTANTIATE(Id)
MIKEY_INSTANTIATE(Cert)
MIKEY_INSTANTIATE(Chash)
MIKEY_INSTANTIATE(Verification)
MIKEY_INSTANTIATE(SecurityPolicy)
MIKEY_INSTANTIATE(Rand)
MIKEY_INSTANTIATE(Err)
MIKEY_INSTANTIATE(TimestampWithRole)
MIKEY_INSTANTIATE(IdWithRole)
MIKEY_INSTANTIATE(RandWithRole)
MIKEY_INSTANTIATE(TicketPolicy)
MIKEY_INSTANTIATE(Ticket)
MIKEY_INSTANTIATE(GeneralExtension)
MIKEY_INSTANTIATE(OpaqueEncrData)
MIKEY_INSTANTIATE(Sakke)
#undef MIKEY_INSTANTIATE

PayloadType default_type_of(const PayloadBody& body) noexcept {
  static constexpr auto kTypes = std::to_array<PayloadType>(
      {PayloadType::kemac,  PayloadType::pke,         PayloadType::dh,    PayloadType::sign,
       PayloadType::t,      PayloadType::id,          PayloadType::cert,  PayloadType::chash,
       PayloadType::v,      PayloadType::sp,          PayloadType::rand,  PayloadType::err,
       PayloadType::tr,     PayloadType::idr,         PayloadType::randr, PayloadType::tp,
       PayloadType::ticket, PayloadType::general_ext, PayloadType::ibake, PayloadType::sakke});
  static_assert(kTypes.size() == std::variant_size_v<PayloadBody>);
  return kTypes.at(body.index());
}

bool Chain::operator==(const Chain& o) const {
  return present == o.present && payloads == o.payloads && trailing == o.trailing;
}

bool Ticket::operator==(const Ticket& o) const {
  return policy == o.policy && ticket_data == o.ticket_data && initiator_data == o.initiator_data;
}

const Payload* Message::find(PayloadType t) const noexcept {
  for (const Payload& p : payloads)
    if (p.type == t) return &p;
  return nullptr;
}

std::vector<const Payload*> Message::find_all(PayloadType t) const {
  std::vector<const Payload*> out;
  for (const Payload& p : payloads)
    if (p.type == t) out.push_back(&p);
  return out;
}

ParseError parse_chain(FieldReader& r, PayloadType first, std::vector<Payload>& out) noexcept {
  try {
    PayloadType next = first;
    while (next != PayloadType::last) {
      std::size_t start = r.offset();
      if (out.size() >= r.state().options.max_payloads) {
        return r.fail(Errc::too_many_payloads, start);
      }
      std::optional<PayloadBody> body = body_for(next);
      if (!body) {
        bool sub_only =
            next == PayloadType::key_data || next == PayloadType::sk || next == PayloadType::eccpt;
        // Report the type that cannot be read, at the offset where its payload would start.
        return ParseError{sub_only ? Errc::unexpected_payload_type : Errc::unknown_payload_type,
                          static_cast<std::uint32_t>(start), next};
      }
      FieldReader pr =
          r.child_at(next, [&] { return payload_prefix(r.prefix(), out.size(), next); });
      std::uint8_t np = 0;
      // RFC 3830 §6.5: SIGN has no Next payload field and is always last.
      if (next != PayloadType::sign && !pr.u8("next_payload", np)) return pr.error();
      Payload& p = out.emplace_back();
      p.type = next;
      p.body = std::move(*body);
      p.offset = static_cast<std::uint32_t>(start);
      ParseError e = std::visit([&](auto& b) { return parse_body(pr, b); }, p.body);
      r.reader() = pr.reader();
      p.length = static_cast<std::uint32_t>(r.offset() - start);
      if (e.code != Errc::ok) return e;
      if (next == PayloadType::sign) break;
      next = static_cast<PayloadType>(np);
    }
    return {};
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return r.fail(Errc::too_many_payloads, r.offset());
  }
}

void serialize_chain(FieldWriter& w, const std::vector<Payload>& payloads) {
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    std::optional<PayloadBody> expect = body_for(p.type);
    if (!expect || expect->index() != p.body.index()) return w.fail(Errc::inconsistent_model);
    FieldWriter pw = w.child_at([&] { return payload_prefix(w.prefix(), i, p.type); });
    if (p.type == PayloadType::sign) {
      if (i + 1 != payloads.size()) return w.fail(Errc::inconsistent_model);
    } else {
      PayloadType next = i + 1 < payloads.size() ? payloads[i + 1].type : PayloadType::last;
      pw.code("next_payload", next);
    }
    std::visit([&](const auto& b) { serialize_body(pw, b); }, p.body);
  }
}

ParseError parse_container(FieldReader& r, Chain& out) noexcept {
  out = Chain{};
  if (r.remaining() == 0) return {};
  ParseState& st = r.state();
  if (st.depth >= st.options.max_depth) return r.fail(Errc::nesting_too_deep, r.offset());
  out.present = true;
  PayloadType first{};
  if (!r.code("first_payload", first)) return r.error();
  return parse_nested_chain(r, first, out.payloads, out.trailing, "embedded chain", r.prefix());
}

ParseError parse_nested_chain(FieldReader& r, PayloadType first, std::vector<Payload>& out,
                              Bytes& trailing, std::string_view chain,
                              std::string_view owner) noexcept {
  ParseState& st = r.state();
  ++st.depth;
  ParseError e = parse_chain(r, first, out);
  --st.depth;
  if (e.code != Errc::ok) return e;
  if (r.remaining() > 0) {
    std::size_t at = r.offset();
    // The owner's path is known only when the parse records a layout (as for Key data).
    r.deviate(DeviationKind::container_trailing_bytes, at,
              std::to_string(r.remaining()) + " byte(s) after the " + std::string(chain) +
                  (owner.empty() ? std::string() : " of " + std::string(owner)));
    if (!r.bytes("trailing", r.remaining(), trailing)) return r.error();
  }
  return {};
}

void serialize_container(FieldWriter& w, const Chain& in) {
  if (!in.present) {
    if (!in.payloads.empty() || !in.trailing.empty()) w.fail(Errc::inconsistent_model);
    return;
  }
  w.code("first_payload", in.payloads.empty() ? PayloadType::last : in.payloads.front().type);
  serialize_chain(w, in.payloads);
  if (!in.trailing.empty()) w.bytes("trailing", in.trailing);
}

std::optional<bool> expected_v_flag(const Message& m) noexcept {
  switch (m.hdr.data_type) {
    case DataType::request_init_psk:
    case DataType::request_init_pk:
    case DataType::resolve_init_psk:
    case DataType::resolve_init_pk:
      return true;  // RFC 6043 §4.2.1.1, §4.2.3.1
    case DataType::request_resp:
    case DataType::resolve_resp:
    case DataType::transfer_resp:
    case DataType::error:
      return false;  // RFC 6043 §4.2.1.5, §4.2.3.5, §4.2.2.3, §5.4
    case DataType::transfer_init:
      // RFC 6043 §4.2.2.1: V agrees with the F flag of the Ticket Policy. Without a TICKET
      // this is a CSB update (§5.2) where V says whether a response is expected.
      if (const Payload* p = m.find(PayloadType::ticket)) return p->get<Ticket>()->policy.flags.f;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

namespace {

bool is_ticket_message(DataType t) noexcept {
  return raw(t) >= raw(DataType::request_init_psk) && raw(t) <= raw(DataType::resolve_resp);
}

void check_message_deviations(const Message& m, ParseState& st) {
  if (m.hdr.version != 1) {
    st.deviate(DeviationKind::unknown_version, 0,
               "version " + std::to_string(m.hdr.version) + " (RFC 3830 §6.1 defines 1)");
  }
  if (std::optional<bool> want = expected_v_flag(m); want && *want != m.hdr.v) {
    // RFC 6043 CONFLICT: §6.1 says V = 0 in all but CSB-update TRANSFER_INITs while
    // §4 says 1 in *_INIT to a KMS and = F in TRANSFER_INIT. Receivers ignore V either way.
    st.deviate(DeviationKind::v_flag_conflict, 3,
               std::string("V=") + (m.hdr.v ? "1" : "0") + " where RFC 6043 §4 says " +
                   (*want ? "1" : "0") + " (RFC 6043 §6.1 reads differently: CONFLICT)");
  }
  if (m.hdr.data_type == DataType::error && m.find(PayloadType::err) == nullptr) {
    st.deviate(DeviationKind::error_without_err, 0, "RFC 6043 §5.4: Error = HDR, T, (ERR), ...");
  }
  if (is_ticket_message(m.hdr.data_type) && m.hdr.map_type == MapType::srtp_id) {
    st.deviate(DeviationKind::srtp_id_in_ticket_message, 9,
               "RFC 6043 §6.1: SRTP-ID SHALL NOT be used in MIKEY-TICKET messages");
  }
}

}  // namespace

ParseOutcome parse_message(ByteView bytes, const ParseOptions& options) noexcept {
  ParseOutcome out;
  ParseState st;
  st.options = options;
  FieldReader r(wire::Reader(bytes), st, "", PayloadType::last);
  auto finish = [&](ParseError e) {
    out.error = e;
    out.layout = std::move(st.layout);
    out.deviations = std::move(st.deviations);
    return std::move(out);
  };
  if (bytes.empty()) return finish({Errc::missing_hdr, 0, PayloadType::last});
  PayloadType first{};
  FieldReader hr = r.child("hdr", PayloadType::last);
  ParseError e = parse_hdr(hr, out.message.hdr, first);
  r.reader() = hr.reader();
  if (e.code != Errc::ok) return finish(e);
  e = parse_chain(r, first, out.message.payloads);
  if (e.code != Errc::ok) return finish(e);
  if (r.remaining() > 0) {
    st.deviate(DeviationKind::trailing_bytes, r.offset(),
               std::to_string(r.remaining()) + " byte(s) after the last payload");
    if (!r.bytes("trailing", r.remaining(), out.message.trailing)) return finish(r.error());
  }
  check_message_deviations(out.message, st);
  return finish({});
}

Result<Bytes, Errc> serialize_headed_chain(
    Layout* layout, const std::string& prefix, std::string_view header,
    const std::function<void(FieldWriter&, PayloadType first)>& write_header,
    const std::vector<Payload>& payloads, const Bytes& trailing) {
  try {
    SerializeState st;
    st.layout = layout;
    FieldWriter w(st, prefix);
    FieldWriter hw = w.child(header);
    write_header(hw, payloads.empty() ? PayloadType::last : payloads.front().type);
    serialize_chain(w, payloads);
    if (!trailing.empty()) w.bytes("trailing", trailing);
    if (!st.ok()) return st.status();
    return std::move(st.writer).take();
  } catch (const std::bad_alloc&) {  // allocation failure
    return Errc::field_too_large;
  }
}

Result<Bytes, Errc> serialize_message(const Message& m, Layout* layout) {
  return serialize_headed_chain(
      layout, "", "hdr",
      [&m](FieldWriter& hw, PayloadType first) { serialize_hdr(hw, m.hdr, first); }, m.payloads,
      m.trailing);
}

}  // namespace mikey::codec
