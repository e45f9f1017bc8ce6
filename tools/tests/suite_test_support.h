// What the tests running `mikeyconf run` as a subprocess share: a fresh folder per test, the
// binary run with its output kept there, the verdicts of a results.json, and the reference
// profile's type-2 ticket key (the honest failure: without it the embedded KMS refuses the
// type-2 ticket request, RFC 6043 §6.10 Ticket Policy, TS 33.328 §6.2.3.4.2, that
// kms.three-party.type2-provisional expects to be granted).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "inspect/json.h"
#include "tests/support/run_binary.h"

namespace mikeyconf::tools::test_support {

constexpr char kTypeTwoKey[] =
    "    - id: tpk-2\n"
    "      format: type2\n"
    "      tpk: a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n";
constexpr char kFailingCase[] = "kms.three-party.type2-provisional";

// PREFIX + the test's name under the test temp folder, emptied (ctest runs the tests of a file
// as parallel processes).
inline std::filesystem::path scratch_dir(const std::string& prefix) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      (prefix + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// `mikeyconf ARGS` through the shell, standard error to a file (not a terminal: progress prints
// plain lines), the outputs kept in DIR/std.out and DIR/std.err.
inline Outcome mikeyconf_in(const std::string& args, const std::filesystem::path& dir) {
  return run_mikeyconf(args, "/dev/null", (dir / "std").string());
}

// id → verdict from a results.json (empty when it does not parse).
inline std::map<std::string, std::string> verdicts(const std::filesystem::path& results_json) {
  std::map<std::string, std::string> out;
  auto json = inspect::parse_json(slurp(results_json));
  if (!json || inspect::find_member(*json, "cases") == nullptr) return out;
  for (const inspect::Json& c : json->at("cases")) {
    out[c.at("id").get<std::string>()] = c.at("verdict").get<std::string>();
  }
  return out;
}

}  // namespace mikeyconf::tools::test_support
