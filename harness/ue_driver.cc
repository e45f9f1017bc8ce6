// The driver of a UE under test and the run's freshness memory (ue_runner.h).
#include <mutex>

#include "codec/message.h"
#include "harness/reference_names.h"
#include "harness/ue_runner.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {

// ---- FreshnessRegistry ----

std::string FreshnessRegistry::record(ByteView message) {
  const codec::ParseOutcome p = codec::parse_message(message);
  if (message.size() < 8) return {};
  const codec::DataType type = p.message.hdr.data_type;
  using DT = codec::DataType;
  // The values the UE itself chose: the CSB ID of the messages that open an exchange (RFC 3830
  // §6.1, RFC 6043 §4.2.1.1, §4.2.2.1, §4.2.3.1) and its own RAND (RANDRi / RANDRr).
  const bool opens =
      type == DT::request_init_psk || type == DT::transfer_init || type == DT::resolve_init_psk;
  const bool initiator_side = type == DT::request_init_psk || type == DT::transfer_init;
  if (!opens && type != DT::transfer_resp) return {};
  std::vector<std::pair<std::string, Bytes>> values;
  if (opens) {
    const std::uint32_t c = p.message.hdr.csb_id;
    values.push_back(
        {"CSB ID " + std::to_string(c),
         Bytes{0, static_cast<std::uint8_t>(c >> 24), static_cast<std::uint8_t>(c >> 16),
               static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c)}});
  }
  const auto role = initiator_side ? codec::RandRole::randri : codec::RandRole::randrr;
  if (const auto* rand = roles::find_randr(p.message.payloads, role)) {
    Bytes key{1};
    key.insert(key.end(), rand->rand.begin(), rand->rand.end());
    values.push_back({initiator_side ? "RANDRi" : "RANDRr", std::move(key)});
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  std::string repeated;
  for (auto& [name, key] : values) {
    if (!seen_.insert({codec::raw(type), key}).second) {
      repeated += (repeated.empty() ? "" : ", ") + name;
    }
  }
  return repeated.empty() ? ""
                          : repeated + " already sent in an earlier " +
                                std::string(codec::to_string(type)) + " of this run";
}

// ---- UeDriver ----

HttpExchange UeDriver::exchange(const HttpRequestSpec& /*request*/) noexcept {
  HttpExchange x;
  x.transport_error = "harness_exception";
  x.transport_detail = "a UE under test is reached through its hook, not over Annex A";
  return x;
}

std::string UeDriver::describe() const { return "UE hook driver"; }

std::string describe_ue_step(const UeStep& step) {
  std::string out = "ue " + std::string(to_string(step.op));
  switch (step.op) {
    case UeOp::initiate:
      out += step.mode == 3 ? " (the UE creates a mode-3 ticket and returns TRANSFER_INIT)"
                            : " (the UE gets a ticket from the harness KMS and returns "
                              "TRANSFER_INIT)";
      break;
    case UeOp::transfer_resp:
      out += " (the harness Responder's TRANSFER_RESP to the UE; it returns its keys)";
      break;
    case UeOp::transfer_init:
      out += step.resend ? " (the previous TRANSFER_INIT bytes again)"
                         : " (the harness Initiator's TRANSFER_INIT to the UE; it resolves and "
                           "answers)";
      break;
  }
  for (const Mutation& m : step.mutate) out += "\n        mutate: " + m.describe();
  return out;
}

}  // namespace mikeyconf::harness
