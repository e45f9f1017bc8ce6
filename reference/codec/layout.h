// The layout map: field path → byte range, produced by parsing (ranges in the bytes as
// received) and by serialising (ranges in the bytes emitted). Mutation knobs act on it.
// Paths read like "hdr.csb_id", "payload[2].KEMAC.encr_data",
// "payload[5].TICKET.tp_data.payload[0].IDR.id_data". A bit field names its mask.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mikey::codec {

struct FieldRange {
  std::string path;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::uint8_t mask = 0xff;  // bits of a one-byte field that belong to it (0xff = whole bytes)
  bool operator==(const FieldRange&) const = default;
};

class Layout {
 public:
  void add(std::string path, std::size_t offset, std::size_t length, std::uint8_t mask = 0xff) {
    fields_.push_back({std::move(path), static_cast<std::uint32_t>(offset),
                       static_cast<std::uint32_t>(length), mask});
  }
  const std::vector<FieldRange>& fields() const noexcept { return fields_; }
  std::optional<FieldRange> find(std::string_view path) const {
    for (const FieldRange& f : fields_)
      if (f.path == path) return f;
    return std::nullopt;
  }
  void clear() noexcept { fields_.clear(); }
  bool operator==(const Layout&) const = default;

 private:
  std::vector<FieldRange> fields_;
};

}  // namespace mikey::codec
