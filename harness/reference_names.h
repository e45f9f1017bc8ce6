// The reference libraries (reference/: namespaces mikey::*) as the harness, the reports and the
// tools name them: `roles::Kms`, `codec::parse_message`, `Bytes`.
#pragma once

#include "wire/bytes.h"

namespace mikey {
namespace codec {}
namespace config {}
namespace crypto {}
namespace roles {}
namespace service {}
namespace transport {}
namespace wire {}
}  // namespace mikey

namespace mikeyconf {
namespace codec = mikey::codec;
namespace config = mikey::config;
namespace crypto = mikey::crypto;
namespace roles = mikey::roles;
namespace service = mikey::service;
namespace transport = mikey::transport;
namespace wire = mikey::wire;
using mikey::Bytes;
using mikey::ByteView;
}  // namespace mikeyconf
