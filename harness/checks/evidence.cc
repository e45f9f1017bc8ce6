#include "harness/checks/evidence.h"

#include <utility>

namespace mikeyconf::harness {

void Evidence::record(MessageKind k, mikey::Bytes request, HttpExchange x) {
  const SutProfile* p = profile;
  *this = Evidence{};
  profile = p;
  present = true;
  kind = k;
  sent = std::move(request);
  http = std::move(x);
  if (http.mikey) answer = mikey::codec::parse_message(*http.mikey);
}

std::string Evidence::no_response() const {
  return "no response (" + http.transport_error + ": " + http.transport_detail + ")";
}

std::string Evidence::no_mikey() const {
  if (!http.responded) return no_response();
  return "no MIKEY message" +
         (http.mikey_problem.empty() ? std::string() : " (" + http.mikey_problem + ")");
}

}  // namespace mikeyconf::harness
