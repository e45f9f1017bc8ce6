// The `http.answer:` check: how the SUT ended an exchange at the HTTP level, where closing the
// connection without a response is one of the legal answers (docs/latitude.md
// "announced-body-too-large": a server may refuse an oversized request by closing).
//
//   http.answer: [4xx, closed]     a 4xx status, or the connection closed (or reset) with no
//                                   response — a write that failed because of it included
//   http.answer: timeout            no response within the profile's timeouts.request_ms while
//                                   the connection stayed open
//
// Values: status codes (413), classes (4xx), `closed`, `timeout`; the check holds when the
// exchange ended in any of them. A response the harness could not use (bad_response,
// response_too_large) is none of them.
#pragma once

#include <string>
#include <string_view>

#include "harness/driver.h"
#include "harness/results.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// "closed" or "timeout" for an exchange without a response that ended that way, "" otherwise
// (a response arrived, or something else went wrong).
std::string_view no_response_kind(const HttpExchange& x) noexcept;

// The expected answers as the report shows them, e.g. "4xx, closed".
std::string http_answer_expectation(const Check& c);

// Judges `x` against an `http.answer:` check (c.key == CheckKey::http_answer).
ExpectationResult judge_http_answer(const Check& c, const HttpExchange& x);

}  // namespace mikeyconf::harness
