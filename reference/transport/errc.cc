#include "transport/errc.h"

#include "wire/error_category.h"

namespace mikey::transport {

MIKEY_DEFINE_ENUM_TEXT(to_string, Errc, "unknown", "ok", MIKEY_TRANSPORT_ERRORS(MIKEY_ERRC_NAME))
MIKEY_DEFINE_ENUM_TEXT(message, Errc, "unknown transport error", "success",
                       MIKEY_TRANSPORT_ERRORS(MIKEY_ERRC_MESSAGE))
MIKEY_DEFINE_ERRC_CATEGORY(transport_category, message, "mikey.transport")

}  // namespace mikey::transport
