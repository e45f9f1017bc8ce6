// Shared by the harness tests: where the repository is, the shipped data, an in-process reference
// KMS handler, and a minimal blocking HTTP server for faulty KMS variants that KmsServer cannot
// express (it always answers with its profile's Content-Type).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "codec/message.h"
#include "harness/profile.h"
#include "harness/requirements.h"
#include "harness/scenario.h"
#include "roles/clock.h"
#include "roles/kms.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness::testing {

std::filesystem::path repo_dir();
std::filesystem::path cases_dir();
std::filesystem::path data_dir();  // harness/tests/data
const RequirementTable& requirements();
const std::vector<Scenario>& suite();
SutProfile reference_profile();
std::string read_text(const std::filesystem::path& p);

// A fresh reference KMS (roles::Kms from `profile`, system clock, seeded RNG) as a handler;
// calls are serialised.
mikey::transport::KmsHandler reference_handler(const SutProfile& profile, std::uint64_t seed = 7);

// The index among the IDR payloads of `m` of the first one with `role` (what a field path's
// "payload[IDR:N]" counts), or nullopt.
std::optional<std::size_t> idr_index(const mikey::codec::Message& m, mikey::codec::IdRole role);

// What time a reference KMS believes it is when it handles a request (nullopt: the wall clock).
using TimeOf = std::function<std::optional<mikey::roles::NtpTime>(mikey::ByteView request)>;

// A second reference KMS for the reference profile (its users and keys, so the two understand
// each other's tickets) with `alter` applied to its configuration, as a handler; calls are
// serialised, and `time_of` pins its clock for each request. Faulty variants are built from it.
mikey::transport::KmsHandler altered_kms(const std::function<void(mikey::roles::KmsConfig&)>& alter,
                                         TimeOf time_of = {});

// A blocking one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 (port 0) that validates and
// answers with transport::respond() and then lets `edit` change the response. Every response
// closes its connection. Test use only.
class EditingServer {
 public:
  using Edit = std::function<void(mikey::transport::HttpResponse&)>;
  EditingServer(mikey::transport::AnnexAProfile profile, mikey::transport::KmsHandler handler,
                Edit edit);
  ~EditingServer();
  std::uint16_t start();  // 0 on failure
  void stop();
  // Set before start(): sees each request before validation and may change it (views into
  // storage kept for the request, or static strings) or answer it itself (nullopt: go on).
  std::function<std::optional<mikey::transport::HttpResponse>(mikey::transport::HttpRequestView&)>
      screen;

 private:
  void serve();
  void handle(int fd);

  mikey::transport::AnnexAProfile profile_;
  mikey::transport::KmsHandler handler_;
  Edit edit_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mikeyconf::harness::testing
