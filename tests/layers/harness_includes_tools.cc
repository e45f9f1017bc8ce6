// Must not compile: harness/ sits below tools/ (docs/layers.md).
#include "tools/run_cmd.h"
