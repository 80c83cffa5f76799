// The shortest text of a double without std::to_chars, for the WebAssembly
// build (emscripten 3.1.6's libc++ has no floating-point to_chars): the
// same text, checked against to_chars by tests/core/test_shortest_text.cpp.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/parameters.hpp"

namespace loyalsim {

std::string shortest_text_portable(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // The fewest significant digits that read back as `value`, correctly
  // rounded (printf's %e): the digits std::to_chars chooses.
  char sci[48];
  for (int precision = 0; precision <= 17; ++precision) {
    std::snprintf(sci, sizeof sci, "%.*e", precision, value);
    if (std::strtod(sci, nullptr) == value) break;
  }
  const std::string text = sci;
  const bool negative = text[0] == '-';
  const std::size_t e = text.find('e');
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e; ++i)
    if (text[i] != '.') digits += text[i];
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int exponent = std::atoi(text.c_str() + e + 1);

  // Scientific, as printf writes it: d[.ddd]e+XX (two exponent digits at least).
  std::string scientific(negative ? "-" : "");
  scientific.append(digits, 0, 1);
  if (digits.size() > 1) scientific.append(".").append(digits, 1);
  const int magnitude = exponent < 0 ? -exponent : exponent;
  scientific.append(exponent < 0 ? "e-" : "e+");
  if (magnitude < 10) scientific.append("0");
  scientific.append(std::to_string(magnitude));
  // Fixed: the same digits around the decimal point; a whole number with
  // more places than digits is written exactly, as to_chars does (%.0f).
  std::string fixed(negative ? "-" : "");
  if (exponent < 0) {
    fixed.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
  } else if (digits.size() <= static_cast<std::size_t>(exponent) + 1) {
    char whole[400];
    std::snprintf(whole, sizeof whole, "%.0f", value);
    fixed = whole;
  } else {
    const auto places = static_cast<std::size_t>(exponent) + 1;
    fixed.append(digits, 0, places).append(".").append(digits, places);
  }
  // std::to_chars's choice: the shorter, fixed when they tie.
  return scientific.size() < fixed.size() ? scientific : fixed;
}

}  // namespace loyalsim
