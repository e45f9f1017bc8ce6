// The requirement-level mutation score: for every SHALL / SHALL NOT
// row of requirements.csv whose role column names a KMS role (KMS, KMS_R, KMS_I, or "any", as
// coverage.h row_roles reads it) and that a case of that role cites, cases/mutation-registry.yaml
// names a faulty variant of the reference that violates exactly that row (mutants.h), or says why
// no single fault can. Each variant runs the cases of its role citing its row — strict (every
// level), two workers, and without stopping after a failed opening sanity case, since a fault the
// sanity case already shows must still fail a case citing its row — and at least one of them must
// fail. Entries for rows a role's cases cite without the role column naming the role run too but
// do not count. One test per shard of the registry (so ctest runs them in parallel); each prints
// a line per row and the shard's score, and the whole score is printed (and held to 90 %) when
// every shard ran in one process.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "harness/coverage.h"
#include "harness/mutation_registry.h"
#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

namespace codec = mikey::codec;
namespace transport = mikey::transport;

// A SHALL / SHALL NOT row cited by cases of a KMS role, with those cases. `selected`: the row's
// role column names that role (coverage.h row_roles), so the registry must cover it and it
// counts in the score; a registry entry for a row cited by a role its column does not name is
// still run, but not counted.
struct Row {
  std::string id;
  SutRole role = SutRole::kms;
  std::vector<std::string> cases;
  bool selected = false;
};

bool kms_role(SutRole r) { return r == SutRole::kms || r == SutRole::kms_r || r == SutRole::kms_i; }

std::vector<Row> cited_rows() {
  std::map<std::pair<std::string, SutRole>, std::vector<std::string>> cited;
  for (const Scenario& s : testing::suite()) {
    if (!kms_role(s.sut_role)) continue;
    for (const std::string& id : s.requirements) cited[{id, s.sut_role}].push_back(s.id);
  }
  std::vector<Row> rows;
  for (const auto& [key, cases] : cited) {
    const Requirement* req = testing::requirements().find(key.first);
    if (req == nullptr || !needs_mutation_proof(req->level, key.second)) continue;
    const std::vector<SutRole> roles = row_roles(req->role);
    const bool named = std::find(roles.begin(), roles.end(), key.second) != roles.end();
    rows.push_back({key.first, key.second, cases, named});
  }
  return rows;
}

const Row* find_row(const std::vector<Row>& rows, const std::string& id, SutRole role) {
  auto it = std::find_if(rows.begin(), rows.end(),
                         [&](const Row& r) { return r.id == id && r.role == role; });
  return it != rows.end() ? &*it : nullptr;
}

const MutationRegistry& registry() {
  static const MutationRegistry r = [] {
    auto loaded = load_mutation_registry(testing::cases_dir() / "mutation-registry.yaml");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.error().to_string();
      return MutationRegistry{};
    }
    return std::move(loaded).value();
  }();
  return r;
}

std::string label(const std::string& row, SutRole role) {
  return row + (role == SutRole::kms ? "" : " (" + std::string(to_string(role)) + ")");
}

// ---- The registry itself ----

TEST(MutationRegistryTest, CoversEverySelectedRowWithAnImplementedVariant) {
  const std::vector<Row> rows = cited_rows();
  EXPECT_GE(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.selected; }), 60);
  std::set<std::pair<std::string, SutRole>> listed;
  for (const MutationEntry& e : registry().entries) {
    EXPECT_TRUE(listed.insert({e.row, e.role}).second) << "listed twice: " << label(e.row, e.role);
    const Row* row = find_row(rows, e.row, e.role);
    EXPECT_NE(row, nullptr) << label(e.row, e.role)
                            << ": not a SHALL row cited by a case of that role";
    if (row != nullptr && !row->selected) {
      std::printf("[ note   ] %s: its role column does not name %s; run, not counted\n",
                  label(e.row, e.role).c_str(), std::string(to_string(e.role)).c_str());
    }
    if (e.variant.empty()) continue;
    const mutants::Mutant* m = mutants::find(e.variant);
    ASSERT_NE(m, nullptr) << "variant not implemented: " << e.variant;
    EXPECT_EQ(m->role, e.role) << e.variant;
  }
  for (const Row& r : rows) {
    if (!r.selected) continue;
    EXPECT_TRUE(listed.count({r.id, r.role})) << "no registry entry for " << label(r.id, r.role);
  }
}

TEST(MutationRegistryTest, EveryImplementedVariantIsInTheRegistry) {
  std::set<std::string> used;
  for (const MutationEntry& e : registry().entries) used.insert(e.variant);
  for (const mutants::Mutant& m : mutants::all()) EXPECT_TRUE(used.count(m.name)) << m.name;
}

// ---- The tools the variants are built with ----

std::string not_passed(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (c.verdict != Verdict::pass && c.verdict != Verdict::skipped) {
      out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
    }
  }
  return out;
}

TEST(MutantToolsTest, AnswersOpenedAndSealedAgainUnchangedPassTheWholeKmsSuite) {
  // The control for every variant that rewrites answers: with no change made, re-encrypting and
  // re-MACing REQUEST_RESP and RESOLVE_RESP with the user's keys must leave nothing to catch.
  const mutants::AnswerChange unchanged = [](mutants::AnswerEdit&) { return true; };
  const mutants::Runner run = mutants::kms_wrapped([unchanged](transport::KmsHandler inner) {
    const SutProfile p = testing::reference_profile();
    return mutants::rewriting_answers(
        mutants::rewriting_answers(std::move(inner), p, codec::DataType::request_resp, unchanged),
        p, codec::DataType::resolve_resp, unchanged);
  });
  RunOptions o;
  o.strict = true;
  o.jobs = 2;
  const mutants::MutantRun r = run(o);
  ASSERT_TRUE(r.setup_error.empty()) << r.setup_error;
  EXPECT_GT(r.run.cases.size(), 100u);
  EXPECT_EQ(r.run.summary().pass + r.run.summary().skipped, r.run.cases.size())
      << not_passed(r.run);
}

// ---- Running the variants ----

struct RowResult {
  std::string row;
  SutRole role = SutRole::kms;
  std::string variant;
  std::string not_violable_alone;
  bool caught = false;
  std::string line;     // what the run gave
  bool counted = true;  // in the score (its role column names the role)
};

std::string verdict_list(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (!out.empty()) out += ", ";
    out += c.id + " " + std::string(to_string(c.verdict));
    if (c.verdict == Verdict::error) out += " (" + c.reason.substr(0, 160) + ")";
  }
  return out;
}

RowResult judge(const MutationEntry& e, const Row& row) {
  RowResult r{e.row, e.role, e.variant, e.not_violable_alone, false, {}, true};
  if (!e.not_violable_alone.empty()) {
    r.line = "not violable alone: " + e.not_violable_alone;
    return r;
  }
  const mutants::Mutant* m = mutants::find(e.variant);
  if (m == nullptr) {
    r.line = "MISSED (variant not implemented)";
    return r;
  }
  RunOptions o;
  o.only = row.cases;
  o.strict = true;
  o.jobs = 2;
  o.stop_on_sanity_failure = false;
  o.seed = 20261207;
  const mutants::MutantRun run = m->run(o);
  std::string caught_by;
  for (const CaseResult& c : run.run.cases) {
    const bool cites = std::find(row.cases.begin(), row.cases.end(), c.id) != row.cases.end();
    if (cites && c.verdict == Verdict::fail) caught_by += (caught_by.empty() ? "" : ", ") + c.id;
  }
  r.caught = !caught_by.empty();
  r.line = r.caught                  ? "caught by " + caught_by
           : run.setup_error.empty() ? "MISSED (verdicts: " + verdict_list(run.run) + ")"
                                     : "MISSED (setup: " + run.setup_error + ")";
  return r;
}

// Results of every shard that ran in this process, for the whole score.
std::mutex g_results_mu;
std::vector<RowResult> g_results;

struct Score {
  std::size_t caught = 0, counted = 0;
  std::string missed, not_violable;
};

Score score_of(const std::vector<RowResult>& results) {
  Score s;
  for (const RowResult& r : results) {
    const std::string name = label(r.row, r.role);
    if (!r.counted) continue;
    if (!r.not_violable_alone.empty()) {
      s.not_violable += (s.not_violable.empty() ? "" : ", ") + name;
      continue;
    }
    ++s.counted;
    if (r.caught) {
      ++s.caught;
    } else {
      s.missed += (s.missed.empty() ? "" : ", ") + name;
    }
  }
  return s;
}

void print_score(const char* what, const Score& s) {
  const double pct = s.counted == 0 ? 100.0 : 100.0 * static_cast<double>(s.caught) / s.counted;
  std::printf("%s: %zu/%zu rows (%.0f %%); missed: %s; not violable alone: %s\n", what, s.caught,
              s.counted, pct, s.missed.empty() ? "none" : s.missed.c_str(),
              s.not_violable.empty() ? "none" : s.not_violable.c_str());
}

bool at_least_ninety_percent(const Score& s) { return s.caught * 10 >= s.counted * 9; }

// The shards: the kms entries dealt round-robin over kKmsShards, one shard per chaining role.
constexpr std::size_t kKmsShards = 4;
struct Shard {
  SutRole role;
  std::size_t index;  // among the kms shards
};

std::string shard_label(const Shard& s) {
  return s.role == SutRole::kms ? "kms" + std::to_string(s.index + 1)
                                : std::string(to_string(s.role));
}

// gtest prints the parameter in the test's description: by name, not as raw bytes.
void PrintTo(const Shard& s, std::ostream* os) { *os << shard_label(s); }

std::vector<const MutationEntry*> entries_of(const Shard& shard) {
  std::vector<const MutationEntry*> out;
  std::size_t n = 0;
  for (const MutationEntry& e : registry().entries) {
    if (e.role != shard.role) continue;
    if (shard.role != SutRole::kms || n++ % kKmsShards == shard.index) out.push_back(&e);
  }
  return out;
}

// Runs the shard's variants, three at a time.
std::vector<RowResult> run_shard(const std::vector<const MutationEntry*>& entries) {
  const std::vector<Row> rows = cited_rows();
  std::vector<RowResult> results(entries.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < entries.size(); i = next++) {
      const MutationEntry& e = *entries[i];
      const Row* row = find_row(rows, e.row, e.role);
      if (row == nullptr) {
        results[i] = {e.row, e.role, e.variant,
                      {},    false,  "MISSED (no case of this role cites it)"};
        continue;
      }
      results[i] = judge(e, *row);
      results[i].counted = row->selected;
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < std::min<std::size_t>(3, entries.size()); ++t)
    pool.emplace_back(work);
  for (std::thread& t : pool) t.join();
  return results;
}

class MutationScoreTest : public ::testing::TestWithParam<Shard> {};

TEST_P(MutationScoreTest, EveryVariantFailsACaseCitingItsRow) {
  const std::vector<RowResult> results = run_shard(entries_of(GetParam()));
  for (const RowResult& r : results) {
    std::printf("[ mutant ] %s %s: %s%s\n", label(r.row, r.role).c_str(),
                r.variant.empty() ? "-" : r.variant.c_str(), r.line.c_str(),
                r.counted ? "" : " (not counted: the row's role column does not name the role)");
    if (r.not_violable_alone.empty()) EXPECT_TRUE(r.caught) << r.row << " " << r.line;
  }
  const Score s = score_of(results);
  print_score("mutation score (this shard)", s);
  EXPECT_TRUE(at_least_ninety_percent(s));
  std::lock_guard<std::mutex> lock(g_results_mu);
  g_results.insert(g_results.end(), results.begin(), results.end());
}

std::string shard_name(const ::testing::TestParamInfo<Shard>& info) {
  return shard_label(info.param);
}

INSTANTIATE_TEST_SUITE_P(Registry, MutationScoreTest,
                         ::testing::Values(Shard{SutRole::kms, 0}, Shard{SutRole::kms, 1},
                                           Shard{SutRole::kms, 2}, Shard{SutRole::kms, 3},
                                           Shard{SutRole::kms_r, 0}, Shard{SutRole::kms_i, 0}),
                         shard_name);

// The whole score, when every shard ran in this process (the binary run on its own; ctest runs
// each shard alone and each holds its own share to 90 %).
class WholeScore : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard<std::mutex> lock(g_results_mu);
    if (g_results.empty()) return;
    const Score s = score_of(g_results);
    print_score("mutation score", s);
    if (g_results.size() == registry().entries.size()) EXPECT_TRUE(at_least_ninety_percent(s));
  }
};

const auto* const kWholeScore = ::testing::AddGlobalTestEnvironment(new WholeScore);

}  // namespace
}  // namespace mikeyconf::harness
