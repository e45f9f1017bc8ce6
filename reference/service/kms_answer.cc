#include "service/kms_answer.h"

#include <string>

namespace mikey::service {

std::string failure_text(const roles::KmsReply& reply) {
  if (!reply.failure) return {};
  return std::string(roles::to_string(*reply.failure)) +
         (reply.detail.empty() ? "" : ": " + reply.detail);
}

transport::KmsAnswer to_kms_answer(const roles::KmsReply& reply) {
  transport::KmsAnswer a;
  a.log_detail = failure_text(reply);
  if (reply.unavailable_retry_after_s != 0) {
    a.unavailable_retry_after_s = reply.unavailable_retry_after_s;
    return a;
  }
  if (reply.http_status != 0) {
    a.client_error_status = reply.http_status;
    return a;
  }
  if (reply.message.empty()) {
    a.kms_failed = true;
    a.log_detail = "no MIKEY answer" + (a.log_detail.empty() ? "" : " (" + a.log_detail + ")");
    return a;
  }
  a.mikey = reply.message;
  return a;
}

}  // namespace mikey::service
