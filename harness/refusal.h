// The `refused:` check: a refusal judged by its class (scenario.h RefusalClass), accepting every
// answer the specifications allow for that class and the SUT profile's declared latitude
// (docs/latitude.md "auth-failure-answer", "malformed-answer", "discard-answer"):
//
//   class          a MIKEY Error message in a 200 (A.2-12)      an HTTP 4xx (A.3-1)
//   authenticated  with one of the case's Error numbers          never: the POST was valid
//   auth_failure   Error 0 Auth failure (RFC 3830 §5.3)          when the profile allows http-4xx
//   malformed      Error 12 or 13 (RFC 6043 §5.4, RFC 4738)      when the profile allows http-4xx
//   discarded      any Error number (RFC 3830 §5.3, §5.4 name    when the profile allows http-4xx
//                  none for a discarded message)
//
// A declared reading narrows this: `auth-failure-answer: error` fails a 4xx, `http-4xx` fails
// an Error message. A case's `error_no:` replaces the class's numbers; `error_no: any` accepts
// every number.
#pragma once

#include <string>

#include "harness/driver.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// The expected answers as the report shows them, e.g. "MIKEY Error [0] in a 200, or an HTTP 4xx".
std::string refusal_expectation(const Check& c);

// Judges the answer `x` against a `refused:` check (c.key == CheckKey::refused).
ExpectationResult judge_refusal(const Check& c, const HttpExchange& x, const SutProfile& profile);

// The docs/latitude.md entry that decides whether a 4xx may replace the Error message of
// class `c` ("" for authenticated refusals).
std::string_view http_latitude_of(RefusalClass c) noexcept;

}  // namespace mikeyconf::harness
