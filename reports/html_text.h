// Text for report.html. Everything that reaches the page goes through one of these: a SUT is
// hostile input, so no byte of it may be read as markup, and its size is bounded so a huge
// answer cannot make a huge page (results.json keeps every byte).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "wire/bytes.h"

namespace mikeyconf::reports {

// Bytes of a body shown in the page before the rest is cut with a note.
inline constexpr std::size_t kHtmlBodyLimit = 64 * 1024;
// Bytes of one header value, reason or expectation value shown.
inline constexpr std::size_t kHtmlTextLimit = 8 * 1024;
// Bytes of a MIKEY message shown as a hex dump, and layout fields listed per message.
inline constexpr std::size_t kHtmlHexDumpLimit = 16 * 1024;
inline constexpr std::size_t kHtmlFieldLimit = 1024;

// Text we wrote or loaded (titles, labels, ids, requirement texts): & < > " ' become entities,
// valid UTF-8 is kept, invalid UTF-8 bytes and control characters other than \n and \t become
// U+FFFD. Safe in element content and in quoted attribute values.
std::string html_escape(std::string_view text);

// Bytes received from (or sent to) the SUT, at most `limit` of them: printable ASCII escaped as
// above, \n kept, every other byte as a marked "\xHH" (CR as "\r" before its line break), then,
// when cut, a note saying how many bytes are not shown.
std::string html_bytes(std::string_view bytes, std::size_t limit = kHtmlTextLimit);

// A note "N more bytes not shown (results.json has every byte)".
std::string cut_note(std::size_t hidden);

}  // namespace mikeyconf::reports
