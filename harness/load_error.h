// Errors of the YAML/CSV loaders (scenarios, SUT profiles, baselines, the requirement table):
// where (file:line:col, 1-based, from yaml-cpp's Mark) and what. The loaders throw internally and
// catch at their public entry points, which return LoadResult<T>: YAML errors
// may throw inside the loader and surface with file:line:col.
#pragma once

#include <string>

#include "config/config_error.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// The KMS configuration's error type: one type for every loader (file:line:col, 1-based; line 0
// when the error concerns the whole file, e.g. it cannot be opened).
using LoadError = mikey::config::ConfigError;

template <class T>
using LoadResult = mikey::Result<T, LoadError>;

// A position in a source file (1-based; 0 = unknown), kept on loaded items so that run-time
// problems (an unknown user name in `set: {as: ...}`) can still point at the YAML.
struct SourcePos {
  int line = 0;
  int column = 0;
  bool operator==(const SourcePos&) const = default;
};

}  // namespace mikeyconf::harness
