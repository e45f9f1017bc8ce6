// The baseline a run implies (`mikeyconf run --write-baseline FILE`, harness/README.md
// "Baselines"): what the SUT fails today becomes an expected failure, so the next run against the
// same SUT is green until something changes.
#pragma once

#include <cstddef>
#include <string>

#include "harness/profile.h"
#include "harness/results.h"

namespace mikeyconf::harness {

struct DerivedBaseline {
  Baseline baseline;
  std::size_t added = 0;  // expected failures new in this run (verdict fail)
};

// The baseline of `run`, which used `used` (nullptr: none):
// - every case with verdict fail is an expected failure, with its one-line reason and the run's
//   date as `since` (with --strict an inconclusive case has verdict fail and is included);
// - error and inconclusive cases are not added: an error is never the SUT's failure (the
//   harness could not judge), and an inconclusive case did not fail;
// - the expected failures of `used` are kept (an xfail case with its reason and since), except
//   those whose case now passes (xpass); so are its disabled entries.
DerivedBaseline derive_baseline(const RunResult& run, const Baseline* used);

// The baseline as YAML that load_baseline reads back to the same entries.
std::string baseline_yaml(const Baseline& b);

}  // namespace mikeyconf::harness
