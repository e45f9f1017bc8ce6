#include "reports/tests/test_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "codec/message.h"
#include "codec/samples.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace mikeyconf::reports::testing {

using harness::CaseResult;
using harness::RunResult;
using harness::TranscriptEntry;
using harness::Verdict;

mikey::Bytes sample(std::string_view name) {
  for (const auto& s : mikey::codec::sample_messages()) {
    if (s.name == name) return mikey::codec::serialize_message(s.message).value();
  }
  return {};
}

namespace {

TranscriptEntry mutated_exchange() {
  TranscriptEntry t;
  t.step = 0;
  t.kind = "http";
  t.label = "REQUEST_INIT_PSK from initiator (alice)";
  t.mikey_built = mikey::wire::from_hex("010b008000000001000105").value();
  t.mikey_sent = mikey::wire::from_hex("010b000000000001000105").value();
  t.mutations = {"set hdr.v = 0"};
  t.request =
      std::string("POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\n\r\n\x01\xff", 60);
  t.status = 500;
  t.reason = "Internal Server Error";
  t.headers = {{"Content-Type", "text/plain"}};
  t.body = "kms failed";
  t.response_mikey = mikey::wire::from_hex("0106000000000001000c").value();
  t.note = "500";
  return t;
}

TranscriptEntry annex_a_exchange() {
  TranscriptEntry t;
  t.step = 2;
  t.kind = "http";
  t.label = "RESOLVE_INIT_PSK from responder (bob)";
  t.mikey_built = sample("ticket_resolve_init_psk");
  t.mikey_sent = t.mikey_built;
  const std::string body = mikey::wire::base64_encode(t.mikey_sent);
  t.request =
      "POST /keymanagement?requesttype=ticketresolve HTTP/1.1\r\nHost: 127.0.0.1:1234\r\n"
      "Content-Type: application/mikey\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  t.status = 200;
  t.reason = "OK";
  const mikey::Bytes resp = sample("ticket_resolve_resp");
  t.body = mikey::wire::base64_encode(resp);
  t.headers = {{"Content-Type", "application/mikey"},
               {"Content-Length", std::to_string(t.body.size())}};
  t.response_mikey = resp;
  t.note = "RESOLVE_RESP";
  t.start_ms = 3;
  t.duration_ms = 1.5;
  return t;
}

TranscriptEntry transfer() {
  TranscriptEntry t;
  t.step = 1;
  t.kind = "local";
  t.label = "TRANSFER_INIT alice -> bob";
  t.mikey_built = sample("ticket_transfer_init");
  t.mikey_sent = t.mikey_built;
  t.note = "the reference Responder asks the KMS (RESOLVE_INIT)";
  t.start_ms = 2;
  return t;
}

}  // namespace

CaseResult make_case(std::string id, Verdict v) {
  CaseResult c;
  c.id = std::move(id);
  c.title = "A <title> & \"quotes\"";
  c.file = "cases/kms/x.yaml";
  c.requirements = {"A.2-10", "T-5.4-2"};
  c.seed = 0xfedcba9876543210ULL;
  c.verdict = v;
  c.reason = v == Verdict::pass ? "" : "step 2: http.status: expected 200, got 500";
  c.duration_ms = 12.5;
  c.replay = "mikeyconf run --embedded --seed 1 --case " + c.id;
  c.expectations.push_back({1, "http.status", "200", "500", false, false});
  c.transcript = {mutated_exchange(), transfer(), annex_a_exchange()};
  return c;
}

RunResult make_run() {
  RunResult run;
  run.sut_name = "reference";
  run.sut_info.product = "mikeyconf reference KMS";
  run.sut_info.version = "0.1.0";
  run.suite_digest = std::string(64, 'a');
  run.suite_matches_shipped = false;
  run.sut_url = "http://127.0.0.1:1234";
  run.seed = 1;
  run.jobs = 3;
  run.embedded = true;
  run.cases_dir = "cases";
  run.profile_file = "cases/profiles/reference.yaml";
  run.started_utc = "2026-11-29T00:00:00Z";
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error,
                    Verdict::skipped, Verdict::xfail, Verdict::xpass}) {
    run.cases.push_back(make_case("kms.case." + std::string(to_string(v)), v));
  }
  run.cases[5].original_verdict = Verdict::fail;
  harness::HealthCheck h;
  h.when = "start";
  h.ok = true;
  h.result = make_case("kms.sanity", Verdict::pass);
  h.result.tags = {"sanity"};
  run.health.push_back(h);
  run.warnings.push_back("b.yaml:3: baseline names no case 'x'");
  return run;
}

harness::RequirementTable requirement_table() {
  harness::RequirementTable t;
  t.add({"A.2-10", "TS 33.328 Annex A.2", "KMS", "SHALL",
         "The KMS answers with Content-Type application/mikey", 2});
  t.add({"T-5.4-2", "RFC 6043 §5.4", "KMS", "SHALL NOT", "No <b>bold</b> claims", 3});
  t.add({"T-9.9-9", "RFC 6043 §9.9", "any", "MAY", "A requirement no case cites", 4});
  return t;
}

void put_suite_on_disk(RunResult& run, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path cases = dir / "suite";
  write(cases / "requirements.csv", "id,source,role,level,summary\n");
  write(cases / "kms" / "sanity.yaml", "id: kms.sanity\n");
  for (CaseResult& c : run.cases) {
    c.file = (cases / "kms" / "more" / (c.id + ".yaml")).string();
    write(c.file, "id: " + c.id + "\n");
  }
  run.health[0].result.file = (cases / "kms" / "sanity.yaml").string();
  run.cases_dir = cases.string();
  // TLS files named relative to the profile, one beside it and two in a sibling folder.
  write(cases / "profiles" / "lab.yaml",
        "name: lab\nrole: kms\nbase_url: https://127.0.0.1:8443\nkms_config:\n  kms: "
        "{identity: sip:kms.example.org}\n  users:\n    - {identity: sip:alice@example.org, psk: "
        "404142434445464748494a4b4c4d4e4f}\n    - {identity: sip:bob@example.org, psk: "
        "606162636465666768696a6b6c6d6e6f}\nusers: {alice: sip:alice@example.org, bob: "
        "sip:bob@example.org}\nparties: {initiator: "
        "alice, responder: bob}\ntls: {ca: ca.pem, cert: ../../pki/client.pem, key: "
        "../../pki/client.key}\n");
  write(cases / "profiles" / "ca.pem", "CA\n");
  write(dir / "pki" / "client.pem", "CERT\n");
  write(dir / "pki" / "client.key", "KEY\n");
  run.profile_file = (cases / "profiles" / "lab.yaml").string();
}

std::filesystem::path fresh_dir(std::string_view name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mikeyconf_reports_" + std::string(name) + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const std::filesystem::path& p, std::string_view text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = ::popen(("{ " + command + "\n} 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf{};
  std::string out;
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe))
    out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quote(const std::filesystem::path& p) {
  std::string out = "'";
  for (const char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::filesystem::path repo_dir() { return MIKEY_REPORTS_REPO_DIR; }

}  // namespace mikeyconf::reports::testing
