// manifest.sha256 and its Ed25519 signature, checked by verify_manifest and by second
// implementations: `sha256sum -c` and `openssl pkeyutl -verify -rawin`.
#include <gtest/gtest.h>

#include <filesystem>

#include "reports/manifest.h"
#include "reports/reports.h"
#include "reports/tests/test_run.h"

namespace mikeyconf::reports {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_dir("manifest");
    out_ = dir_ / "out";
    run_ = testing::make_run();
    testing::put_suite_on_disk(run_, dir_ / "src");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path make_key(std::string_view name, std::string_view genpkey_args) {
    const fs::path key = dir_ / name;
    std::string out;
    const int rc = testing::run_command(
        "openssl genpkey " + std::string(genpkey_args) + " -out " + testing::quote(key), &out);
    EXPECT_EQ(rc, 0) << "openssl is needed (scripts/bootstrap installs it): " << out;
    return key;
  }

  int openssl_verify() {
    std::string out;
    return testing::run_command(
        "cd " + testing::quote(out_) +
            " && openssl pkeyutl -verify -pubin -inkey manifest.sha256.pub -rawin -in "
            "manifest.sha256 -sigfile manifest.sha256.sig",
        &out);
  }

  int sha256sum_check() {
    std::string out;
    return testing::run_command(
        "cd " + testing::quote(out_) + " && sha256sum --quiet -c manifest.sha256", &out);
  }

  fs::path dir_, out_;
  harness::RunResult run_;
};

TEST_F(ManifestTest, UnsignedManifestChecksWithSha256sum) {
  ReportOptions options;
  options.out_dir = out_;
  auto w = write_all_reports(run_, options);
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_EQ(sha256sum_check(), 0);
  auto v = verify_manifest(out_, {});
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_TRUE(v.value());
  // The manifest is sorted by path.
  const std::string m = testing::read(out_ / "manifest.sha256");
  std::vector<std::string> paths;
  for (std::size_t at = 0; at < m.size();) {
    const auto nl = m.find('\n', at);
    paths.push_back(m.substr(at + 66, nl - at - 66));
    at = nl + 1;
  }
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  EXPECT_EQ(paths.front(), "bundles/kms.case.error/bundle.json");
}

TEST_F(ManifestTest, SignedManifestVerifiesHereAndWithOpenssl) {
  const fs::path key = make_key("ed25519.pem", "-algorithm ed25519");
  ReportOptions options;
  options.out_dir = out_;
  options.signing_key = key;
  auto w = write_all_reports(run_, options);
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_EQ(fs::file_size(out_ / "manifest.sha256.sig"), 64u);
  EXPECT_EQ(w->files.back(), fs::path("manifest.sha256.pub"));
  auto v = verify_manifest(out_, out_ / "manifest.sha256.pub");
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_TRUE(v.value());
  EXPECT_EQ(openssl_verify(), 0);
  // The public key written is the signer's: derive it with openssl and compare.
  std::string pub;
  ASSERT_EQ(testing::run_command("openssl pkey -in " + testing::quote(key) + " -pubout", &pub), 0);
  EXPECT_EQ(pub, testing::read(out_ / "manifest.sha256.pub"));

  // Another key's public half does not verify the signature.
  const fs::path other = make_key("other.pem", "-algorithm ed25519");
  ASSERT_EQ(testing::run_command("openssl pkey -in " + testing::quote(other) + " -pubout -out " +
                                 testing::quote(dir_ / "other.pub")),
            0);
  auto wrong = verify_manifest(out_, dir_ / "other.pub");
  ASSERT_TRUE(wrong.ok()) << wrong.error();
  EXPECT_FALSE(wrong.value());
}

TEST_F(ManifestTest, TamperingIsDetected) {
  ReportOptions options;
  options.out_dir = out_;
  options.signing_key = make_key("ed25519.pem", "-algorithm ed25519");
  ASSERT_TRUE(write_all_reports(run_, options).ok());
  const fs::path pub = out_ / "manifest.sha256.pub";
  // A changed report: its hash no longer matches (both implementations say so).
  testing::write(out_ / "junit.xml", testing::read(out_ / "junit.xml") + " ");
  auto v = verify_manifest(out_, pub);
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_FALSE(v.value());
  EXPECT_NE(sha256sum_check(), 0);
  // A manifest with a line added whose hash is right: the signature no longer matches.
  ASSERT_TRUE(write_all_reports(run_, options).ok());
  testing::write(out_ / "extra", "");
  testing::write(out_ / "manifest.sha256",
                 testing::read(out_ / "manifest.sha256") + std::string(kEmptySha256) + "  extra\n");
  auto s = verify_manifest(out_, pub);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_FALSE(s.value());
  EXPECT_EQ(sha256sum_check(), 0);  // the hashes alone still match
  EXPECT_NE(openssl_verify(), 0);
  // A deleted file fails the check too.
  ASSERT_TRUE(write_all_reports(run_, options).ok());
  fs::remove(out_ / "report.html");
  auto d = verify_manifest(out_, {});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d.value());
  EXPECT_NE(sha256sum_check(), 0);
}

TEST_F(ManifestTest, ABadKeyIsAClearErrorAndNothingIsWritten) {
  ReportOptions options;
  options.out_dir = out_;
  options.signing_key = make_key("p256.pem", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256");
  auto w = write_all_reports(run_, options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().find("not an Ed25519 key"), std::string::npos) << w.error();
  EXPECT_FALSE(fs::exists(out_));
  options.signing_key = dir_ / "missing.pem";
  w = write_all_reports(run_, options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().find("cannot read the private key"), std::string::npos) << w.error();
  testing::write(dir_ / "garbage.pem", "-----BEGIN PRIVATE KEY-----\nnot base64\n");
  options.signing_key = dir_ / "garbage.pem";
  w = write_all_reports(run_, options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().find("not a PEM private key"), std::string::npos) << w.error();
}

TEST_F(ManifestTest, GarbledManifestOrMissingSignatureIsAnError) {
  ReportOptions options;
  options.out_dir = out_;
  ASSERT_TRUE(write_all_reports(run_, options).ok());
  const fs::path key = make_key("ed25519.pem", "-algorithm ed25519");
  ASSERT_EQ(testing::run_command("openssl pkey -in " + testing::quote(key) + " -pubout -out " +
                                 testing::quote(dir_ / "k.pub")),
            0);
  auto no_sig = verify_manifest(out_, dir_ / "k.pub");
  ASSERT_FALSE(no_sig.ok());
  EXPECT_NE(no_sig.error().find("manifest.sha256.sig"), std::string::npos);
  auto private_as_public = verify_manifest(out_, key);
  ASSERT_FALSE(private_as_public.ok());
  for (std::string_view garbled :
       {"", "abc  file\n", "not a manifest line at all, really, no\n", "../x", "/etc/passwd"}) {
    const std::string text = garbled.find('/') == std::string_view::npos
                                 ? std::string(garbled)
                                 : std::string(kEmptySha256) + "  " + std::string(garbled) + "\n";
    testing::write(out_ / "manifest.sha256", text);
    auto r = verify_manifest(out_, {});
    EXPECT_FALSE(r.ok()) << garbled;
  }
  fs::remove(out_ / "manifest.sha256");
  EXPECT_FALSE(verify_manifest(out_, {}).ok());
}

}  // namespace
}  // namespace mikeyconf::reports
