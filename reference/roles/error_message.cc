#include "roles/error_message.h"

#include <new>

#include "roles/message_util.h"

namespace mikey::roles {

ErrorContext error_context(const codec::ParseOutcome& offending) noexcept {
  ErrorContext c;
  // The codec records HDR fields as it reads them; a parse failure inside HDR leaves defaults.
  if (offending.layout.find("hdr.csb_id") || offending.ok()) {
    c.version = offending.message.hdr.version;
    c.prf = offending.message.hdr.prf_func;
    c.csb_id = offending.message.hdr.csb_id;
  }
  return c;
}

Bytes build_error(const ErrorContext& ctx, codec::ErrorNo no, NtpTime t,
                  const MessageProtection* auth, codec::MacAlg mac) noexcept {
  try {
    codec::Message m;
    m.hdr = make_hdr(codec::DataType::error, false, ctx.prf, ctx.csb_id);
    m.hdr.version = ctx.version;
    m.payloads.push_back(make_t(t));
    m.payloads.push_back(make_err(no));
    if (auth != nullptr && mac != codec::MacAlg::null) {
      m.payloads.push_back(make_v(mac));
      MessageProtection p = *auth;
      p.prf = ctx.prf;
      auto bytes = protect_message(m, p);
      if (bytes.ok()) return std::move(bytes).value();
      m.payloads.pop_back();  // fall back to an unauthenticated Error
    }
    auto bytes = codec::serialize_message(m);
    return bytes.ok() ? std::move(bytes).value() : Bytes{};
  } catch (const std::bad_alloc&) {
    return {};
  }
}

std::vector<codec::ErrorNo> error_numbers(const codec::Message& m) noexcept {
  std::vector<codec::ErrorNo> out;
  if (m.hdr.data_type != codec::DataType::error) return out;
  try {
    for (const codec::Payload& p : m.payloads)
      if (const auto* e = p.get<codec::Err>()) out.push_back(e->error_no);
  } catch (const std::bad_alloc&) {
    out.clear();
  }
  return out;
}

}  // namespace mikey::roles
