// The reference KMS's reply as the Annex A server sends it: the one conversion every host of a
// roles::Kms behind transport::KmsServer uses.
#pragma once

#include <string>

#include "roles/kms.h"
#include "transport/annex_a.h"

namespace mikey::service {

// The failure and its detail, for the access log ("" when the request was granted).
std::string failure_text(const roles::KmsReply& reply);

// The Annex A answer for a KmsReply (docs/errors.md "The KMS over HTTP"): a non-empty message (a
// REQUEST_RESP / RESOLVE_RESP, or a MIKEY Error message) is the 200 OK body (A.2-10, A.2-12); the
// 4xx the KMS's latitude chose instead of an Error message goes out as that status
// (KmsReply::http_status, A.3-1, docs/latitude.md "auth-failure-answer"); a KMS that cannot
// serve now (KmsReply::unavailable_retry_after_s) answers 503 with Retry-After; an empty message —
// the KMS sends nothing, which only happens for a request that was itself an Error message (RFC
// 6043 §5.4) or when even the Error could not be built — is a KMS failure (500, A.3-1). The
// refusal's name and detail go to the access log (log_detail), never to the client.
transport::KmsAnswer to_kms_answer(const roles::KmsReply& reply);

}  // namespace mikey::service
