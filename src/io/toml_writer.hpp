// Writing TOML values so they read back exactly: strings escaped by the
// TOML rules, doubles in their shortest form that parses to the same bits.
#pragma once

#include <string>
#include <string_view>

namespace loyalsim::io {

// A TOML basic string ("..."): quote and backslash escaped, control and
// invisible characters written as \uXXXX. `text` must be valid UTF-8 (every
// accepted string is; an invalid byte would be written as U+FFFD).
std::string toml_string(std::string_view text);

// A TOML float: the shortest decimal that reads back to the same double
// (0.7, not 0.69999999999999996), with ".0" added to whole numbers so that
// it stays a float; inf and nan as TOML spells them.
std::string toml_double(double value);

}  // namespace loyalsim::io
