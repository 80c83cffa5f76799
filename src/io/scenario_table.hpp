// A scenario read from a TOML table already parsed: the whole document of a
// scenario file, or a table inside another file (a calibration file's inline
// [scenario]). The same checks, and messages naming the same file and lines.
#pragma once

#include <string>

#include <toml++/toml.h>

#include "io/scenario_file.hpp"
#include "io/toml_reader.hpp"

namespace loyalsim::io {

// Reads seed, [market], [[firms]], [[segments]], [[departures]] and [sweep]
// from `table`; `context` names the table in an unknown key's message ("the
// top level", "[scenario]"). Throws InputError on any problem.
ParsedScenario read_scenario_table(const Reader& reader, const toml::table& table, const std::string& context);

}  // namespace loyalsim::io
