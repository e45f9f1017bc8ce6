// The UE-role runner's transcript entries (ue_transcript.h).
#include "harness/ue_transcript.h"

#include "harness/names.h"

namespace mikeyconf::harness {

std::string ue_data_type_of(const std::optional<mikey::Bytes>& m) {
  if (!m || m->size() < 2) return "no MIKEY message";
  const std::string_view n = code_point_name("DataType", (*m)[1]);
  return n.empty() ? "data type " + std::to_string((*m)[1]) : std::string(n);
}

TranscriptEntry ue_entry(std::size_t i, std::string kind, std::string label,
                         const mikey::Bytes& built, const mikey::Bytes& sent) {
  TranscriptEntry e;
  e.step = i;
  e.kind = std::move(kind);
  e.label = std::move(label);
  e.mikey_built = built;
  e.mikey_sent = sent;
  return e;
}

std::string clipped(const std::string& s) {
  constexpr std::size_t kMax = 600;
  return s.size() <= kMax ? s : s.substr(0, kMax) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::string hook_reply_note(const HookReply& r) {
  if (!r.answered) return "no usable reply: " + r.problem;
  std::string note;
  if (r.mikey) note += ue_data_type_of(r.mikey);
  if (r.keys)
    note += std::string(note.empty() ? "" : ", ") + std::to_string(r.keys->size()) + " key set(s)";
  if (r.error) note += std::string(note.empty() ? "" : ", ") + "error: " + *r.error;
  return note;
}

TranscriptEntry tap_entry(std::size_t i, const TapRecord& t, std::string_view role,
                          const std::string& ue_name) {
  TranscriptEntry e =
      ue_entry(i, "http",
               (t.mikey.empty() ? std::string("request") : ue_data_type_of(t.mikey)) + " from " +
                   std::string(role) + " (" + ue_name + ", the UE) to the harness KMS",
               t.mikey, t.mikey);
  e.request = t.request;
  e.status = t.status;
  e.headers = t.response_headers;
  e.body = t.response_body;
  e.response_mikey = t.response_mikey;
  e.transport_error = t.status == 0 ? "no answer (connection closed)" : "";
  e.note =
      t.note + (t.http_problem.empty() ? "" : "; not a valid Annex A request: " + t.http_problem);
  e.start_ms = t.at_ms;
  return e;
}

}  // namespace mikeyconf::harness
