// The channel to a UE under test (sut_role initiator | responder; harness/README.md "UE hooks"):
// one JSON object per request, one JSON object per reply. An exec hook is a process started per
// case (argv from the profile) that reads one request per line on stdin and writes one reply per
// line on stdout; what it writes on stderr goes into the case's transcript. An http hook gets each
// request POSTed as application/json and answers with the reply as the 200 body.
//
// Nothing the hook does can crash the harness: a process that dies, hangs, writes something that
// is not a JSON object or closes the pipe is a HookReply with `problem` set (the case judges it),
// never an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/profile.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// The SRTP master key and salt of one crypto session as the UE reports them (`keys`).
struct HookKeys {
  std::uint32_t cs_id = 0;
  mikey::Bytes master_key;
  mikey::Bytes master_salt;
};

struct HookReply {
  bool answered = false;  // a JSON object with well-formed fields arrived in time
  std::string problem;    // when not: timeout, exit, garbage, HTTP error (one line)
  bool timed_out = false;
  std::string line;                   // the reply as received (at most 64 KiB kept)
  std::optional<mikey::Bytes> mikey;  // "mikey_b64", decoded
  std::optional<std::vector<HookKeys>> keys;
  std::optional<std::string> error;  // "error": the UE refused
  double duration_ms = 0;
};

// Reads one reply text (a JSON object: mikey_b64, keys [{cs_id, master_key, master_salt}] in
// hex, error; other members are ignored). Never throws.
HookReply parse_hook_reply(std::string_view text);

// `s` as a JSON string literal (quotes, backslash and control characters escaped).
std::string json_quote(std::string_view s);

// What the exec placeholders stand for.
struct HookVars {
  std::string mikeyconf;  // {mikeyconf}: the mikeyconf executable
  std::string profile;    // {profile}: the profile file, absolute
  std::string profile_dir;
};
std::vector<std::string> substitute_hook_argv(const std::vector<std::string>& argv,
                                              const HookVars& vars);

// One case's connection to the UE.
class HookSession {
 public:
  virtual ~HookSession() = default;
  // Sends one request (a JSON object on one line, without the newline) and waits at most
  // `timeout` for the reply.
  virtual HookReply call(const std::string& request, std::chrono::milliseconds timeout) = 0;
  // What the hook wrote on stderr since the last call (exec hooks; "" otherwise).
  virtual std::string take_log() = 0;
  // Ends the session (an exec hook's process group is killed) and says how it ended.
  virtual std::string close() = 0;
  virtual std::string describe() const = 0;
};

// Opens a session: an exec hook's process is started here. Fails (a setup problem) when the
// program cannot be started.
mikey::Result<std::unique_ptr<HookSession>, std::string> open_hook_session(const UeHookSpec& spec,
                                                                           const HookVars& vars);

}  // namespace mikeyconf::harness
