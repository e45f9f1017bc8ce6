// Must not compile: mikey_mutator links no role library (the fuzz targets link either mikey_roles
// or its fuzzer-mode twin; keys reach the mutator as callbacks, docs/layers.md).
#include "roles/kms.h"
