// libFuzzer target roles_sequence (and its twin roles_sequence_fuzzmode, the same file linked
// against mikey_roles_fuzzmode): a whole Initiator ⇄ KMS ⇄ Responder exchange driven step by
// step by the input, with mutations between the steps. The engine and its invariant are in
// roles_sequence.h; the seeds (fuzz_assets) drive the happy paths.
#include <cstddef>
#include <cstdint>

#include "roles_sequence.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)mikey::fuzz::sequence::run(data, size);
  return 0;
}
