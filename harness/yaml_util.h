// Internal to the harness loaders (loader.cc, profile.cc): strict reading of yaml-cpp nodes with
// file:line:col errors. Not a public header: it includes yaml-cpp, and it throws (LoadFailure),
// which the public load_* functions catch and return as LoadError.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/load_error.h"
#include "wire/bytes.h"

namespace mikeyconf::harness::detail {

// Thrown inside the loaders only.
class LoadFailure : public std::runtime_error {
 public:
  explicit LoadFailure(LoadError e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}
  const LoadError& error() const noexcept { return error_; }

 private:
  LoadError error_;
};

SourcePos pos_of(const YAML::Node& node) noexcept;
SourcePos pos_of(const YAML::Mark& mark) noexcept;

// The file being read; every error names it.
class Ctx {
 public:
  explicit Ctx(std::string file) : file_(std::move(file)) {}
  const std::string& file() const noexcept { return file_; }
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const;
  [[noreturn]] void fail(SourcePos at, const std::string& message) const;

  // Scalars. Each checks the node kind and fails with "<what> must be ...".
  std::string string(const YAML::Node& n, std::string_view what) const;
  bool boolean(const YAML::Node& n, std::string_view what) const;  // true | false only
  // A plain (unquoted) decimal or 0x-hexadecimal integer in [min, max].
  std::int64_t integer(const YAML::Node& n, std::string_view what, std::int64_t min,
                       std::int64_t max) const;
  // Hex bytes (whitespace allowed between digit pairs, optional 0x prefix).
  mikey::Bytes hex(const YAML::Node& n, std::string_view what) const;
  // A sequence of strings; a single scalar is accepted as a one-element list when
  // `scalar_ok`.
  std::vector<std::string> strings(const YAML::Node& n, std::string_view what,
                                   bool scalar_ok = false) const;

 private:
  std::string file_;
};

// Whether `n` is a plain scalar that reads as an integer (decimal, or 0x hex).
std::optional<std::int64_t> plain_integer(const YAML::Node& n) noexcept;
bool is_null(const YAML::Node& n) noexcept;

// A mapping read under a schema: duplicate keys are rejected when it is opened, and finish()
// rejects every key no get()/require() asked for, listing the allowed ones.
class MapReader {
 public:
  MapReader(const Ctx& ctx, const YAML::Node& node, std::string_view what);

  // The value of `key`, or nullopt when absent.
  std::optional<YAML::Node> get(std::string_view key);
  YAML::Node require(std::string_view key);
  // Every entry in document order (for maps whose keys are data, e.g. http headers).
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  // Marks every key as allowed (for maps whose keys are data).
  void allow_all() noexcept { allow_all_ = true; }
  void finish() const;
  const YAML::Node& node() const noexcept { return node_; }

 private:
  const Ctx* ctx_;
  YAML::Node node_;
  std::string what_;
  std::vector<Entry> entries_;
  std::vector<std::string> asked_;
  bool allow_all_ = false;
};

// Parses `text` into one YAML document; yaml-cpp syntax errors become LoadFailure with the
// parser's mark. An empty document or more than one document is an error.
YAML::Node parse_document(const Ctx& ctx, std::string_view text);

// Reads a whole file (LoadFailure without position when it cannot be opened or exceeds
// `max_bytes`).
std::string read_file(const std::string& path, std::size_t max_bytes = 1u << 20);

// A loader's public entry point: runs `read(ctx)` for the document `name` and turns what the
// loaders throw into the LoadError it returns — a LoadFailure as is, a yaml-cpp exception at its
// mark, anything else as "cannot read the <what>: ...".
template <class T, class Read>
LoadResult<T> guarded_load(std::string_view name, std::string_view what, Read&& read) {
  Ctx ctx{std::string(name)};
  try {
    return read(ctx);
  } catch (const LoadFailure& e) {
    return e.error();
  } catch (const YAML::Exception& e) {
    return LoadError{std::string(name), pos_of(e.mark).line, pos_of(e.mark).column, e.msg};
  } catch (const std::exception& e) {
    return LoadError{std::string(name), 0, 0,
                     "cannot read the " + std::string(what) + ": " + e.what()};
  }
}

// `parse(text, name)` over the file at `path` (its read errors as LoadError).
template <class T, class Parse>
LoadResult<T> load_file(const std::string& path, Parse&& parse) {
  try {
    return parse(read_file(path), path);
  } catch (const LoadFailure& e) {
    return e.error();
  }
}

}  // namespace mikeyconf::harness::detail
