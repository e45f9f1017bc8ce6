#include "harness/yaml_util.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "wire/hex.h"
#include "yaml-cpp/eventhandler.h"

namespace mikeyconf::harness {

namespace detail {

SourcePos pos_of(const YAML::Mark& mark) noexcept {
  if (mark.is_null()) return {};
  return SourcePos{mark.line + 1, mark.column + 1};
}

SourcePos pos_of(const YAML::Node& node) noexcept {
  try {
    return pos_of(node.Mark());
  } catch (...) {
    return {};
  }
}

void Ctx::fail(const YAML::Node& at, const std::string& message) const {
  fail(pos_of(at), message);
}

void Ctx::fail(SourcePos at, const std::string& message) const {
  throw LoadFailure(LoadError{file_, at.line, at.line > 0 ? at.column : 0, message});
}

bool is_null(const YAML::Node& n) noexcept {
  try {
    return !n.IsDefined() || n.IsNull();
  } catch (...) {
    return false;
  }
}

namespace {

bool is_plain(const YAML::Node& n) { return n.IsScalar() && n.Tag() != "!"; }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::optional<std::int64_t> plain_integer(const YAML::Node& n) noexcept {
  try {
    if (!is_plain(n)) return std::nullopt;
    const std::string& s = n.Scalar();
    if (s.empty()) return std::nullopt;
    std::size_t i = 0;
    bool negative = false;
    if (s[0] == '-') {
      negative = true;
      i = 1;
    }
    int base = 10;
    if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      base = 16;
      i += 2;
    }
    if (i >= s.size()) return std::nullopt;
    std::uint64_t v = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return std::nullopt;
      if (v > (std::uint64_t{1} << 62) / static_cast<std::uint64_t>(base)) return std::nullopt;
      v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    }
    const auto sv = static_cast<std::int64_t>(v);
    return negative ? -sv : sv;
  } catch (...) {
    return std::nullopt;
  }
}

std::string Ctx::string(const YAML::Node& n, std::string_view what) const {
  if (!n.IsScalar()) fail(n, std::string(what) + " must be a string");
  return n.Scalar();
}

bool Ctx::boolean(const YAML::Node& n, std::string_view what) const {
  if (is_plain(n)) {
    if (n.Scalar() == "true") return true;
    if (n.Scalar() == "false") return false;
  }
  fail(n, std::string(what) + " must be true or false");
}

std::int64_t Ctx::integer(const YAML::Node& n, std::string_view what, std::int64_t min,
                          std::int64_t max) const {
  auto v = plain_integer(n);
  if (!v) fail(n, std::string(what) + " must be an integer");
  if (*v < min || *v > max) {
    fail(n, std::string(what) + " must be in [" + std::to_string(min) + ", " + std::to_string(max) +
                "], got " + std::to_string(*v));
  }
  return *v;
}

mikey::Bytes Ctx::hex(const YAML::Node& n, std::string_view what) const {
  if (!n.IsScalar()) fail(n, std::string(what) + " must be a hex string");
  std::string s = n.Scalar();
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.erase(0, 2);
  auto b = mikey::wire::from_hex(s);
  if (!b.ok()) {
    fail(n, std::string(what) +
                " is not hex: " + std::string(mikey::wire::to_string(b.error().code)) +
                " at character " + std::to_string(b.error().offset));
  }
  return std::move(b).value();
}

std::vector<std::string> Ctx::strings(const YAML::Node& n, std::string_view what,
                                      bool scalar_ok) const {
  std::vector<std::string> out;
  if (scalar_ok && n.IsScalar()) {
    out.push_back(string(n, what));
    return out;
  }
  if (!n.IsSequence()) fail(n, std::string(what) + " must be a list of strings");
  for (const YAML::Node& item : n) out.push_back(string(item, std::string(what) + " item"));
  return out;
}

MapReader::MapReader(const Ctx& ctx, const YAML::Node& node, std::string_view what)
    : ctx_(&ctx), node_(node), what_(what) {
  if (!node.IsMap()) ctx.fail(node, std::string(what) + " must be a mapping");
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: yaml-cpp's iterator proxy (it->first) refers to a temporary.
    const YAML::detail::iterator_value kv = *it;
    const YAML::Node k = kv.first;
    const YAML::Node v = kv.second;
    if (!k.IsScalar()) ctx.fail(k, "keys of " + std::string(what) + " must be strings");
    const std::string& key = k.Scalar();
    for (const Entry& e : entries_) {
      if (e.key == key) {
        const SourcePos first = pos_of(e.key_node);
        ctx.fail(k, "duplicate key " + quoted(key) + " in " + std::string(what) +
                        " (first at line " + std::to_string(first.line) + ")");
      }
    }
    entries_.push_back(Entry{key, k, v});
  }
}

std::optional<YAML::Node> MapReader::get(std::string_view key) {
  asked_.emplace_back(key);
  for (const Entry& e : entries_)
    if (e.key == key) return e.value;
  return std::nullopt;
}

YAML::Node MapReader::require(std::string_view key) {
  auto v = get(key);
  if (!v) ctx_->fail(node_, what_ + " needs the key " + quoted(key));
  return *v;
}

void MapReader::finish() const {
  if (allow_all_) return;
  for (const Entry& e : entries_) {
    if (std::find(asked_.begin(), asked_.end(), e.key) != asked_.end()) continue;
    std::string allowed;
    for (const std::string& a : asked_) allowed += (allowed.empty() ? "" : ", ") + a;
    ctx_->fail(e.key_node,
               "unknown key " + quoted(e.key) + " in " + what_ + " (allowed: " + allowed + ")");
  }
}

namespace {

// Records where the first node of a document starts (for "one document per file").
class FirstNodeMark final : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> first;
  YAML::Mark document;
  void OnDocumentStart(const YAML::Mark& m) override { document = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& m) {
    if (!first) first = m;
  }
};

}  // namespace

YAML::Node parse_document(const Ctx& ctx, std::string_view text) {
  const std::string s(text);
  YAML::Node doc;
  try {
    doc = YAML::Load(s);
  } catch (const YAML::Exception& e) {
    ctx.fail(pos_of(e.mark), e.msg);
  }
  if (is_null(doc)) ctx.fail(SourcePos{}, "the document is empty");
  // Is there a second document? Never YAML::LoadAll: on some malformed input yaml-cpp 0.7 reports
  // an endless stream of documents (found by fuzz_scenario_loader), so look at exactly two.
  try {
    std::istringstream in(s);
    YAML::Parser parser(in);
    FirstNodeMark first_doc;
    parser.HandleNextDocument(first_doc);
    FirstNodeMark second_doc;
    if (parser.HandleNextDocument(second_doc)) {
      ctx.fail(pos_of(second_doc.first.value_or(second_doc.document)),
               "one YAML document per file is expected");
    }
  } catch (const YAML::Exception& e) {
    ctx.fail(pos_of(e.mark), e.msg);
  }
  return doc;
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadFailure(LoadError{path, 0, 0, "cannot open the file"});
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_bytes) {
    throw LoadFailure(
        LoadError{path, 0, 0, "the file exceeds " + std::to_string(max_bytes) + " bytes"});
  }
  return s;
}

}  // namespace detail
}  // namespace mikeyconf::harness
