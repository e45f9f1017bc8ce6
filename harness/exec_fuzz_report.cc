#include "harness/exec_fuzz_report.h"

#include <fstream>

#include "harness/exec_fuzz_process.h"
#include "inspect/decode.h"
#include "inspect/json.h"
#include "inspect/render.h"
#include "wire/hex.h"

namespace mikeyconf::harness {

namespace {

using inspect::Json;

constexpr std::string_view kInput = "{input}";

// One POSIX shell word: unchanged when it is plain, else single-quoted.
std::string shell_word(std::string_view s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "abcdefghijklmnopqrstuvwxyz"
                                       "0123456789_./:=@%+,-") == std::string::npos;
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::optional<std::string> write_file(const std::filesystem::path& p, std::string_view data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) return "cannot write " + p.string();
  return std::nullopt;
}

std::string hex_lines(mikey::ByteView b) {
  std::string out;
  for (std::size_t i = 0; i < b.size(); i += 32) {
    out += mikey::wire::to_hex(b.subspan(i, std::min<std::size_t>(32, b.size() - i))) + "\n";
  }
  return out;
}

Json finding_json(const ExecFinding& f, const ExecFuzzOptions& options) {
  const auto or_null = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  const Json sanitizer =
      f.sanitizer.empty() ? Json(nullptr) : Json{{"summary", f.sanitizer}, {"frames", f.frames}};
  return Json{
      {"id", f.id},
      {"kind", std::string(to_string(f.kind))},
      {"signal", f.signal ? Json(signal_name(*f.signal)) : Json(nullptr)},
      {"exit_code", or_null(f.exit_code)},
      {"timeout_ms", f.kind == ExecFindingKind::hang ? Json(options.timeout_ms) : Json(nullptr)},
      {"sanitizer", sanitizer},
      {"signature", f.signature},
      {"command", options.command},
      {"input_via", takes_input_file(options.command) ? "file" : "stdin"},
      {"replay", replay_command(options.command, f.dir / "input.bin")},
      {"reproduced", f.reproduced},
      {"input_length", f.input.size()},
      {"original_length", f.original_size},
      {"minimise_runs", f.minimise_runs},
      {"mutated_from", f.from},
      {"hits", f.hits},
      {"first_exec", f.first_exec},
      {"campaign_seed", options.seed},
      {"stderr", f.stderr_excerpt},
      {"decoded", inspect::render_json(inspect::decode_message(f.input))},
  };
}

}  // namespace

bool takes_input_file(const std::vector<std::string>& command) {
  for (const std::string& a : command) {
    if (a.find(kInput) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> with_input_file(const std::vector<std::string>& command,
                                         const std::string& input_file) {
  std::vector<std::string> out;
  for (std::string a : command) {
    for (std::size_t at = a.find(kInput); at != std::string::npos;
         at = a.find(kInput, at + input_file.size())) {
      a.replace(at, kInput.size(), input_file);
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string replay_command(const std::vector<std::string>& command,
                           const std::filesystem::path& input_file) {
  std::string line;
  for (const std::string& a : with_input_file(command, input_file.string())) {
    line += (line.empty() ? "" : " ") + shell_word(a);
  }
  if (!takes_input_file(command)) line += " < " + shell_word(input_file.string());
  return line;
}

std::optional<std::string> write_finding(const ExecFinding& f, const ExecFuzzOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(f.dir, ec);
  if (ec) return "cannot create " + f.dir.string() + ": " + ec.message();
  const std::string_view bin(reinterpret_cast<const char*>(f.input.data()),  // NOLINT
                             f.input.size());
  if (auto e = write_file(f.dir / "input.bin", bin)) return e;
  if (auto e = write_file(f.dir / "input.hex", hex_lines(f.input))) return e;
  return write_file(f.dir / "finding.json", inspect::dump_json(finding_json(f, options), 2) + "\n");
}

std::optional<std::string> write_campaign(const ExecCampaign& c, const ExecFuzzOptions& options) {
  Json j;
  j["command"] = options.command;
  j["input_via"] = takes_input_file(options.command) ? "file" : "stdin";
  j["seed"] = options.seed;
  j["timeout_ms"] = options.timeout_ms;
  j["time_s"] = options.time_s ? Json(*options.time_s) : Json(nullptr);
  j["runs"] = options.runs ? Json(*options.runs) : Json(nullptr);
  j["max_len"] = options.max_size;
  j["stop_reason"] = c.stop_reason;
  j["setup_error"] = c.setup_error ? Json(*c.setup_error) : Json(nullptr);
  j["seconds"] = c.seconds;
  j["execs"] = Json{{"total", c.execs},
                    {"seeds", c.seed_execs},
                    {"mutants", c.fuzz_execs},
                    {"minimise", c.minimise_execs}};
  j["execs_per_s"] = c.seconds > 0 ? static_cast<double>(c.execs) / c.seconds : 0.0;
  j["seeds"] = Json{{"total", c.seeds}, {"valid", c.valid_seeds}};
  j["corpus_end"] = c.corpus_end;
  Json codes = Json::object();
  for (const auto& [code, n] : c.exit_codes) codes[std::to_string(code)] = n;
  j["exit_codes"] = codes;
  j["hangs_not_reproduced"] = c.hangs_not_reproduced;
  Json findings = Json::array();
  for (const ExecFinding& f : c.findings) {
    findings.push_back(Json{{"id", f.id},
                            {"kind", std::string(to_string(f.kind))},
                            {"signal", f.signal ? Json(signal_name(*f.signal)) : Json(nullptr)},
                            {"sanitizer", f.sanitizer.empty() ? Json(nullptr) : Json(f.sanitizer)},
                            {"hits", f.hits},
                            {"input_length", f.input.size()},
                            {"dir", f.dir.string()}});
  }
  j["findings"] = findings;
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return "cannot create " + options.out_dir.string() + ": " + ec.message();
  return write_file(options.out_dir / "campaign.json", inspect::dump_json(j, 2) + "\n");
}

}  // namespace mikeyconf::harness
