// What a firm's or segment's name may contain: the one rule every name is
// checked against, wherever it is read (docs/MODEL.md, "Names").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace loyalsim::io {

inline constexpr std::size_t max_name_bytes = 64;

// Empty if `name` is acceptable; otherwise why not, without echoing the
// name (the caller names the key). A name is 1 to max_name_bytes bytes of
// valid UTF-8 with no control or invisible characters (they truncate or
// garble HDF5 labels, terminals and the scenario TOML the program writes),
// no leading or trailing space (names that look alike must be alike), and
// neither '/' (the HDF5 path separator: a varied parameter's path names a
// dataset) nor '=' (--set PATH=VALUE ends the path at the first '='), and
// it is not "*" (a tied path's wildcard: firms.*.NAME).
// Dots are allowed: a parameter path's name is what lies between the
// table's dot and the parameter's, the last dot.
std::optional<std::string> name_problem(std::string_view name);

}  // namespace loyalsim::io
