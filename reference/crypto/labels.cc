#include "crypto/labels.h"

#include <limits>
#include <new>

namespace mikey::crypto {

namespace {

// RFC 6043 §5.1.1-§5.1.3, App. A.2: the 32-bit field that replaces the RFC 3830 CSB ID.
constexpr std::uint32_t kNoCsbId = 0xFFFFFFFF;
constexpr std::uint8_t kPskMarker = 0xFF;  // RFC 3830 §4.1.4: the 0xFF after the constant

void put_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }
void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

// len(x) (8 bits) || x, as RFC 6043 writes every RAND into a label (§5.1: the RAND length and
// RAND fields, never the whole RANDR payload).
void put_len8(Bytes& out, ByteView v) {
  put_u8(out, static_cast<std::uint8_t>(v.size()));
  put(out, v);
}

bool fits_len8(ByteView v) noexcept { return v.size() <= std::numeric_limits<std::uint8_t>::max(); }

// The common RFC 6043 prefix constant || 0xFF || 0xFFFFFFFF || type.
Bytes ticket_prefix(std::uint32_t constant, LabelType type, std::size_t reserve) {
  Bytes out;
  out.reserve(10 + reserve);
  put_u32(out, constant);
  put_u8(out, kPskMarker);
  put_u32(out, kNoCsbId);
  put_u8(out, static_cast<std::uint8_t>(type));
  return out;
}

}  // namespace

Result<Bytes, Error> label_tgk_3830(std::uint32_t constant, std::uint8_t cs_id,
                                    std::uint32_t csb_id, ByteView rand) noexcept {
  try {
    Bytes out;
    out.reserve(9 + rand.size());
    put_u32(out, constant);
    put_u8(out, cs_id);
    put_u32(out, csb_id);
    put(out, rand);  // RFC 3830 §4.1.3: the RAND itself, no length
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Bytes, Error> label_psk_3830(std::uint32_t constant, std::uint32_t csb_id,
                                    ByteView rand) noexcept {
  // RFC 3830 §4.1.4: the RFC 3830 §4.1.3 layout with 0xFF where the CS ID stands.
  return label_tgk_3830(constant, kPskMarker, csb_id, rand);
}

Result<Bytes, Error> label_forking(std::uint32_t constant, ByteView id_data,
                                   ByteView randr_kms) noexcept {
  if (id_data.size() > std::numeric_limits<std::uint16_t>::max() || !fits_len8(randr_kms)) {
    return Error{Errc::bad_length};
  }
  try {
    Bytes out = ticket_prefix(constant, LabelType::forking, 3 + id_data.size() + randr_kms.size());
    put_u16(out, static_cast<std::uint16_t>(id_data.size()));  // §5.1.1: 16-bit ID Data length
    put(out, id_data);
    put_len8(out, randr_kms);
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Bytes, Error> label_message_key(std::uint32_t constant, std::uint32_t csb_id,
                                       MessageDirection direction, ByteView randri,
                                       ByteView randrr) noexcept {
  if (direction != MessageDirection::initial && direction != MessageDirection::response) {
    return Error{Errc::bad_parameter};
  }
  if (!fits_len8(randri) || !fits_len8(randrr)) return Error{Errc::bad_length};
  try {
    Bytes out;
    out.reserve(12 + randri.size() + randrr.size());
    put_u32(out, constant);
    put_u8(out, kPskMarker);
    put_u32(out, csb_id);  // §5.1.2 keeps the CSB ID of the message's HDR
    put_u8(out, static_cast<std::uint8_t>(direction));
    put_len8(out, randri);
    put_len8(out, randrr);
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Bytes, Error> label_session_key(std::uint32_t constant, std::uint8_t cs_id, ByteView randri,
                                       ByteView randrr) noexcept {
  if (!fits_len8(randri) || !fits_len8(randrr)) return Error{Errc::bad_length};
  try {
    Bytes out;
    out.reserve(12 + randri.size() + randrr.size());
    put_u32(out, constant);
    put_u8(out, cs_id);  // §5.1.3: CS ID where RFC 3830 §4.1.3 had it, then 0xFFFFFFFF
    put_u32(out, kNoCsbId);
    put_u8(out, static_cast<std::uint8_t>(LabelType::session));
    put_len8(out, randri);
    put_len8(out, randrr);
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Bytes, Error> label_vr(std::uint32_t constant) noexcept {
  try {
    return ticket_prefix(constant, LabelType::vr, 0);
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

namespace {

// The TPK and MPK labels: the ticket prefix, then the RAND with its 8-bit length.
Result<Bytes, Error> label_with_rand(std::uint32_t constant, LabelType type,
                                     ByteView rand) noexcept {
  if (!fits_len8(rand)) return Error{Errc::bad_length};
  try {
    Bytes out = ticket_prefix(constant, type, 1 + rand.size());
    put_len8(out, rand);
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

}  // namespace

Result<Bytes, Error> label_tpk(std::uint32_t constant, ByteView rand) noexcept {
  return label_with_rand(constant, LabelType::tpk, rand);
}

Result<Bytes, Error> label_mpk(std::uint32_t constant, ByteView rand) noexcept {
  return label_with_rand(constant, LabelType::mpk, rand);
}

}  // namespace mikey::crypto
