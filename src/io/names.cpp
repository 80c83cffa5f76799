#include "io/names.hpp"

#include <cstdio>

#include "io/utf8.hpp"

namespace loyalsim::io {
namespace {

bool unicode_space(char32_t c) {
  return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

std::string code_point_text(char32_t c) {
  char text[16];
  std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(c));
  return text;
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
  if (name.empty()) return "a name must not be empty";
  // A parameter path's "*" ties a parameter over every firm or segment
  // (firms.*.non_solicit), so no firm or segment may be called "*".
  if (name == "*") return "a name may not be \"*\" (firms.*.NAME means every firm, segments.*.NAME every segment)";
  if (name.size() > max_name_bytes)
    return "a name may be at most " + std::to_string(max_name_bytes) + " bytes long; this one has " +
           std::to_string(name.size());
  char32_t first = 0, last = 0;
  for (std::size_t i = 0; i < name.size();) {
    const CodePoint c = decode_utf8(name, i);
    const std::string where = " at byte " + std::to_string(i + 1);
    if (!c.valid) return "a name must be valid UTF-8: invalid byte" + where;
    if (invisible_code_point(c.value))
      return "a name may not contain control or invisible characters: " + code_point_text(c.value) + where;
    if (c.value == '/') return "a name may not contain '/' (it separates HDF5 paths)" + where;
    if (c.value == '=') return "a name may not contain '=' (--set PATH=VALUE ends the path at '=')" + where;
    if (i == 0) first = c.value;
    last = c.value;
    i += c.length;
  }
  if (unicode_space(first) || unicode_space(last)) return "a name may not start or end with a space";
  return std::nullopt;
}

}  // namespace loyalsim::io
