// Must compile (positive control): reports/ reads the harness's result types and the decode
// tree of reference/inspect.
#include "harness/results.h"
#include "inspect/decode.h"
#include "reports/decoded.h"
