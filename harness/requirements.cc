#include "harness/requirements.h"

#include <fstream>
#include <sstream>
#include <utility>

namespace mikeyconf::harness {

const Requirement* RequirementTable::find(std::string_view id) const noexcept {
  for (const Requirement& r : rows_)
    if (r.id == id) return &r;
  return nullptr;
}

bool RequirementTable::add(Requirement r) {
  if (find(r.id) != nullptr) return false;
  rows_.push_back(std::move(r));
  return true;
}

namespace {

LoadError error_at(std::string_view file, int line, int column, std::string message) {
  return LoadError{std::string(file), line, column, std::move(message)};
}

// Splits one CSV record (no embedded newlines in this table). Returns false with `column` at the
// offending character for an unterminated quote or a character after a closing quote.
bool split_csv(std::string_view line, std::vector<std::string>& out, int& column) {
  out.clear();
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      const std::size_t open = i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) {
        column = static_cast<int>(open) + 1;
        return false;
      }
      if (i < line.size() && line[i] != ',') {
        column = static_cast<int>(i) + 1;
        return false;
      }
    } else {
      while (i < line.size() && line[i] != ',') field.push_back(line[i++]);
    }
    out.push_back(field);
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

bool known_level(std::string_view l) {
  return l == "SHALL" || l == "SHALL NOT" || l == "SHOULD" || l == "SHOULD NOT" || l == "MAY";
}

}  // namespace

LoadResult<RequirementTable> parse_requirements_text(std::string_view text, std::string_view name) {
  RequirementTable table;
  table.set_file(std::string(name));
  std::vector<std::string> fields;
  int line_no = 0;
  std::size_t pos = 0;
  bool header_seen = false;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    int column = 0;
    if (!split_csv(line, fields, column)) {
      return error_at(name, line_no, column, "malformed CSV quoting");
    }
    if (!header_seen) {
      if (fields != std::vector<std::string>{"id", "source", "role", "level", "summary"}) {
        return error_at(name, line_no, 1, "the header must be id,source,role,level,summary");
      }
      header_seen = true;
      continue;
    }
    if (fields.size() != 5) {
      return error_at(name, line_no, 1,
                      "expected 5 columns, found " + std::to_string(fields.size()));
    }
    if (fields[0].empty()) return error_at(name, line_no, 1, "empty requirement id");
    if (!known_level(fields[3])) {
      return error_at(name, line_no, 1, "unknown level '" + fields[3] + "'");
    }
    Requirement r{fields[0], fields[1], fields[2], fields[3], fields[4], line_no};
    if (!table.add(std::move(r))) {
      return error_at(name, line_no, 1, "duplicate requirement id '" + fields[0] + "'");
    }
  }
  if (!header_seen) return error_at(name, 0, 0, "empty requirement table");
  return table;
}

LoadResult<RequirementTable> load_requirements(const std::filesystem::path& csv) {
  std::ifstream in(csv, std::ios::binary);
  if (!in) return error_at(csv.string(), 0, 0, "cannot open the requirement table");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_requirements_text(ss.str(), csv.string());
}

}  // namespace mikeyconf::harness
