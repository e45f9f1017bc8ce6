#include "wire/errc.h"

#include "wire/error_category.h"

namespace mikey::wire {

MIKEY_DEFINE_ENUM_TEXT(to_string, Errc, "unknown wire error", "ok",
                       MIKEY_WIRE_ERRORS(MIKEY_ERRC_MESSAGE))
MIKEY_DEFINE_ERRC_CATEGORY(wire_category, to_string, "mikey.wire")

}  // namespace mikey::wire
