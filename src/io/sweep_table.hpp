// The [sweep] table of a scenario file: design, replicates, samples and the
// varied parameters, each path and value checked against the parameter
// registry before any run starts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/scenario.hpp"
#include "core/sweep_spec.hpp"
#include "io/toml_reader.hpp"

namespace loyalsim::io {

// Reads document["sweep"] if present. `scenario` supplies the firm and
// segment names that parameter paths refer to.
std::optional<SweepSpec> read_sweep_table(const Reader& reader, const toml::table& document, const Scenario& scenario);

// The keys a [sweep] table may have (`loyalsim params sweep` documents each).
const std::vector<std::string>& sweep_table_keys();
// The design names `design` accepts.
const std::vector<std::string>& sweep_design_names();

// The sweep as TOML (a [sweep] table), for the resolved scenario text.
std::string sweep_to_toml(const SweepSpec& sweep);

}  // namespace loyalsim::io
