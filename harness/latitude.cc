#include "harness/latitude.h"

#include <array>
#include <vector>

#include "harness/capabilities.h"

namespace mikeyconf::harness {

namespace {

constexpr std::array<std::string_view, 2> kErrorOrHttp{"error", "http-4xx"};
constexpr std::array<std::string_view, 2> kIv{"a", "b"};
constexpr std::array<std::string_view, 2> kMacIdentity{"idrr", "kms_r"};

// docs/latitude.md: the points a case reads from the profile. Every other point is accepted in
// all its readings without a declaration.
constexpr std::array<LatitudePoint, 5> kPoints{{
    {"auth-failure-answer", kErrorOrHttp},
    {"malformed-answer", kErrorOrHttp},
    {"discard-answer", kErrorOrHttp},
    {"iv-timestamp", kIv},
    {"link-mac-identity", kMacIdentity},
}};

const LatitudePoint* find_point(std::string_view id) {
  for (const LatitudePoint& p : kPoints)
    if (p.id == id) return &p;
  return nullptr;
}

std::string listed(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

std::span<const LatitudePoint> latitude_points() noexcept { return kPoints; }

std::string_view LatitudeDeclaration::reading(std::string_view id) const {
  auto it = declared.find(id);
  return it == declared.end() ? std::string_view("any") : std::string_view(it->second);
}

bool LatitudeDeclaration::allows(std::string_view id, std::string_view r) const {
  const std::string_view d = reading(id);
  return d == "any" || d == r;
}

std::optional<std::string> latitude_problem(std::string_view id, std::string_view reading) {
  const LatitudePoint* p = find_point(id);
  if (p == nullptr) {
    std::vector<std::string_view> ids;
    for (const LatitudePoint& q : kPoints) ids.push_back(q.id);
    const std::string near = nearest_name(id, ids);
    return "unknown latitude point '" + std::string(id) + "' (" +
           (near.empty() ? "known: " + listed(ids) : "did you mean '" + near + "'?") +
           "; docs/latitude.md)";
  }
  if (reading == "any") return std::nullopt;
  for (std::string_view r : p->readings)
    if (r == reading) return std::nullopt;
  return "latitude." + std::string(id) + ": '" + std::string(reading) +
         "' is not a reading (allowed: any, " + listed(p->readings) + ")";
}

}  // namespace mikeyconf::harness
