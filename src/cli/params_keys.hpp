// The keys `loyalsim params` documents besides the parameter registry: the
// [sweep] table, [[departures]] tables and calibration files. The readers
// own the key lists (io::sweep_table_keys, io::departure_table_keys); this
// file owns their one-line documentation, and a key the reader does not
// accept is not shown. tests/cli/test_sweep_ux.cpp checks that every key
// the readers accept is documented here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loyalsim::cli {

struct KeyDoc {
  std::string_view section;  // "sweep", "departures", "calibration": what `params SECTION` shows
  std::string_view table;    // the TOML table holding the key ("" for a top-level key)
  std::string_view key;
  std::string values;              // what it takes
  std::string_view default_value;  // empty: required
  std::string_view meaning;

  std::string path() const { return table.empty() ? std::string(key) : std::string(table) + "." + std::string(key); }
};

// The documented keys the readers of this build accept, section by section.
const std::vector<KeyDoc>& documented_keys();
// Every documented key, accepted or not (for the test that none is missing).
const std::vector<KeyDoc>& all_key_docs();

// "[sweep] table of a scenario (docs/SWEEPS.md)", ...
std::string_view section_heading(std::string_view section);

}  // namespace loyalsim::cli
