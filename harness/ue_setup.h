// Setting up a run against a UE under test (sut_role initiator | responder): the driver that
// reaches it through the profile's hook (harness/README.md "UE hooks"). The harness KMS and the
// hook process are per case (ue_runner.h); what the run shares is the UE's freshness memory.
#pragma once

#include <string>

#include "harness/profile.h"
#include "harness/setup.h"
#include "wire/result.h"

namespace mikeyconf::harness {

struct UeSetupOptions {
  // What "{mikeyconf}" stands for in an exec hook; empty: the running executable
  // (/proc/self/exe), which is mikeyconf itself under `mikeyconf run`. Tests that run the suite
  // from their own binary name the built mikeyconf here.
  std::string mikeyconf;
  // The SUT is the sample hook (`{mikeyconf} ue --profile {profile}`, the reference UE), whatever
  // hook the profile names.
  bool embedded = false;
};

mikey::Result<SutSetup, SetupError> prepare_ue_with(const SutProfile& profile,
                                                    const UeSetupOptions& options);

// The path of the running executable, or "" when it cannot be read.
std::string running_executable();

}  // namespace mikeyconf::harness
