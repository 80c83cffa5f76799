// Scenario files (docs/MODEL.md sections 6 and 9): TOML read with toml++,
// checked against the parameter registry. Every problem is an InputError whose
// message names the file, line, column and key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/scenario.hpp"
#include "core/sweep_spec.hpp"

namespace loyalsim::io {

struct ScenarioFile {
  Scenario scenario;
  std::optional<SweepSpec> sweep;  // the [sweep] table, if the file has one
  std::filesystem::path path;
  std::string text;  // the file exactly as read, for the results file
  std::string name;  // the file's stem: default output name
};

struct ParsedScenario {
  Scenario scenario;
  std::optional<SweepSpec> sweep;
};

// The keys of a [[departures]] table (`loyalsim params departures`
// documents each).
const std::vector<std::string>& departure_table_keys();

// Parses TOML text; `source` names it in messages (usually the path).
ParsedScenario parse_scenario_text(std::string_view text, const std::string& source);
// The same, for text that has no [sweep] table to care about.
Scenario parse_scenario(std::string_view text, const std::string& source);

// Reads and parses a file; a missing or unreadable file, or one that is
// not a regular file or is larger than max_toml_bytes, is an InputError.
ScenarioFile load_scenario(const std::filesystem::path& path);

// Applies one --set PATH=VALUE. VALUE is a TOML number; an integer
// parameter's or the seed's is read exactly and range-checked (see
// whole_number). Throws InputError naming the option on any problem.
void apply_override(Scenario& scenario, std::string_view assignment);

// A seed as written on the command line (--seed N, --set seed=N): a whole
// number in [0, 2^63-1], in any form TOML writes numbers. `option` names it
// in messages ("--seed -1").
std::uint64_t parse_seed(std::string_view text, const std::string& option);

// Writes every value of an accepted scenario (defaults included) as TOML
// that parse_scenario reads back to the same scenario, bit for bit, and to
// the same text: what a run really used.
std::string to_toml(const Scenario& scenario);

// A short fingerprint (16 hex digits) of everything that decides a sweep's
// data: every scenario value, the sweep and whether events are recorded.
// Resuming an output refuses a different fingerprint.
std::string scenario_hash(const Scenario& scenario, const std::optional<SweepSpec>& sweep, bool events);

// Checks what spans several keys (core's ModelCheck: scripted departures
// naming existing firms and inside the simulated months, rep ids within 32
// bits), e.g. after --set. `source` names the origin.
void validate_scenario(const Scenario& scenario, const std::string& source);

}  // namespace loyalsim::io
