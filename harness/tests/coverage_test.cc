#include "harness/coverage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "harness/loader.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

// A small table: one row per tested role group, a row out of scope, a summary with pipes.
constexpr const char* kTable =
    "id,source,role,level,summary\n"                            // 1
    "K-1,RFC 1,KMS,SHALL,the KMS answers\n"                     // 2
    "K-2,RFC 1,KMS,SHOULD,the KMS logs\n"                       // 3
    "I-1,RFC 1,Initiator,SHALL,\"label const||0xFF\"\n"         // 4
    "R-1,RFC 1,Responder,MAY,the Responder may wait\n"          // 5
    "X-1,RFC 1,KMS; Initiator,SHALL NOT,two roles\n"            // 6
    "Y-1,RFC 1,any,SHALL,every party\n"                         // 7
    "Z-1,RFC 1,Proxy,SHALL,a role the project does not test\n"  // 8
    "KR-1,RFC 1,KMS_R,SHALL,the KMS_R forwards\n";              // 9

RequirementTable table() {
  auto t = parse_requirements_text(kTable, "req.csv");
  EXPECT_TRUE(t.ok()) << t.error().to_string();
  return std::move(t).value();
}

Scenario scenario(std::string id, std::vector<std::string> requirements,
                  SutRole role = SutRole::kms) {
  Scenario s;
  s.id = std::move(id);
  s.requirements = std::move(requirements);
  s.sut_role = role;
  return s;
}

ReasonsFile reasons(std::string_view text) {
  auto r = parse_reasons_text(text, "not-covered.yaml");
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? std::move(r).value() : ReasonsFile{};
}

MutationRegistry registry(std::string_view text) {
  auto r = parse_mutation_registry_text(text, "mutation-registry.yaml");
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? std::move(r).value() : MutationRegistry{};
}

const CoverageRow* row(const Coverage& c, std::string_view id) {
  for (const CoverageRow& r : c.rows)
    if (r.requirement.id == id) return &r;
  return nullptr;
}

// Every row covered, waiting for a variant or explained: the starting point the tests break.
constexpr const char* kReasons =
    "K-2:\n"                                                           // 1
    "  category: not-on-the-wire\n"                                    // 2
    "  reason: logging is internal\n"                                  // 3
    "R-1: {category: not-yet-covered, reason: no Responder driver}\n"  // 4
    "Y-1: {category: not-applicable, reason: \"media | plane\"}\n"     // 5
    "KR-1: {category: not-yet-covered, reason: no KMS_R driver}\n";    // 6

// K-1's variant: the only KMS SHALL row with its mutation proof.
constexpr const char* kRegistry = "- {row: K-1, role: kms, variant: v1, summary: breaks K-1}\n";

std::vector<Scenario> suite() {
  return {scenario("kms.b", {"K-1", "X-1"}), scenario("kms.a", {"K-1"}),
          scenario("ue.i", {"I-1"}, SutRole::initiator)};
}

Coverage standard(const std::vector<Scenario>& s = suite(), std::string_view r = kReasons) {
  return compute_coverage(table(), s, reasons(r), registry(kRegistry));
}

TEST(CoverageTest, RoleGroupsFollowTheRoleColumn) {
  EXPECT_EQ(role_group("KMS"), RoleGroup::kms);
  EXPECT_EQ(role_group("KMS_I"), RoleGroup::kms_i);
  EXPECT_EQ(role_group("KMS_R"), RoleGroup::kms_r);
  EXPECT_EQ(role_group("Initiator"), RoleGroup::initiator);
  EXPECT_EQ(role_group("Responder"), RoleGroup::responder);
  EXPECT_EQ(role_group("any"), RoleGroup::several);
  EXPECT_EQ(role_group("Initiator; Responder"), RoleGroup::several);
  EXPECT_EQ(role_group("KMS_I; KMS_R"), RoleGroup::several);
  EXPECT_EQ(role_group("Proxy; KMS"), RoleGroup::several);  // names a tested role: in scope
  EXPECT_EQ(role_group("Proxy"), std::nullopt);
  EXPECT_EQ(role_group(""), std::nullopt);
}

TEST(CoverageTest, RowRolesMapTheRoleColumnToSutRoles) {
  using V = std::vector<SutRole>;
  EXPECT_EQ(row_roles("KMS"), V{SutRole::kms});
  EXPECT_EQ(row_roles("Responder; KMS"), (V{SutRole::kms, SutRole::responder}));
  EXPECT_EQ(row_roles("KMS_I; KMS_R"), (V{SutRole::kms_r, SutRole::kms_i}));
  EXPECT_EQ(row_roles("any"), (V{SutRole::kms, SutRole::kms_r, SutRole::kms_i, SutRole::initiator,
                                 SutRole::responder}));
  EXPECT_EQ(row_roles("Proxy"), V{});
  EXPECT_TRUE(needs_mutation_proof("SHALL", SutRole::kms));
  EXPECT_TRUE(needs_mutation_proof("SHALL NOT", SutRole::kms_i));
  EXPECT_FALSE(needs_mutation_proof("SHOULD", SutRole::kms));
  EXPECT_FALSE(needs_mutation_proof("SHALL", SutRole::initiator));
}

TEST(CoverageTest, ACoveredRowListsItsCasesAndVariantsAndTheRuleHolds) {
  const Coverage c = standard();
  EXPECT_EQ(c.rows.size(), 7u);
  EXPECT_EQ(c.out_of_scope, 1u);  // Z-1
  ASSERT_NE(row(c, "K-1"), nullptr);
  EXPECT_EQ(row(c, "K-1")->cases, (std::vector<std::string>{"kms.a", "kms.b"}));
  EXPECT_TRUE(row(c, "K-1")->covered());
  ASSERT_EQ(row(c, "K-1")->roles.size(), 1u);
  EXPECT_EQ(row(c, "K-1")->roles[0].variants, std::vector<std::string>{"v1"});
  EXPECT_TRUE(row(c, "I-1")->covered());  // an Initiator row needs no variant
  EXPECT_EQ(row(c, "X-1")->group, RoleGroup::several);
  EXPECT_TRUE(row(c, "K-2")->explained());
  EXPECT_EQ(row(c, "Z-1"), nullptr);
  EXPECT_TRUE(c.miscitations.empty());
  EXPECT_TRUE(c.registry_notes.empty());
  EXPECT_TRUE(coverage_problems(c).empty());

  const std::string md = coverage_markdown(c);
  EXPECT_NE(
      md.find("| K-1 | SHALL | the KMS answers | covered | `kms.a`, `kms.b` (variant `v1`) |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| K-2 | SHOULD | the KMS logs | not-covered | *not-on-the-wire*: logging is "
                    "internal |"),
            std::string::npos)
      << md;
  // Pipes inside cells are escaped; the several-roles table has a role column.
  EXPECT_NE(md.find("| I-1 | SHALL | label const\\|\\|0xFF | covered | `ue.i` |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| Y-1 | any | SHALL | every party | not-covered | *not-applicable*: media "
                    "\\| plane |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| KMS | 2 | 1 | 0 | 1 | 1 | 0 | 0 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **total** | 7 | 2 | 1 | 4 | 1 | 1 | 2 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("## KMS_I (0 rows)"), std::string::npos) << md;
  EXPECT_EQ(md.find("Z-1"), std::string::npos) << md;
  EXPECT_EQ(md.find("Stale"), std::string::npos) << md;
  EXPECT_EQ(md.find("Citations that do not count"), std::string::npos) << md;
  EXPECT_EQ(md.back(), '\n');
  EXPECT_NE(md.substr(md.size() - 2), "\n\n");
}

TEST(CoverageTest, AKmsShallRowWithoutAVariantIsCitedOnlyAndNeedsNoReason) {
  // X-1 (KMS; Initiator, SHALL NOT) is cited by kms.b; the registry has nothing for it.
  const Coverage c = standard();
  const CoverageRow* x = row(c, "X-1");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->state, CoverageState::cited_only);
  EXPECT_TRUE(x->awaiting_variant());
  EXPECT_FALSE(x->missing());
  ASSERT_EQ(x->roles.size(), 2u);
  EXPECT_EQ(x->roles[0].role, SutRole::kms);
  EXPECT_EQ(x->roles[0].state, CoverageState::cited_only);
  EXPECT_EQ(x->roles[1].state, CoverageState::not_covered);  // no Initiator case
  const std::string md = coverage_markdown(c);
  EXPECT_NE(md.find("| X-1 | KMS; Initiator | SHALL NOT | two roles | cited-only | KMS: "
                    "cited-only `kms.b` — no mutation variant for this role in "
                    "mutation-registry.yaml yet |"),
            std::string::npos)
      << md;
  // Without any registry K-1 waits for its variant too.
  const Coverage none = compute_coverage(table(), suite(), reasons(kReasons));
  EXPECT_EQ(row(none, "K-1")->state, CoverageState::cited_only);
  EXPECT_TRUE(coverage_problems(none).empty());
}

TEST(CoverageTest, ARowCitedOnlyByAnotherRolesCaseNeedsAReason) {
  // kms.x cites I-1 (an Initiator row); ue.i is gone.
  const std::vector<Scenario> s = {scenario("kms.b", {"K-1", "X-1"}), scenario("kms.x", {"I-1"})};
  const Coverage c = standard(s);
  const CoverageRow* i = row(c, "I-1");
  EXPECT_EQ(i->state, CoverageState::cited_only);
  EXPECT_EQ(i->miscited, std::vector<std::string>{"kms.x"});
  EXPECT_FALSE(i->awaiting_variant());
  EXPECT_TRUE(i->missing());
  ASSERT_EQ(c.miscitations.size(), 1u);
  EXPECT_EQ(c.miscitations[0].case_id, "kms.x");
  EXPECT_EQ(c.miscitations[0].row, "I-1");
  const auto problems = coverage_problems(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "req.csv:4:1: I-1 (Initiator, SHALL) is cited only by kms.x, whose sut_role is not "
            "one of its and has no entry in not-covered.yaml");
  const std::string md = coverage_markdown(c);
  EXPECT_NE(md.find("- `kms.x` (kms) cites I-1 (Initiator)"), std::string::npos) << md;
  EXPECT_NE(md.find("| I-1 | SHALL | label const\\|\\|0xFF | cited-only | not counting: `kms.x` "
                    "(another sut_role); **missing**"),
            std::string::npos)
      << md;
  // A reason explains it, and is not stale: the row is not covered.
  const Coverage explained =
      standard(s, std::string(kReasons) + "I-1: {category: not-yet-covered, reason: no UE case}\n");
  EXPECT_TRUE(coverage_problems(explained).empty());
}

TEST(CoverageTest, NotViolableAloneCountsAndTheRegistryNotesWhatProvesNothing) {
  const MutationRegistry r = registry(
      "- {row: K-1, role: kms, not_violable_alone: every fault breaks K-2 first}\n"  // 1
      "- {row: Q-9, role: kms, variant: a}\n"                                        // 2
      "- {row: I-1, role: kms, variant: b}\n"                                        // 3
      "- {row: KR-1, role: kms_r, variant: c}\n");                                   // 4
  const Coverage c = compute_coverage(table(), suite(), reasons(kReasons), r);
  EXPECT_TRUE(row(c, "K-1")->covered());
  EXPECT_EQ(row(c, "K-1")->roles[0].not_violable_alone, "every fault breaks K-2 first");
  EXPECT_NE(coverage_markdown(c).find("(no single-fault variant: every fault breaks K-2 first)"),
            std::string::npos);
  ASSERT_EQ(c.registry_notes.size(), 3u);
  EXPECT_EQ(c.registry_notes[0],
            "mutation-registry.yaml:2:3: Q-9 (kms): not an in-scope requirement id");
  EXPECT_EQ(c.registry_notes[1],
            "mutation-registry.yaml:3:3: I-1 (kms): the row is for Initiator, not this role");
  EXPECT_EQ(c.registry_notes[2],
            "mutation-registry.yaml:4:3: KR-1 (kms_r): no case of this role cites the row, so no "
            "case is proven to catch it");
}

TEST(CoverageTest, TheMutationRegistryIsCheckedWherePositionsMatter) {
  auto err = [](std::string_view text) {
    auto r = parse_mutation_registry_text(text, "m.yaml");
    return r.ok() ? std::string("(accepted)") : r.error().to_string();
  };
  EXPECT_EQ(err("row: K-1\n"), "m.yaml:1:1: the mutation registry must be a list of entries");
  EXPECT_EQ(err("- {row: K-1, role: initiator, variant: v}\n"),
            "m.yaml:1:20: role must be kms, kms_r or kms_i (a KMS role the mutation test runs)");
  EXPECT_EQ(err("- {row: K-1, role: kms}\n"),
            "m.yaml:1:3: an entry has exactly one of variant and not_violable_alone");
  EXPECT_EQ(err("- {row: K-1, role: kms, variant: v, not_violable_alone: x}\n"),
            "m.yaml:1:3: an entry has exactly one of variant and not_violable_alone");
  EXPECT_EQ(err("- {role: kms, variant: v}\n"), "m.yaml:1:3: a registry entry needs the key 'row'");
  EXPECT_EQ(err("- {row: K-1, role: kms, variant: \"\"}\n"),
            "m.yaml:1:34: variant must not be empty");
  // Keys of the mutation test's own are not this loader's business.
  auto ok = parse_mutation_registry_text(
      "- {row: K-1, role: kms_r, variant: v, summary: s, test: FaultyKmsTest.X}\n", "m.yaml");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  ASSERT_EQ(ok->entries.size(), 1u);
  EXPECT_EQ(ok->entries[0].role, SutRole::kms_r);
  EXPECT_EQ(ok->entries[0].summary, "s");
  EXPECT_EQ(ok->find("K-1", SutRole::kms_r).size(), 1u);
  EXPECT_TRUE(ok->find("K-1", SutRole::kms).empty());
}

TEST(CoverageTest, AMissingRowIsReportedAtItsTableLine) {
  ReasonsFile r = reasons(kReasons);
  r.reasons.erase(r.reasons.begin());  // K-2 loses its reason
  const Coverage c = compute_coverage(table(), suite(), r, registry(kRegistry));
  const auto problems = coverage_problems(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, CoverageProblem::Kind::missing);
  EXPECT_EQ(problems[0].id, "K-2");
  EXPECT_EQ(problems[0].message,
            "req.csv:3:1: K-2 (KMS, SHOULD) is cited by no case and has no entry in "
            "not-covered.yaml");
  EXPECT_TRUE(row(c, "K-2")->missing());
  const std::string md = coverage_markdown(c);
  EXPECT_NE(md.find("| K-2 | SHOULD | the KMS logs | not-covered | **missing**"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| KMS | 2 | 1 | 0 | 1 | 0 | 0 | 0 | 1 |"), std::string::npos) << md;
}

TEST(CoverageTest, AReasonOfACoveredRowIsStale) {
  std::vector<Scenario> s = suite();
  s.push_back(scenario("responder.wait", {"R-1"}, SutRole::responder));
  const Coverage c = standard(s);
  const auto problems = coverage_problems(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, CoverageProblem::Kind::now_covered);
  EXPECT_EQ(problems[0].message,
            "not-covered.yaml:4:1: R-1 is now covered by responder.wait: remove its entry "
            "(not-yet-covered)");
  // The row shows its case, not the stale reason, and the stale entry is listed.
  const std::string md = coverage_markdown(c);
  EXPECT_NE(md.find("| R-1 | MAY | the Responder may wait | covered | `responder.wait` |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- R-1: now covered by a case"), std::string::npos) << md;
}

TEST(CoverageTest, AReasonForAnUnknownOrOutOfScopeIdIsStale) {
  const std::string text = std::string(kReasons) +
                           "Q-9: {category: not-on-the-wire, reason: gone}\n"   // 7
                           "Z-1: {category: not-applicable, reason: proxy}\n";  // 8
  const Coverage c = standard(suite(), text);
  const auto problems = coverage_problems(c);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].kind, CoverageProblem::Kind::unknown_id);
  EXPECT_EQ(problems[0].message,
            "not-covered.yaml:7:1: 'Q-9' is not an in-scope requirement id of req.csv: remove or "
            "correct the entry");
  EXPECT_EQ(problems[1].id, "Z-1");
}

TEST(CoverageTest, ProblemsComeInTableThenFileOrder) {
  // R-1 now covered (line 4) and an unknown id before it (line 1): file order, after missing.
  const std::string text =
      "A-0: {category: not-on-the-wire, reason: x}\n"
      "K-2: {category: not-on-the-wire, reason: x}\n"
      "Y-1: {category: not-applicable, reason: x}\n"
      "R-1: {category: not-yet-covered, reason: x}\n";
  std::vector<Scenario> s = suite();
  s.push_back(scenario("responder.wait", {"R-1"}, SutRole::responder));
  const auto problems = coverage_problems(standard(s, text));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].id, "KR-1");  // missing
  EXPECT_EQ(problems[1].id, "A-0");
  EXPECT_EQ(problems[2].id, "R-1");
}

TEST(CoverageTest, TheMarkdownDoesNotDependOnScenarioOrder) {
  std::vector<Scenario> s = suite();
  s.push_back(scenario("kms.c", {"I-1"}));  // a miscitation too
  const std::string a = coverage_markdown(standard(s));
  std::reverse(s.begin(), s.end());
  const std::string b = coverage_markdown(standard(s));
  EXPECT_EQ(a, b);
}

TEST(CoverageTest, TheReasonsFileIsStrict) {
  auto err = [](std::string_view text) {
    auto r = parse_reasons_text(text, "n.yaml");
    return r.ok() ? std::string("(accepted)") : r.error().to_string();
  };
  EXPECT_EQ(err("K-1: {category: later, reason: x}\n"),
            "n.yaml:1:17: unknown category 'later' (allowed: not-on-the-wire, not-applicable, "
            "not-yet-covered)");
  EXPECT_EQ(err("K-1: {category: not-applicable}\n"),
            "n.yaml:1:6: the entry of 'K-1' needs the key 'reason'");
  EXPECT_EQ(err("K-1: {category: not-applicable, reason: \"  \"}\n"),
            "n.yaml:1:41: the reason of 'K-1' is empty");
  EXPECT_EQ(err("K-1: {category: not-applicable, reason: x, why: y}\n"),
            "n.yaml:1:44: unknown key 'why' in the entry of 'K-1' (allowed: category, reason)");
  EXPECT_EQ(err("K-1: {category: not-applicable, reason: x}\nK-1: {category: x, reason: y}\n"),
            "n.yaml:2:1: duplicate key 'K-1' in the reasons file (first at line 1)");
  EXPECT_EQ(err("- K-1\n"), "n.yaml:1:1: the reasons file must be a mapping");
  EXPECT_EQ(err("K-1: [a]\n"), "n.yaml:1:6: the entry of 'K-1' must be a mapping");
  const auto ok = parse_reasons_text(
      "K-1:\n  category: not-yet-covered\n  reason: >-\n    folded\n    text\n", "n.yaml");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->reasons[0].reason, "folded text");
  EXPECT_EQ(ok->reasons[0].pos, (SourcePos{1, 1}));
}

TEST(CoverageTest, TheScenarioLoaderSkipsTheReasonsFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mikeyconf_coverage_skip_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "case.yaml") << "id: kms.one\ntitle: t\nrequirements: [A.2-10]\n"
                                      "level: SHALL\nsut_role: kms\nsteps:\n"
                                      "  - send: REQUEST_INIT_PSK\n"
                                      "  - expect: {http.status: 200}\n";
  std::ofstream(dir / "not-covered.yaml") << "A.2-11: {category: not-yet-covered, reason: x}\n";
  auto loaded = load_scenarios(dir, testing::requirements());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].id, "kms.one");
}

TEST(CoverageTest, TheShippedReasonsFileLoads) {
  auto r = load_reasons(testing::cases_dir() / "not-covered.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  for (const UncoveredReason& reason : r->reasons) {
    EXPECT_NE(testing::requirements().find(reason.id), nullptr) << reason.id;
  }
}

TEST(CoverageTest, TheShippedMutationRegistryLoadsWhenPresent) {
  const auto path = testing::cases_dir() / "mutation-registry.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  auto r = load_mutation_registry(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  for (const MutationEntry& e : r->entries) {
    EXPECT_NE(testing::requirements().find(e.row), nullptr) << e.row;
  }
}

}  // namespace
}  // namespace mikeyconf::harness
