// docs/errors.md agrees with the code: one row per Failure, the default Error number, the same
// requirement ids (which exist in spec/requirements.csv when ../shared is present), and tests
// that exist in this binary.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "roles/failure.h"

namespace mikey::roles {
namespace {

struct Row {
  std::string failure;
  std::string number;
  std::set<std::string> ids;
  std::vector<std::string> tests;
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line.substr(1));
  std::string cell;
  while (std::getline(ss, cell, '|')) out.push_back(trim(cell));
  return out;
}

// The `...` spans of a cell.
std::vector<std::string> code_spans(const std::string& cell) {
  std::vector<std::string> out;
  for (std::size_t at = cell.find('`'); at != std::string::npos; at = cell.find('`', at)) {
    const std::size_t end = cell.find('`', at + 1);
    if (end == std::string::npos) break;
    out.push_back(cell.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return out;
}

std::set<std::string> split_ids(const std::string& s) {
  std::set<std::string> out;
  std::stringstream ss(s);
  std::string id;
  while (std::getline(ss, id, ';'))
    if (!trim(id).empty()) out.insert(trim(id));
  return out;
}

// The rows of the table in the "## MIKEY error numbers" section.
std::vector<Row> read_table() {
  std::ifstream in(std::string(MIKEY_SOURCE_DIR) + "/docs/errors.md");
  EXPECT_TRUE(in.good()) << "docs/errors.md missing";
  std::vector<Row> rows;
  std::string line;
  bool section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) section = line == "## MIKEY error numbers";
    if (!section || line.rfind("| `", 0) != 0) continue;
    auto c = cells(line);
    if (c.size() < 4) continue;
    rows.push_back({code_spans(c[0]).at(0), c[1], split_ids(c[2]), code_spans(c[3])});
  }
  return rows;
}

std::set<std::string> registered_tests() {
  std::set<std::string> out;
  const ::testing::UnitTest& u = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < u.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& s = *u.GetTestSuite(i);
    for (int j = 0; j < s.total_test_count(); ++j) {
      out.insert(std::string(s.name()) + "." + s.GetTestInfo(j)->name());
    }
  }
  return out;
}

TEST(ErrorsDocTest, EveryFailureHasExactlyOneRow) {
  std::map<std::string, int> seen;
  for (const Row& r : read_table()) ++seen[r.failure];
  for (Failure f : all_failures()) EXPECT_EQ(seen[std::string(to_string(f))], 1) << to_string(f);
  EXPECT_EQ(seen.size(), all_failures().size());
}

TEST(ErrorsDocTest, NumbersAndRequirementIdsMatchTheCode) {
  for (const Row& r : read_table()) {
    for (Failure f : all_failures()) {
      if (to_string(f) != r.failure) continue;
      if (scope(f) == FailureScope::local) {
        EXPECT_EQ(r.number.rfind("—", 0), 0u) << r.failure << ": local failures send nothing";
      } else {
        EXPECT_EQ(std::stoi(r.number), static_cast<int>(codec::raw(error_no(f)))) << r.failure;
      }
      EXPECT_EQ(r.ids, split_ids(std::string(requirement_ids(f)))) << r.failure;
    }
  }
}

TEST(ErrorsDocTest, RequirementIdsExistInTheRequirementsTable) {
  std::ifstream csv(std::string(MIKEY_SOURCE_DIR) + "/cases/requirements.csv");
  ASSERT_TRUE(csv.good()) << "cases/requirements.csv not readable";
  std::set<std::string> known;
  std::string line;
  while (std::getline(csv, line)) known.insert(line.substr(0, line.find(',')));
  for (const Row& r : read_table())
    for (const std::string& id : r.ids) EXPECT_TRUE(known.count(id)) << r.failure << ": " << id;
}

TEST(ErrorsDocTest, EveryNamedTestExists) {
  const std::set<std::string> tests = registered_tests();
  for (const Row& r : read_table()) {
    EXPECT_FALSE(r.tests.empty()) << r.failure;
    for (const std::string& t : r.tests) EXPECT_TRUE(tests.count(t)) << r.failure << ": " << t;
  }
}

}  // namespace
}  // namespace mikey::roles
