#include "crypto/derive.h"

namespace mikey::crypto {

namespace {

// PRF over a label that may have failed to build.
Result<SecureBytes, Error> prf_with(PrfFunc prf_func, ByteView inkey,
                                    const Result<Bytes, Error>& label,
                                    std::size_t out_bytes) noexcept {
  if (!label.ok()) return label.error();
  return prf(prf_func, inkey, label.value(), out_bytes);
}

// Runs `derive(constant, length)` for the encr / auth / salt constants of RFC 3830 §4.1.4 (used
// unchanged by RFC 6043 §5.1.2 and App. A.2.1); a zero length gives an empty key.
template <class Derive>
Result<MessageKeys, Error> derive_three(std::size_t encr_len, std::size_t auth_len,
                                        std::size_t salt_len, Derive derive) noexcept {
  MessageKeys keys;
  struct Slot {
    std::uint32_t constant;
    std::size_t length;
    SecureBytes* out;
  };
  for (Slot slot : {Slot{kConstEncr, encr_len, &keys.encr}, Slot{kConstAuth, auth_len, &keys.auth},
                    Slot{kConstSalt, salt_len, &keys.salt}}) {
    if (slot.length == 0) continue;
    auto key = derive(slot.constant, slot.length);
    if (!key.ok()) return key.error();
    *slot.out = std::move(key).value();
  }
  return keys;
}

}  // namespace

Result<SecureBytes, Error> derive_tgk_key_3830(PrfFunc prf_func, ByteView tgk,
                                               std::uint32_t constant, std::uint8_t cs_id,
                                               std::uint32_t csb_id, ByteView rand,
                                               std::size_t out_bytes) noexcept {
  return prf_with(prf_func, tgk, label_tgk_3830(constant, cs_id, csb_id, rand), out_bytes);
}

Result<SecureBytes, Error> derive_psk_key_3830(PrfFunc prf_func, ByteView psk,
                                               std::uint32_t constant, std::uint32_t csb_id,
                                               ByteView rand, std::size_t out_bytes) noexcept {
  return prf_with(prf_func, psk, label_psk_3830(constant, csb_id, rand), out_bytes);
}

Result<MessageKeys, Error> derive_psk_keys_3830(PrfFunc prf_func, ByteView psk,
                                                std::uint32_t csb_id, ByteView rand,
                                                std::size_t encr_len, std::size_t auth_len,
                                                std::size_t salt_len) noexcept {
  return derive_three(encr_len, auth_len, salt_len, [&](std::uint32_t c, std::size_t n) noexcept {
    return derive_psk_key_3830(prf_func, psk, c, csb_id, rand, n);
  });
}

Result<SecureBytes, Error> derive_forked_key(PrfFunc prf_func, ByteView inkey,
                                             std::uint32_t constant, ByteView id_data,
                                             ByteView randr_kms) noexcept {
  // §5.1.1: "outkey_len SHALL be equal to inkey_len".
  return prf_with(prf_func, inkey, label_forking(constant, id_data, randr_kms), inkey.size());
}

Result<SecureBytes, Error> fork_mpkr(PrfFunc prf_func, ByteView mpkr, ByteView id_data,
                                     ByteView randr_kms) noexcept {
  return derive_forked_key(prf_func, mpkr, kConstMpkrFork, id_data, randr_kms);
}

Result<SecureBytes, Error> fork_tgk(PrfFunc prf_func, ByteView tgk, ByteView id_data,
                                    ByteView randr_kms) noexcept {
  return derive_forked_key(prf_func, tgk, kConstTgkFork, id_data, randr_kms);
}

Result<SecureBytes, Error> derive_message_key(PrfFunc prf_func, ByteView inkey,
                                              std::uint32_t constant, std::uint32_t csb_id,
                                              MessageDirection direction, ByteView randri,
                                              ByteView randrr, std::size_t out_bytes) noexcept {
  return prf_with(prf_func, inkey, label_message_key(constant, csb_id, direction, randri, randrr),
                  out_bytes);
}

Result<MessageKeys, Error> derive_message_keys(PrfFunc prf_func, ByteView inkey,
                                               std::uint32_t csb_id, MessageDirection direction,
                                               ByteView randri, ByteView randrr,
                                               std::size_t encr_len, std::size_t auth_len,
                                               std::size_t salt_len) noexcept {
  return derive_three(encr_len, auth_len, salt_len, [&](std::uint32_t c, std::size_t n) noexcept {
    return derive_message_key(prf_func, inkey, c, csb_id, direction, randri, randrr, n);
  });
}

Result<SecureBytes, Error> derive_session_key(PrfFunc prf_func, ByteView tgk,
                                              std::uint32_t constant, std::uint8_t cs_id,
                                              ByteView randri, ByteView randrr,
                                              std::size_t out_bytes) noexcept {
  return prf_with(prf_func, tgk, label_session_key(constant, cs_id, randri, randrr), out_bytes);
}

Result<SecureBytes, Error> derive_vr_key(PrfFunc prf_func, ByteView mpkr,
                                         std::size_t out_bytes) noexcept {
  // §6.10: the auth_key constant of RFC 3830 §4.1.4.
  return prf_with(prf_func, mpkr, label_vr(kConstAuth), out_bytes);
}

Result<SecureBytes, Error> derive_tpk_key(PrfFunc prf_func, ByteView tpk, std::uint32_t constant,
                                          ByteView rand, std::size_t out_bytes) noexcept {
  return prf_with(prf_func, tpk, label_tpk(constant, rand), out_bytes);
}

Result<MessageKeys, Error> derive_tpk_keys(PrfFunc prf_func, ByteView tpk, ByteView rand,
                                           std::size_t encr_len, std::size_t auth_len,
                                           std::size_t salt_len) noexcept {
  return derive_three(encr_len, auth_len, salt_len, [&](std::uint32_t c, std::size_t n) noexcept {
    return derive_tpk_key(prf_func, tpk, c, rand, n);
  });
}

Result<SecureBytes, Error> derive_mpk_key(PrfFunc prf_func, ByteView mpk, std::uint32_t constant,
                                          ByteView rand) noexcept {
  // App. A.2.2: "outkey_len SHALL be equal to inkey_len".
  return prf_with(prf_func, mpk, label_mpk(constant, rand), mpk.size());
}

Result<SecureBytes, Error> derive_mpki(PrfFunc prf_func, ByteView mpk, ByteView rand) noexcept {
  return derive_mpk_key(prf_func, mpk, kConstMpki, rand);
}

Result<SecureBytes, Error> derive_mpkr(PrfFunc prf_func, ByteView mpk, ByteView rand) noexcept {
  return derive_mpk_key(prf_func, mpk, kConstMpkr, rand);
}

}  // namespace mikey::crypto
