#include "reports/manifest.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "reports/digest.h"
#include "reports/file_util.h"
#include "reports/reports.h"
#include "wire/hex.h"

namespace mikeyconf::reports {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

constexpr std::size_t kMaxKeyFile = 64 * 1024;
constexpr std::size_t kEd25519SignatureSize = 64;  // RFC 8032 §5.1.6
constexpr std::size_t kMaxManifest = std::size_t{64} << 20;

// A passphrase callback that never prompts: an encrypted key is an error, not a terminal prompt.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return 0; }

enum class KeyKind { private_key, public_key };

mikey::Result<Pkey, std::string> load_ed25519(const std::filesystem::path& path, KeyKind kind) {
  const char* what = kind == KeyKind::private_key ? "private" : "public";
  const auto pem = read_file(path, kMaxKeyFile);
  if (!pem) return "cannot read the " + std::string(what) + " key " + path.string();
  Bio bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  if (!bio) return std::string("out of memory reading ") + path.string();
  Pkey key(kind == KeyKind::private_key
               ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
               : PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!key) {
    return path.string() + ": not a PEM " + what + " key (or an encrypted one, which is not " +
           "supported)";
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return path.string() + ": not an Ed25519 key (" + EVP_PKEY_get0_type_name(key.get()) +
           "); the manifest is signed with Ed25519 only";
  }
  return key;
}

std::string public_key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// A relative path that stays inside the folder (no "..", not absolute).
bool safe_relative(const std::filesystem::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  return std::none_of(p.begin(), p.end(),
                      [](const std::filesystem::path& part) { return part == ".."; });
}

struct ManifestLine {
  std::string hex;
  std::filesystem::path file;
};

// "<64 hex>  <path>" (sha256sum's text mode) or "<64 hex> *<path>" (binary mode).
std::optional<ManifestLine> parse_line(std::string_view line) {
  if (line.size() < 67 || (line.substr(64, 2) != "  " && line.substr(64, 2) != " *")) {
    return std::nullopt;
  }
  ManifestLine out{std::string(line.substr(0, 64)), std::filesystem::path(line.substr(66))};
  for (char& c : out.hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

mikey::Result<bool, std::string> verify_signature(const std::filesystem::path& dir,
                                                  const std::string& manifest,
                                                  const std::filesystem::path& public_key_pem) {
  auto key = load_ed25519(public_key_pem, KeyKind::public_key);
  if (!key.ok()) return key.error();
  const auto sig = read_file(dir / kSignatureFile, 4096);
  if (!sig) return "cannot read " + (dir / kSignatureFile).string();
  if (sig->size() != kEd25519SignatureSize) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return std::string("out of memory");
  // Pure Ed25519 (RFC 8032): no digest is named; the one-shot call hashes the message itself.
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.value().get()) != 1) {
    ERR_clear_error();
    return std::string("cannot set up Ed25519 verification");
  }
  const mikey::ByteView s = mikey::as_bytes(*sig), m = mikey::as_bytes(manifest);
  const int ok = EVP_DigestVerify(ctx.get(), s.data(), s.size(), m.data(), m.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace

mikey::Result<ManifestText, std::string> manifest_text(
    const std::filesystem::path& dir, const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.generic_string());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  ManifestText out;
  for (const std::string& name : names) {
    // sha256sum escapes such names with a leading backslash; we never write them.
    if (name.find_first_of("\\\n\r") != std::string::npos) {
      return "cannot list " + name + " in " + kManifestFile + " (backslash or line break)";
    }
    const auto digest = sha256_file(dir / name);
    if (!digest) return "cannot read " + (dir / name).string() + " for " + kManifestFile;
    out.text += mikey::wire::to_hex(*digest) + "  " + name + "\n";
  }
  return out;
}

mikey::Result<bool, std::string> check_signing_key(const std::filesystem::path& private_key_pem) {
  auto key = load_ed25519(private_key_pem, KeyKind::private_key);
  if (!key.ok()) return key.error();
  return true;
}

mikey::Result<bool, std::string> sign_manifest(const std::filesystem::path& dir,
                                               const std::filesystem::path& private_key_pem) {
  auto key = load_ed25519(private_key_pem, KeyKind::private_key);
  if (!key.ok()) return key.error();
  const auto manifest = read_file(dir / kManifestFile, kMaxManifest);
  if (!manifest) return "cannot read " + (dir / kManifestFile).string();
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t len = kEd25519SignatureSize;
  mikey::Bytes sig(len);
  const mikey::ByteView m = mikey::as_bytes(*manifest);
  // Pure Ed25519 (RFC 8032): EVP_DigestSign one-shot with no digest (NULL md).
  const bool ok =
      ctx && EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.value().get()) == 1 &&
      EVP_DigestSign(ctx.get(), sig.data(), &len, m.data(), m.size()) == 1 &&
      len == kEd25519SignatureSize;
  ERR_clear_error();
  if (!ok)
    return "cannot sign " + (dir / kManifestFile).string() + " with " + private_key_pem.string();
  const std::string pub = public_key_pem(key.value().get());
  if (pub.empty()) return std::string("cannot write the public key as PEM");
  if (auto w = write_file(dir / kSignatureFile, std::string(sig.begin(), sig.end())); !w.ok())
    return w.error();
  if (auto w = write_file(dir / kPublicKeyFile, pub); !w.ok()) return w.error();
  return true;
}

mikey::Result<bool, std::string> verify_manifest(const std::filesystem::path& dir,
                                                 const std::filesystem::path& public_key_pem) {
  const auto manifest = read_file(dir / kManifestFile, kMaxManifest);
  if (!manifest) return "cannot read " + (dir / kManifestFile).string();
  bool all_match = true;
  std::size_t line_no = 0, listed = 0;
  std::string_view rest(*manifest);
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    ++line_no;
    if (line.empty()) continue;
    const auto parsed = parse_line(line);
    if (!parsed || !safe_relative(parsed->file)) {
      return std::string(kManifestFile) + ":" + std::to_string(line_no) +
             ": not a \"<sha256 hex>  <relative path>\" line";
    }
    ++listed;
    const auto digest = sha256_file(dir / parsed->file);
    all_match = all_match && digest && mikey::wire::to_hex(*digest) == parsed->hex;
  }
  if (listed == 0) return std::string(kManifestFile) + " lists no file";
  if (public_key_pem.empty()) return all_match;
  auto sig = verify_signature(dir, *manifest, public_key_pem);
  if (!sig.ok()) return sig.error();
  return all_match && sig.value();
}

}  // namespace mikeyconf::reports
