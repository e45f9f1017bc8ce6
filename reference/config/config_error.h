// Where a configuration problem is: the one error type of every YAML loader (the KMS
// configuration here; SUT profiles, scenarios, baselines in harness/ as harness::LoadError).
#pragma once

#include <string>

namespace mikey::config {

// `line` and `column` are 1-based; 0 when the problem is the file as a whole (it cannot be read).
struct ConfigError {
  std::string file;  // the path as given, or the name passed to a parse_* function
  int line = 0;
  int column = 0;
  std::string message;

  // "file:line:col: message" ("file: message" when line is 0).
  std::string str() const;
  std::string to_string() const;  // the same
  bool operator==(const ConfigError&) const = default;
};

}  // namespace mikey::config
