// Must not compile: mikey_wire sees only reference/wire, not its sibling libraries.
#include "roles/kms.h"
