// What a SUT profile declares about the points where the specifications allow more than one
// behaviour (docs/latitude.md), PIXIT-style: the `latitude:` map of a profile, one entry per
// point, each defaulting to `any` (every legal reading is accepted). A declared reading narrows
// what the cases accept to that reading, so a product is held to what its vendor says it does.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mikeyconf::harness {

// One latitude point a profile may declare, with its legal readings (besides `any`).
struct LatitudePoint {
  std::string_view id;  // the docs/latitude.md entry
  std::span<const std::string_view> readings;
};
std::span<const LatitudePoint> latitude_points() noexcept;

// The declared readings; a point not listed is `any`.
struct LatitudeDeclaration {
  std::map<std::string, std::string, std::less<>> declared;

  // The declared reading of `id`, or "any".
  std::string_view reading(std::string_view id) const;
  // Whether `reading` is acceptable for `id` (declared `any`, or that very reading).
  bool allows(std::string_view id, std::string_view reading) const;
};

// Nothing when `id: reading` is a valid declaration; otherwise the one-line problem, with the
// nearest id or reading when it looks like a typo.
std::optional<std::string> latitude_problem(std::string_view id, std::string_view reading);

}  // namespace mikeyconf::harness
