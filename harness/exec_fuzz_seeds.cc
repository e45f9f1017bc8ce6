// The seeds of `mikeyconf fuzz --exec` (exec_fuzz_corpus.h).
#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>

#include "codec/message.h"
#include "codec/samples.h"
#include "crypto/rng.h"
#include "harness/exec_fuzz_corpus.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"
#include "roles/samples.h"

namespace mikeyconf::harness {

namespace roles = mikey::roles;

CorpusEntry make_corpus_entry(std::string name, mikey::Bytes bytes) {
  CorpusEntry e;
  e.name = std::move(name);
  mikey::codec::ParseOutcome parsed = mikey::codec::parse_message(bytes, mikey::codec::kWithLayout);
  e.valid = parsed.ok();
  e.fields = parsed.layout.fields();
  e.bytes = std::move(bytes);
  return e;
}

namespace {

// 2027-01-15 08:00:00 UTC: a fixed clock, so the seeds are the same in every run.
constexpr std::int64_t kSeedUnix = 1'800'000'000;

struct Exchange {
  std::string kind;  // "type1", "type1_forking", "type2"
  roles::TicketFormat format = roles::kBaseTicket;
  bool forking = false;
};

// One ticket exchange (RFC 6043 §4.2) between reference parties sharing PSKs with the KMS; the
// messages each side sends, in order, until one side refuses (it does not: the world is
// consistent, but a seed is not worth failing the campaign over).
class ExchangeRecorder {
 public:
  explicit ExchangeRecorder(std::vector<CorpusEntry>& out) : out_(out) {}

  void record(const Exchange& x) {
    const roles::Algorithms algs = roles::kSuite128;
    roles::ManualClock clock(roles::unix_to_ntp(kSeedUnix));
    mikey::crypto::DeterministicRng rng(0x65786563);
    const auto alice_psk = roles::samples::psk_credential(0x40, algs.key_length(), "psk-alice");
    const auto bob_psk = roles::samples::psk_credential(0x60, algs.key_length(), "psk-bob");
    roles::KmsConfig kc;
    kc.identity = kms_id();
    kc.users.push_back(roles::KmsUser{alice_id(), alice_psk, {}, false});
    kc.users.push_back(roles::KmsUser{bob_id(), bob_psk, {}, false});
    kc.ticket_keys.push_back(roles::samples::ticket_key(roles::kBaseTicket, algs, "tpk-1", 0x80));
    kc.ticket_keys.push_back(
        roles::samples::ticket_key(roles::kProvisionalType2, algs, "tpk-2", 0xa0));
    roles::Kms kms(std::move(kc), clock, rng);
    roles::Initiator alice(
        roles::samples::party_config<roles::InitiatorConfig>(alice_id(), kms_id(), alice_psk, algs),
        clock, rng);
    roles::Responder bob(
        roles::samples::party_config<roles::ResponderConfig>(bob_id(), kms_id(), bob_psk, algs),
        clock, rng);
    prefix_ = "exchange/" + x.kind + "/";
    roles::TicketRequest r;
    r.format = x.format;
    r.prf = algs.prf;
    r.responders = {bob_id()};
    r.lifetime_s = 600;
    r.flags.i = x.forking;
    r.flags.e = x.forking;  // RFC 6043 §6.10: I ⇒ E
    auto init = alice.request_ticket(r);
    if (!init.ok()) return;
    add("request_init_psk", init.value());
    if (x.kind == "type1") add_kms_error(kms, init.value());
    roles::KmsReply resp = kms.handle_request_init(init.value());
    add("request_resp", resp.message);
    if (!alice.process_request_resp(resp.message).ok()) return;
    roles::TransferOptions o;
    o.responder = bob_id();
    auto transfer = alice.transfer_init(o);
    if (!transfer.ok()) return;
    add("transfer_init", transfer.value());
    auto step = bob.process_transfer_init(transfer.value());
    if (!step.ok() || step->action != roles::ResponderAction::send_resolve_init) return;
    add("resolve_init_psk", step->message);
    roles::KmsReply resolved = kms.handle_resolve_init(step->message);
    add("resolve_resp", resolved.message);
    auto done = bob.process_resolve_resp(resolved.message);
    if (done.ok() && done->action == roles::ResponderAction::send_transfer_resp) {
      add("transfer_resp", done->message);
    }
  }

 private:
  static roles::Identity alice_id() { return roles::Identity::uri("sip:alice@example.org"); }
  static roles::Identity bob_id() { return roles::Identity::uri("sip:bob@example.org"); }
  static roles::Identity kms_id() { return roles::Identity::uri("sip:kms.example.org"); }

  void add(const std::string& name, const mikey::Bytes& bytes) {
    if (!bytes.empty()) out_.push_back(make_corpus_entry(prefix_ + name, bytes));
  }

  // The KMS's Error message (RFC 6043 §5.4, Auth failure) for the request with its MAC changed.
  void add_kms_error(roles::Kms& kms, mikey::Bytes request) {
    request.back() ^= 0x01;
    add("error_auth_failure", kms.handle_request_init(request).message);
  }

  std::vector<CorpusEntry>& out_;
  std::string prefix_;
};

}  // namespace

std::vector<CorpusEntry> builtin_seeds() {
  std::vector<CorpusEntry> out;
  for (auto* samples : {&mikey::codec::sample_messages, &mikey::codec::rfc3830_variant_messages}) {
    for (const mikey::codec::NamedMessage& s : samples()) {
      auto bytes = mikey::codec::serialize_message(s.message);
      if (bytes.ok()) out.push_back(make_corpus_entry("sample/" + s.name, bytes.value()));
    }
  }
  ExchangeRecorder recorder(out);
  for (const Exchange& x : {Exchange{"type1", roles::kBaseTicket, false},
                            Exchange{"type1_forking", roles::kBaseTicket, true},
                            Exchange{"type2", roles::kProvisionalType2, false}}) {
    recorder.record(x);
  }
  return out;
}

std::optional<std::string> load_corpus_dir(const std::filesystem::path& dir, std::size_t max_size,
                                           std::vector<CorpusEntry>& out) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return "cannot read corpus folder " + dir.string() + ": " + ec.message();
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return "cannot read " + f.string();
    mikey::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty() || bytes.size() > max_size) continue;
    out.push_back(make_corpus_entry("corpus/" + f.filename().string(), std::move(bytes)));
  }
  return std::nullopt;
}

}  // namespace mikeyconf::harness
