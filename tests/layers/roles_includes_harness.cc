// Must not compile: the reference roles sit below harness/ (docs/layers.md).
#include "harness/engine.h"
