#include "codec/errc.h"

#include "wire/error_category.h"

namespace mikey::codec {

MIKEY_DEFINE_ENUM_TEXT(to_string, Errc, "unknown codec error", "ok",
                       MIKEY_CODEC_ERRORS(MIKEY_ERRC_MESSAGE))
MIKEY_DEFINE_ENUM_TEXT(to_string, DeviationKind, "unknown deviation",
                       MIKEY_DEVIATIONS(MIKEY_ERRC_MESSAGE))
MIKEY_DEFINE_ERRC_CATEGORY(codec_category, to_string, "mikey.codec")

}  // namespace mikey::codec
