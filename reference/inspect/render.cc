#include "inspect/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "codec/codepoints.h"
#include "codec/field_names.h"

namespace mikeyconf::inspect {

namespace codec = mikey::codec;

namespace {

// ---- The field tree (shared by the text tree and the JSON "message" view) ----

struct Node {
  std::string key;       // path segment; "payload[2].KEMAC" for a payload
  bool payload = false;  // a payload of a chain: key is "payload[i].<TYPE>"
  int field = -1;        // index into DecodeResult::fields, -1 for a pure group
  std::vector<std::unique_ptr<Node>> children;
  std::uint32_t begin = UINT32_MAX;
  std::uint32_t end = 0;
};

bool is_payload_segment(std::string_view seg) noexcept {
  return seg.rfind("payload[", 0) == 0 && seg.back() == ']';
}

// Splits a layout path into tree keys; "payload[i]" and the type name after it form one key.
std::vector<std::pair<std::string, bool>> split_path(std::string_view path) {
  std::vector<std::string_view> segs;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::vector<std::pair<std::string, bool>> out;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (is_payload_segment(segs[i]) && i + 1 < segs.size()) {
      out.emplace_back(std::string(segs[i]) + "." + std::string(segs[i + 1]), true);
      ++i;
    } else {
      out.emplace_back(std::string(segs[i]), false);
    }
  }
  return out;
}

void update_span(Node& n) {
  for (auto& c : n.children) {
    update_span(*c);
    n.begin = std::min(n.begin, c->begin);
    n.end = std::max(n.end, c->end);
  }
}

std::unique_ptr<Node> build_tree(const DecodeResult& r) {
  auto root = std::make_unique<Node>();
  for (std::size_t i = 0; i < r.fields.size(); ++i) {
    const DecodedField& f = r.fields[i];
    auto keys = split_path(f.path);
    Node* cur = root.get();
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const bool leaf = k + 1 == keys.size();
      Node* next = nullptr;
      // Attach to the newest node of that name; a leaf whose node already holds a field (a
      // path recorded twice) gets a node of its own.
      for (auto it = cur->children.rbegin(); it != cur->children.rend(); ++it) {
        if ((*it)->key == keys[k].first) {
          if (!leaf || (*it)->field < 0) next = it->get();
          break;
        }
      }
      if (next == nullptr) {
        cur->children.push_back(std::make_unique<Node>());
        next = cur->children.back().get();
        next->key = keys[k].first;
        next->payload = keys[k].second;
      }
      cur = next;
    }
    cur->field = static_cast<int>(i);
    cur->begin = std::min(cur->begin, f.offset);
    cur->end = std::max(cur->end, f.offset + f.length);
  }
  update_span(*root);
  return root;
}

// "payload[2].KEMAC" → ("KEMAC", 1); "payload[4].General_Ext" → ("General Ext", 21).
std::pair<std::string, std::optional<std::uint8_t>> payload_type_of(std::string_view key) {
  std::string name(key.substr(key.find('.') + 1));
  for (unsigned v = 0; v <= 0xff; ++v) {
    const auto t = static_cast<codec::PayloadType>(v);
    if (codec::segment_names_payload(name, t)) {
      return {std::string(codec::to_string(t)), static_cast<std::uint8_t>(v)};
    }
  }
  // The codec names a type without a name by its number (message.cc payload_prefix).
  unsigned v = 0;
  bool digits = !name.empty() && name.size() <= 3;
  for (char c : name) {
    digits = digits && c >= '0' && c <= '9';
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (digits && v <= 0xff) return {name, static_cast<std::uint8_t>(v)};
  return {name, std::nullopt};
}

// ---- Text tree ----

struct Row {
  std::string offset;
  std::string length;
  std::string label;
  std::string value;
  std::string note;
};

constexpr std::size_t kHexPerLine = 64;  // 32 bytes

std::string value_text(const DecodedField& f) {
  if (f.value) {
    if (f.length >= 4 && f.mask == 0xff) return fmt::format("{} (0x{})", *f.value, f.value_hex);
    return std::to_string(*f.value);
  }
  if (f.length == 0) return "(empty)";
  return f.value_hex;
}

std::string note_text(const DecodedField& f) {
  std::string n;
  if (!f.registry.empty()) n = f.name.empty() ? "(unassigned)" : std::string(f.name);
  if (!f.text.empty()) {
    if (!n.empty()) n += "  ";
    n += f.value ? f.text : "\"" + f.text + "\"";
  }
  return n;
}

void emit_rows(const DecodeResult& r, const Node& n, int depth, std::vector<Row>& rows) {
  std::string indent(static_cast<std::size_t>(2 * depth), ' ');
  Row row;
  std::string label = n.key;
  if (n.payload) std::replace(label.begin(), label.end(), '.', ' ');
  if (n.field >= 0) {
    const DecodedField& f = r.fields[static_cast<std::size_t>(n.field)];
    if (f.mask != 0xff) label += fmt::format(" [0x{:02x}]", f.mask);
    row.offset = std::to_string(f.offset);
    row.length = std::to_string(f.length);
    row.label = indent + label;
    std::string value = value_text(f);
    row.note = note_text(f);
    if (value.size() <= kHexPerLine) {
      row.value = std::move(value);
      rows.push_back(std::move(row));
    } else {
      // Long byte strings wrap onto continuation lines, 32 bytes each.
      row.value = value.substr(0, kHexPerLine);
      rows.push_back(std::move(row));
      for (std::size_t at = kHexPerLine; at < value.size(); at += kHexPerLine) {
        rows.push_back({"", "", "", value.substr(at, kHexPerLine), ""});
      }
    }
  } else {
    row.offset = n.begin == UINT32_MAX ? "" : std::to_string(n.begin);
    row.length = n.begin == UINT32_MAX ? "" : std::to_string(n.end - n.begin);
    row.label = indent + label;
    rows.push_back(std::move(row));
  }
  for (const auto& c : n.children) emit_rows(r, *c, depth + 1, rows);
}

}  // namespace

std::string render_tree(const DecodeResult& r, InputFormat format) {
  std::string out = fmt::format("MIKEY message, {} bytes ({} input): {}\n", r.bytes.size(),
                                to_string(format), r.valid() ? "valid" : "MALFORMED");
  std::unique_ptr<Node> root = build_tree(r);
  std::vector<Row> rows;
  for (const auto& c : root->children) emit_rows(r, *c, 0, rows);
  std::size_t label_width = 5;
  for (const Row& row : rows) label_width = std::max(label_width, row.label.size());
  label_width = std::min<std::size_t>(label_width, 44);
  out += fmt::format("{:>6} {:>5}  {:<{}}  {}\n", "offset", "len", "field", label_width, "value");
  for (const Row& row : rows) {
    std::string line = fmt::format("{:>6} {:>5}  {:<{}}  {}", row.offset, row.length, row.label,
                                   label_width, row.value);
    if (!row.note.empty()) line += "  " + row.note;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  if (!r.deviations.empty()) {
    out += "deviations:\n";
    for (const codec::Deviation& d : r.deviations) {
      out += fmt::format("  @{} {}: {}\n", d.offset, deviation_kind_name(d.kind), d.detail);
    }
  }
  if (!r.notes.empty()) {
    out += "notes:\n";
    for (const DecodeNote& n : r.notes) {
      out += fmt::format("  @{} {}: {}\n", n.offset, n.path, n.text);
    }
  }
  if (r.error) {
    const codec::ParseError& e = r.error->error;
    out += fmt::format("error: {} at offset {} in {}: {}", error_code_name(e.code), e.offset,
                       error_where(r), codec::to_string(e.code));
    if (!r.error->context.empty()) out += fmt::format(" (decoding {})", r.error->context);
    out += '\n';
    if (e.offset < r.bytes.size()) {
      std::size_t n = std::min<std::size_t>(16, r.bytes.size() - e.offset);
      std::string hex;
      for (std::size_t i = 0; i < n; ++i) {
        hex += fmt::format("{}{:02x}", i == 0 ? "" : " ", r.bytes[e.offset + i]);
      }
      out += fmt::format("bytes from offset {}: {}{}\n", e.offset, hex,
                         e.offset + n < r.bytes.size() ? " ..." : "");
    } else {
      out += fmt::format("(the message ends at offset {})\n", r.bytes.size());
    }
  }
  return out;
}

// ---- JSON ----

namespace {

Json field_json(const DecodedField& f) {
  Json j = Json::object();
  j["path"] = f.path;
  j["offset"] = f.offset;
  j["length"] = f.length;
  j["mask"] = static_cast<std::uint32_t>(f.mask);
  j["value_hex"] = f.value_hex;
  if (f.value) j["value"] = *f.value;
  if (!f.registry.empty()) {
    j["registry"] = std::string(f.registry);
    j["name"] = f.name.empty() ? Json() : Json(std::string(f.name));
  }
  if (!f.text.empty()) j["text"] = f.text;
  return j;
}

Json scalar_of(const DecodedField& f) {
  if (f.value) return Json(*f.value);
  return Json(f.value_hex);
}

// "srtp_id[0]" → ("srtp_id", true); "version" → ("version", false).
std::pair<std::string, bool> array_key(std::string_view key) {
  std::size_t bracket = key.find('[');
  if (bracket == std::string_view::npos || key.back() != ']') return {std::string(key), false};
  return {std::string(key.substr(0, bracket)), true};
}

void add_members(const DecodeResult& r, const Node& n, Json& obj);

Json node_value(const DecodeResult& r, const Node& n) {
  if (n.children.empty() && n.field >= 0) {
    return scalar_of(r.fields[static_cast<std::size_t>(n.field)]);
  }
  Json obj = Json::object();
  if (n.field >= 0) {
    // A field that also contains decoded structure (KEMAC Encr data, SP Policy param, TICKET
    // Ticket Data): its bytes under "value", the structure beside them.
    const DecodedField& f = r.fields[static_cast<std::size_t>(n.field)];
    obj["value"] = scalar_of(f);
  }
  add_members(r, n, obj);
  return obj;
}

void add_members(const DecodeResult& r, const Node& n, Json& obj) {
  for (const auto& c : n.children) {
    if (c->payload) {
      Json p = Json::object();
      auto [name, type] = payload_type_of(c->key);
      p["type"] = type ? Json(static_cast<std::uint32_t>(*type)) : Json();
      p["type_name"] = name;
      p["offset"] = c->begin == UINT32_MAX ? 0u : c->begin;
      p["length"] = c->begin == UINT32_MAX ? 0u : c->end - c->begin;
      // The payload's own fields apart, so that a field named "type" or "length" (General
      // Extension) cannot clash with the keys above.
      Json fields = Json::object();
      add_members(r, *c, fields);
      p["fields"] = std::move(fields);
      if (!obj.contains("payloads")) obj["payloads"] = Json::array();
      obj["payloads"].push_back(std::move(p));
      continue;
    }
    auto [key, indexed] = array_key(c->key);
    Json v = node_value(r, *c);
    if (indexed) {
      Json& list = obj[key];
      if (!list.is_array()) list = Json::array();
      list.push_back(std::move(v));
    } else {
      obj[key] = std::move(v);
    }
    if (c->field >= 0) {
      const DecodedField& f = r.fields[static_cast<std::size_t>(c->field)];
      if (!indexed && !f.registry.empty()) {
        obj[key + "_name"] = f.name.empty() ? Json() : Json(std::string(f.name));
      }
      if (!indexed && !f.text.empty()) obj[key + "_text"] = f.text;
    }
  }
}

}  // namespace

Json render_json(const DecodeResult& r) {
  Json j = Json::object();
  j["valid"] = r.valid();
  if (r.error) {
    const codec::ParseError& e = r.error->error;
    Json err = Json::object();
    err["code"] = std::string(error_code_name(e.code));
    err["message"] = std::string(codec::to_string(e.code));
    err["offset"] = e.offset;
    err["payload"] = error_where(r);
    err["context"] = r.error->context.empty() ? Json() : Json(r.error->context);
    j["error"] = std::move(err);
  } else {
    j["error"] = Json();
  }
  j["length"] = static_cast<std::uint64_t>(r.bytes.size());
  Json fields = Json::array();
  for (const DecodedField& f : r.fields) fields.push_back(field_json(f));
  j["fields"] = std::move(fields);
  Json devs = Json::array();
  for (const codec::Deviation& d : r.deviations) {
    Json dj = Json::object();
    dj["kind"] = std::string(deviation_kind_name(d.kind));
    dj["offset"] = d.offset;
    dj["detail"] = d.detail;
    dj["description"] = std::string(codec::to_string(d.kind));
    devs.push_back(std::move(dj));
  }
  j["deviations"] = std::move(devs);
  Json notes = Json::array();
  for (const DecodeNote& n : r.notes) {
    Json nj = Json::object();
    nj["offset"] = n.offset;
    nj["path"] = n.path;
    nj["text"] = n.text;
    notes.push_back(std::move(nj));
  }
  j["notes"] = std::move(notes);
  Json message = Json::object();
  std::unique_ptr<Node> root = build_tree(r);
  add_members(r, *root, message);
  if (!message.contains("payloads")) message["payloads"] = Json::array();
  j["message"] = std::move(message);
  return j;
}

}  // namespace mikeyconf::inspect
