// Internal to AnnexAClient (client.cc, client_response.cc): reading a response apart from the
// socket work — whether bytes received so far already hold the server's answer, and the A.2-14
// checks that decide whether a 200 carries a usable MIKEY message.
#pragma once

#include <string_view>

#include "transport/client.h"

namespace mikey::transport::client_detail {

// Whether `bytes` start with a complete final response (after any 1xx interim ones), or with
// something that will never become one (a parse error): either way the server has answered.
// `head_request`: the response has no body whatever its Content-Length says.
bool holds_final_response(std::string_view bytes, bool head_request);

// A.2-14: for a 200, sets out.mikey when the Content-Type is the profile's media type and the
// body decodes per the profile, else out.mikey_problem; clears both first.
void decode_mikey_body(const ClientOptions& opts, ClientResponse& out);

}  // namespace mikey::transport::client_detail
