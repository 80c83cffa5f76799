#include "io/toml_writer.hpp"

#include <cmath>
#include <cstdio>
#include <system_error>

#include "core/parameters.hpp"
#include "io/utf8.hpp"

namespace loyalsim::io {

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  char escape[16];
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint c = decode_utf8(text, i);
    if (!c.valid) {
      out += "\\uFFFD";
    } else if (c.value == '"' || c.value == '\\') {
      out += '\\';
      out += static_cast<char>(c.value);
    } else if (invisible_code_point(c.value)) {
      std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(c.value));
      out += escape;
    } else {
      out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out + "\"";
}

std::string toml_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::string text = shortest_text(value);
  // "5" or "-0" would read back as an integer; "1e+30" is already a float.
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

}  // namespace loyalsim::io
