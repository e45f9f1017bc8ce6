// Must not compile: reports/ sits below tools/ (docs/layers.md).
#include "tools/run_cmd.h"
