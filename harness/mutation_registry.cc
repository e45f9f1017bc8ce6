#include "harness/mutation_registry.h"

#include "harness/yaml_util.h"

namespace mikeyconf::harness {

using detail::Ctx;
using detail::LoadFailure;
using detail::MapReader;
using detail::pos_of;

std::vector<const MutationEntry*> MutationRegistry::find(std::string_view row, SutRole role) const {
  std::vector<const MutationEntry*> out;
  for (const MutationEntry& e : entries)
    if (e.row == row && e.role == role) out.push_back(&e);
  return out;
}

namespace {

std::string non_empty(const Ctx& ctx, const YAML::Node& n, std::string_view what) {
  std::string s = ctx.string(n, what);
  if (s.find_first_not_of(" \t\r\n") == std::string::npos) {
    ctx.fail(n, std::string(what) + " must not be empty");
  }
  return s;
}

MutationEntry read_entry(const Ctx& ctx, const YAML::Node& n) {
  MapReader map(ctx, n, "a registry entry");
  map.allow_all();  // other keys belong to the mutation test
  MutationEntry e;
  e.pos = pos_of(n);
  e.row = non_empty(ctx, map.require("row"), "row");
  const YAML::Node role = map.require("role");
  const std::string name = ctx.string(role, "role");
  auto r = parse_sut_role(name);
  if (!r || (*r != SutRole::kms && *r != SutRole::kms_r && *r != SutRole::kms_i)) {
    ctx.fail(role, "role must be kms, kms_r or kms_i (a KMS role the mutation test runs)");
  }
  e.role = *r;
  const auto variant = map.get("variant");
  const auto alone = map.get("not_violable_alone");
  if (variant.has_value() == alone.has_value()) {
    ctx.fail(n, "an entry has exactly one of variant and not_violable_alone");
  }
  if (variant) e.variant = non_empty(ctx, *variant, "variant");
  if (alone) e.not_violable_alone = non_empty(ctx, *alone, "not_violable_alone");
  if (auto s = map.get("summary")) e.summary = ctx.string(*s, "summary");
  return e;
}

}  // namespace

LoadResult<MutationRegistry> parse_mutation_registry_text(std::string_view text,
                                                          std::string_view name) {
  return detail::guarded_load<MutationRegistry>(name, "file", [&](const Ctx& ctx) {
    const YAML::Node root = detail::parse_document(ctx, text);
    MutationRegistry registry;
    registry.file = std::string(name);
    if (detail::is_null(root)) return registry;
    if (!root.IsSequence()) ctx.fail(root, "the mutation registry must be a list of entries");
    for (const YAML::Node& n : root) registry.entries.push_back(read_entry(ctx, n));
    return registry;
  });
}

LoadResult<MutationRegistry> load_mutation_registry(const std::filesystem::path& path) {
  return detail::load_file<MutationRegistry>(path.string(), parse_mutation_registry_text);
}

}  // namespace mikeyconf::harness
