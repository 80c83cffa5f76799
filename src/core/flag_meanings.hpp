// Flag columns (netCDF flag_values and flag_meanings): an enum stored as an
// integer whose values 0, 1, 2, ... have the space-separated meanings of a
// column's row (core/event_columns.hpp, io/run_columns.hpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace loyalsim {

// How many values `meanings` names: 0 for a column that is not a flag column.
constexpr std::size_t flag_count(std::string_view meanings) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : meanings) {
    if (c != ' ' && !in_word) ++words;
    in_word = c != ' ';
  }
  return words;
}

}  // namespace loyalsim
