// SUT drivers: how the engine reaches a system under test. The KMS driver speaks TS 33.328
// Annex A over HTTP(S) through transport::AnnexAClient; the chaining drivers (KMS_R, KMS_I;
// chain_driver.cc) route by Route over KmsDrivers. Beast and OpenSSL stay behind the
// transport's pimpl.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/profile.h"
#include "harness/scenario.h"
#include "transport/annex_a.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

class KmsITap;    // chain.h: the harness KMS_I opposite a KMS_R SUT
class KmsRRelay;  // chain.h: the harness KMS_R opposite a KMS_I SUT

// Where a request goes. Only the chaining drivers (sut_role kms_r, kms_i; chain.h) tell the
// routes apart; every other driver sends everything to the SUT.
enum class Route : std::uint8_t {
  sut,          // the SUT's Annex A endpoint, as the profile's users reach it
  harness_kms,  // the KMS the harness plays opposite the SUT (kms_r: KMS_I), as its users reach it
  kms_link,     // the SUT over the KMS-to-KMS link, with the harness KMS's credentials (kms_i)
};

struct HttpRequestSpec {
  mikey::transport::RequestType type = mikey::transport::RequestType::ticket_request;
  mikey::Bytes mikey;                        // the MIKEY message, before body encoding
  const HttpOverrides* overrides = nullptr;  // null or none set: the standard Annex A request
  Route route = Route::sut;
  // kms_link over TLS: leave the harness KMS's client certificate out (B.0-1 negative cases).
  bool without_client_certificate = false;
};

// One HTTP exchange as it happened.
struct HttpExchange {
  std::string request;  // the exact bytes written
  bool responded = false;
  std::string transport_error;  // code name (transport/errc.h) when no response arrived
  std::string transport_detail;
  // The SUT could not be reached at all (name resolution, TCP connect, TLS material or
  // handshake): a setup problem (verdict error), unlike a SUT that accepted the connection and
  // then misbehaved.
  bool unreachable = false;
  std::uint16_t status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The MIKEY message of a 200 body decoded per the profile's encoding, even when the
  // Content-Type is wrong (so a report can show what was sent); mikey_problem says what is not
  // as Annex A wants it (A.2-11, A.2-12).
  std::optional<mikey::Bytes> mikey;
  std::string mikey_problem;
  double duration_ms = 0;

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

class SutDriver {
 public:
  virtual ~SutDriver() = default;
  // Sends one request and reads one response. Never throws.
  virtual HttpExchange exchange(const HttpRequestSpec& request) noexcept = 0;
  virtual std::string describe() const = 0;
  // What the harness plays opposite a chaining SUT (chain.h); null for every other role.
  virtual KmsITap* kms_i_tap() noexcept { return nullptr; }
  virtual KmsRRelay* kms_r_relay() noexcept { return nullptr; }
};

// The KMS driver (sut_role kms): one keep-alive connection to the profile's base_url (TLS for
// https with the profile's CA, client certificate and SNI), Annex A settings and timeouts from the
// profile. Requests with HTTP overrides are built here byte by byte and sent in the client's raw
// mode.
class KmsDriver final : public SutDriver {
 public:
  explicit KmsDriver(const SutProfile& profile);
  ~KmsDriver() override;
  KmsDriver(const KmsDriver&) = delete;
  KmsDriver& operator=(const KmsDriver&) = delete;

  HttpExchange exchange(const HttpRequestSpec& request) noexcept override;
  std::string describe() const override;

  // The request bytes for `request` (exposed for tests).
  std::string build_request(const HttpRequestSpec& request) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Encodes a MIKEY message as an HTTP body.
std::string encode_body(mikey::ByteView mikey, BodyEncoding encoding);

}  // namespace mikeyconf::harness
