// The corpus of `mikeyconf fuzz --exec` (exec_fuzz.h): built-in seeds — every message the
// reference builds — and the files of corpus folders, each with the field map the codec reads
// in it (so mutations can aim at field boundaries and code points), and the byte-level mutator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "codec/layout.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

struct CorpusEntry {
  std::string name;  // "builtin/ticket_request_init_psk", "corpus/<file>", "found/<n>"
  mikey::Bytes bytes;
  std::vector<mikey::codec::FieldRange> fields;  // what the codec read, in the bytes
  bool valid = false;                            // the reference codec parses it without error
};

// An entry for `bytes`, with its field map and validity.
CorpusEntry make_corpus_entry(std::string name, mikey::Bytes bytes);

// Codec samples of every RFC 3830 / RFC 6043 message shape (codec/samples.h: sample_messages
// and rfc3830_variant_messages), and the messages
// of one MIKEY-TICKET exchange per ticket kind (type 1, type 1 with forking, PROVISIONAL type 2)
// run by the reference Initiator, KMS and Responder with valid MACs: REQUEST_INIT_PSK,
// REQUEST_RESP, TRANSFER_INIT, RESOLVE_INIT_PSK, RESOLVE_RESP, TRANSFER_RESP, and the KMS's
// Error message for a request whose MAC does not verify.
std::vector<CorpusEntry> builtin_seeds();

// Every regular file of `dir` (not recursive, sorted by name; empty files and files over
// `max_size` skipped) appended to `out`. An error message when `dir` cannot be read.
std::optional<std::string> load_corpus_dir(const std::filesystem::path& dir, std::size_t max_size,
                                           std::vector<CorpusEntry>& out);

// Byte-level mutations, stacked 1 to 8 per mutant, deterministic in the engine's `rng`: bit flip,
// interesting value, a field of the entry's map set to a code point of its registry or to an
// interesting value of its width, random bytes inserted, a range deleted or duplicated, a splice
// with another entry, a code-point token inserted or overwritten, and the structure-aware
// mutator's mutate / cross_over (reference/mutator).
class ByteMutator {
 public:
  explicit ByteMutator(std::size_t max_size);
  mikey::Bytes mutate(const CorpusEntry& entry, const CorpusEntry& other, std::mt19937_64& rng);

 private:
  void apply_one(mikey::Bytes& b, const CorpusEntry& entry, const CorpusEntry& other,
                 std::mt19937_64& rng, bool layout_valid);
  void set_field(mikey::Bytes& b, const CorpusEntry& entry, std::mt19937_64& rng);

  std::size_t max_size_;
  std::vector<mikey::Bytes> tokens_;  // every code point, as on the wire
};

}  // namespace mikeyconf::harness
