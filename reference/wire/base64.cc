#include "wire/base64.h"

#include <array>
#include <new>

namespace mikey::wire {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i)
    t.at(static_cast<unsigned char>(kAlphabet[i])) = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto kTable = make_table();
// The alphabet value of c, or -1.
std::int8_t value_of(char c) noexcept { return kTable.at(static_cast<unsigned char>(c)); }

Error err(Errc c, std::size_t at) { return Error{c, static_cast<std::uint32_t>(at)}; }
}  // namespace

std::string base64_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v =
        (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 0x3f]);
  }
  std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kAlphabet[(v >> 18) & 0x3f]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

Result<Bytes, Error> base64_decode(std::string_view text, Base64Mode mode,
                                   std::size_t max_output) noexcept {
  try {
    // Allocation guard: padding drops at most 2 bytes and skipped CR/LF carry none. Written
    // as a subtraction so a huge max_output cannot wrap.
    std::size_t significant = text.size();
    if (mode == Base64Mode::lenient) {
      for (char c : text) significant -= (c == '\r' || c == '\n') ? 1 : 0;
    }
    std::size_t bound = significant / 4 * 3;
    if (bound > 2 && bound - 2 > max_output) return err(Errc::limit_exceeded, 0);
    Bytes out;
    out.reserve(bound);
    std::uint32_t acc = 0;
    int nchars = 0;           // characters in the current quantum, padding included
    int npad = 0;             // '=' seen in the current quantum
    std::size_t pad_at = 0;   // offset of the first '='
    std::size_t data_at = 0;  // offset of the last alphabet character
    bool finished = false;    // a padded quantum closed the data
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (mode == Base64Mode::lenient && (c == '\r' || c == '\n')) continue;
      if (finished) {
        bool in_alphabet = c == '=' || value_of(c) >= 0;
        return err(in_alphabet ? Errc::bad_base64_padding : Errc::bad_base64_char, i);
      }
      if (c == '=') {
        if (nchars < 2) return err(Errc::bad_base64_padding, i);
        if (npad == 0) pad_at = i;
        ++npad;
        ++nchars;
      } else {
        std::int8_t v = value_of(c);
        if (v < 0) return err(Errc::bad_base64_char, i);
        if (npad > 0) return err(Errc::bad_base64_padding, pad_at);
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        data_at = i;
        ++nchars;
      }
      if (nchars < 4) continue;
      // One full quantum: 4 characters carry 3 - npad bytes.
      acc <<= 6 * npad;
      int nbytes = 3 - npad;
      std::uint32_t unused_mask = npad == 0 ? 0 : (npad == 1 ? 0xffu : 0xffffu);
      if ((acc & unused_mask) != 0) return err(Errc::nonzero_base64_bits, data_at);
      for (int k = 0; k < nbytes; ++k)
        out.push_back(static_cast<std::uint8_t>(acc >> (16 - 8 * k)));
      if (out.size() > max_output) return err(Errc::limit_exceeded, i);
      finished = npad > 0;
      acc = 0;
      nchars = 0;
      npad = 0;
    }
    if (nchars != 0)
      return err(npad ? Errc::bad_base64_padding : Errc::bad_base64_length, text.size());
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return err(Errc::limit_exceeded, 0);
  }
}

}  // namespace mikey::wire
