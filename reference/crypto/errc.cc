#include "crypto/errc.h"

#include "wire/error_category.h"

namespace mikey::crypto {

MIKEY_DEFINE_ENUM_TEXT(to_string, Errc, "unknown crypto error", "ok",
                       MIKEY_CRYPTO_ERRORS(MIKEY_ERRC_MESSAGE))
MIKEY_DEFINE_ERRC_CATEGORY(crypto_category, to_string, "mikey.crypto")

}  // namespace mikey::crypto
