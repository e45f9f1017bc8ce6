// How checks and transcripts name what they saw: data types, payload lists, Error numbers.
#pragma once

#include <string>
#include <vector>

#include "codec/message.h"

namespace mikeyconf::harness {

// "REQUEST_RESP", or "data type 42" for an unregistered one.
std::string data_type_name(int n);
// "HDR IDRi T RAND V": the payload chain of `m`.
std::string payload_names(const mikey::codec::Message& m);
// "[0 Auth failure, 12 ...]": the Error numbers with their names.
std::string numbers_text(const std::vector<mikey::codec::ErrorNo>& v);

}  // namespace mikeyconf::harness
