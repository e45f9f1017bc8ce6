// Errors of the YAML/CSV loaders (scenarios, SUT profiles, baselines, the requirement table):
// where (file:line:col, 1-based, from yaml-cpp's Mark) and what. The loaders throw internally and
// catch at their public entry points, which return LoadResult<T>: YAML errors
// may throw inside the loader and surface with file:line:col.
#pragma once

#include <string>

#include "wire/result.h"

namespace mikeyconf::harness {

struct LoadError {
  std::string file;  // the path as given, or the name passed to a parse_*_text function
  int line = 0;      // 1-based; 0 when the error concerns the whole file (cannot be opened)
  int column = 0;    // 1-based; 0 with line 0
  std::string message;

  // "file:line:col: message", or "file: message" without a position.
  std::string to_string() const;
  bool operator==(const LoadError&) const = default;
};

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
