// `mikeyconf decode` run in-process on a given standard input, for the decode tests.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/decode.h"

namespace mikeyconf::tools {

struct DecodeRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline DecodeRun run_decode(std::vector<std::string_view> args,
                            const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err};
  DecodeRun r;
  r.code = decode_main(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace mikeyconf::tools
