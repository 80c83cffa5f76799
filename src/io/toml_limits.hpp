// Limits on TOML text, checked before toml++ sees it. toml++ builds the
// document recursively: a header or dotted key of ~31,000 parts (a 61 KB
// file) overflows the stack while the tree is built or destroyed, and
// toml++ 3.3 bounds only the nesting of arrays and inline tables (256,
// TOML_MAX_NESTED_VALUES), not of tables made by dotted keys and headers.
// A scenario needs four levels and keys of a few dozen bytes, so the
// limits below refuse nothing real.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace loyalsim::io {

// The largest TOML text (a scenario file): far above any real scenario
// (a few kilobytes), small enough that parsing time and memory stay trivial.
inline constexpr std::size_t max_toml_bytes = std::size_t{1} << 20;  // 1 MiB
// Levels of nesting of any value: every table header or dotted-key part,
// array and inline table counts one ([a.b] c.d = [1] puts 1 at level 5).
inline constexpr std::size_t max_toml_depth = 32;
// Bytes of one part of a key as written, quotes excluded.
inline constexpr std::size_t max_toml_key_bytes = 256;

// Throws InputError "SOURCE:LINE:COLUMN: ..." if `text` breaks a limit.
// The scan understands just enough TOML (strings, comments, keys, headers,
// arrays, inline tables) to measure keys and nesting; syntax errors are
// left to toml++, which stops at the first one, so a scan that loses its
// way past a syntax error can never let toml++ build something unmeasured.
void check_toml_limits(std::string_view text, const std::string& source);

// The one way loyalsim parses a TOML file's text (scenarios, calibration
// files): the limits above first, then toml++; a syntax error becomes an
// InputError "SOURCE:LINE:COLUMN: TOML syntax error: ...".
toml::table parse_bounded_toml(std::string_view text, const std::string& source);

}  // namespace loyalsim::io
