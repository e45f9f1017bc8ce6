// The structure-aware custom mutator of the targets whose input is one raw MIKEY message
// (message, roundtrip): mikey::mutator over the codec model, no keys (these targets verify no
// MAC). A quarter of the mutations, and all of them with MIKEY_FUZZ_MUTATOR=plain, are
// libFuzzer's own (mutator_libfuzzer.h), which keeps its dictionary and comparison tracing.
#include <cstddef>
#include <cstdint>

#include "mutator/mutator.h"
#include "mutator_libfuzzer.h"

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  if (mikey::fuzz::plain_mutator() || seed % 4 == 0) {
    return mikey::fuzz::libfuzzer_mutate(data, size, max_size);
  }
  const mikey::Bytes mutant = mikey::mutator::mutate(mikey::ByteView(data, size), seed, {max_size});
  return mikey::fuzz::emit(mutant, data, max_size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
  const mikey::ByteView a(data1, size1);
  const mikey::ByteView b(data2, size2);
  if (mikey::fuzz::plain_mutator()) return mikey::fuzz::splice_bytes(a, b, out, max_out_size, seed);
  return mikey::fuzz::emit(mikey::mutator::cross_over(a, b, seed, {max_out_size}), out,
                           max_out_size);
}
