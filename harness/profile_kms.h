// Internal to the SUT profile loader (profile.cc): the profile's `kms_config:` (a KMS
// configuration file, or one inline, configs/README.md) and `users:` (the users the harness plays,
// by name and identity), and the spellings of earlier profiles that moved to the KMS
// configuration. Not a public header: it includes yaml-cpp through yaml_util.h and throws
// LoadFailure like the loaders.
#pragma once

#include <filesystem>
#include <string>

#include "harness/profile.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

// An identity spelled as the KMS configuration spells it: a string (ID Type `fallback`, uri for
// users and KMSs) or {type: uri|nai|byte_string, value: ...}. The earlier `uri:...` prefixes are
// an error naming the new spelling.
mikey::roles::Identity read_config_identity(const Ctx& ctx, const YAML::Node& n,
                                            std::string_view what, mikey::codec::IdType fallback);

// Reads `kms_config:` and `users:` into p.kms_identity, p.users (credentials from the KMS
// configuration: a PSK user's key and IDRpsk, a GBA user's Ks_NAF and B-TID, TS 33.220 B.3; the
// mode-3 key shared with each) and p.embedded (the KMS-only ticket keys, lifetimes, clock skew).
void read_kms_side(const Ctx& ctx, MapReader& root, const std::filesystem::path& base,
                   SutProfile& p);

// Fails on the keys earlier profiles had at the top level (kms_identity, embedded), naming where
// each one moved.
void reject_moved_keys(const Ctx& ctx, MapReader& root);

}  // namespace mikeyconf::harness::detail
