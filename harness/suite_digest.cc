#include "harness/suite_digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <system_error>

#include "wire/hex.h"

namespace mikeyconf::harness {

namespace fs = std::filesystem;

namespace {

struct MdFree {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

bool add(EVP_MD_CTX* md, std::string_view s) {
  return EVP_DigestUpdate(md, s.data(), s.size()) == 1;
}

bool add_file(EVP_MD_CTX* md, const fs::path& path, const std::string& rel) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return false;
  const std::string head = rel + '\0' + std::to_string(size) + '\0';
  if (!add(md, head)) return false;
  std::ifstream in(path, std::ios::binary);
  std::array<char, 64 * 1024> buf{};
  std::uintmax_t total = 0;
  while (in) {
    in.read(buf.data(), buf.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    total += n;
    if (n > 0 && !add(md, std::string_view(buf.data(), n))) return false;
  }
  return !in.bad() && total == size;
}

}  // namespace

std::vector<fs::path> scenario_files(const fs::path& cases_dir, std::error_code& ec) {
  std::vector<fs::path> out;
  fs::recursive_directory_iterator it(cases_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (it->is_directory() && (p.filename() == "profiles" || p.filename() == "baselines")) {
      it.disable_recursion_pending();
      continue;
    }
    // not-covered.yaml holds the coverage reasons and mutation-registry.yaml the faulty variants
    // behind them (harness/coverage.h), not scenarios.
    const bool data =
        p.filename() == "not-covered.yaml" || p.filename() == "mutation-registry.yaml";
    if (it->is_regular_file() && p.extension() == ".yaml" && !data) out.push_back(p);
  }
  return out;
}

std::vector<std::string> suite_digest_files(const fs::path& cases_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_regular_file(cases_dir / "requirements.csv", ec)) out.emplace_back("requirements.csv");
  for (const fs::path& p : scenario_files(cases_dir, ec)) {
    out.push_back(p.lexically_relative(cases_dir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> suite_digest(const fs::path& cases_dir) {
  std::error_code ec;
  if (!fs::is_directory(cases_dir, ec)) return std::nullopt;
  const std::unique_ptr<EVP_MD_CTX, MdFree> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) return std::nullopt;
  for (const std::string& rel : suite_digest_files(cases_dir)) {
    if (!add_file(md.get(), cases_dir / rel, rel)) return std::nullopt;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(md.get(), out.data(), &n) != 1) return std::nullopt;
  return mikey::wire::to_hex(mikey::ByteView(out.data(), n));
}

}  // namespace mikeyconf::harness
