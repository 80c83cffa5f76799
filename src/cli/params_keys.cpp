#include "cli/params_keys.hpp"

#include <algorithm>

#include "calibrate/calibration_file.hpp"
#include "io/scenario_file.hpp"
#include "io/sweep_table.hpp"

namespace loyalsim::cli {
namespace {

// The calibration file's keys are those of loyalsim calibrate's reader
// (calibrate::calibration_file_keys): a key documented here that the reader
// does not accept is not shown, and a test checks the converse.
const std::vector<KeyDoc> docs{
    {"sweep", "sweep", "design", "", "",  // values: the reader's design names
     "how the points are made (docs/SWEEPS.md): grid every combination, list one value per point, lhs a Latin "
     "hypercube, sobol a Sobol sequence; the sensitivity designs in docs/SENSITIVITY.md"},
    {"sweep", "sweep", "replicates", "whole number >= 1", "1", "runs per design point, each with its own seed"},
    {"sweep", "sweep", "samples", "whole number >= 1", "",
     "a sampled design's number of points (saltelli: the base sample N); required there, refused elsewhere"},
    {"sweep", "sweep", "second_order", "true | false", "false", "saltelli: add the matrices for second-order indices"},
    {"sweep", "sweep", "trajectories", "whole number >= 2", "", "morris: the number r of trajectories (required)"},
    {"sweep", "sweep", "levels", "even whole number >= 2", "4", "morris: the levels p of the grid"},
    {"sweep", "sweep", "parameters", "table PATH = [values] or [low, high]", "",
     "the varied parameters: a path as --set names it (market.x, firms.FIRM.x, segments.SEGMENT.x) or tied over "
     "every firm or segment (firms.*.x, segments.*.x); a grid or list takes values, a sampled design a range"},

    {"departures", "departures", "month", "whole number in [1 - burn_in_months, months]", "1",
     "the month the reps leave (1..months; 0 or below: in the burn-in)"},
    {"departures", "departures", "count", "whole number >= 1", "1", "how many reps leave"},
    {"departures", "departures", "firm", "a firm's name", "", "the firm they leave (required)"},
    {"departures", "departures", "which", "largest_book | random", "largest_book",
     "which reps leave: those with the most customers, or any"},
    {"departures", "departures", "to", "a firm's name | industry", "industry",
     "where they go: another firm (a competitor) or out of the industry"},

    {"calibration", "", "scenario", "\"FILE.toml\" | [scenario] table", "",
     "the base scenario: a file relative to the calibration file, or written inline"},
    {"calibration", "parameters", "path", "a parameter path", "",
     "[[parameters]]: a parameter to fit, as --set names it"},
    {"calibration", "parameters", "lower", "number", "", "[[parameters]]: the lowest value to try"},
    {"calibration", "parameters", "upper", "number", "", "[[parameters]]: the highest value to try"},
    {"calibration", "parameters", "start", "number in [lower, upper]", "the scenario's value (if inside)",
     "[[parameters]]: where the first local search starts"},
    {"calibration", "targets", "metric", "a summary metric", "", "[[targets]]: the moment's metric (summary/ name)"},
    {"calibration", "targets", "firm", "a firm's name | \"*\"", "\"*\"", "[[targets]]: the firm, or every firm pooled"},
    {"calibration", "targets", "segment", "a segment's name | \"*\"", "\"*\"",
     "[[targets]]: the segment, or every segment pooled"},
    {"calibration", "targets", "value", "number", "", "[[targets]]: the observed value of the moment"},
    {"calibration", "targets", "se", "number > 0", "", "[[targets]]: its standard error (weight 1/se^2); or weight"},
    {"calibration", "targets", "weight", "number > 0", "1", "[[targets]]: the moment's weight, when no se is given"},
    {"calibration", "calibration", "replicates", "whole number >= 1", "8",
     "runs per evaluation, with the same seeds at every evaluation"},
    {"calibration", "calibration", "seed", "whole number", "the scenario's seed", "the root of the runs' seeds"},
    {"calibration", "calibration", "budget", "whole number >= 1", "200", "the most evaluations the search may use"},
    {"calibration", "calibration", "algorithm", "bobyqa | neldermead | sbplx", "bobyqa", "the local search"},
    {"calibration", "calibration", "global", "none | crs2 | isres", "none", "a global stage before the local search"},
    {"calibration", "calibration", "starts", "whole number >= 1", "1",
     "local searches: the first from start, the rest from scattered points"},
    {"calibration", "calibration", "tolerance", "number in (0, 1)", "0.001",
     "stop when a step moves every parameter less than this share of its bounds"},
    {"calibration", "calibration", "jacobian_step", "number in (0, 0.5]", "0.05",
     "finite-difference step for the standard errors, as a share of each parameter's bounds"},
};

bool accepted(const KeyDoc& doc) {
  const auto in = [&](const std::vector<std::string>& keys) {
    return std::find(keys.begin(), keys.end(), doc.key) != keys.end();
  };
  if (doc.section == "sweep") return in(io::sweep_table_keys());
  if (doc.section == "departures") return in(io::departure_table_keys());
  for (const auto& [table, keys] : calibrate::calibration_file_keys())
    if (table == doc.table) return in(keys);
  return false;
}

// "grid | list | lhs | sobol": the designs this build's reader accepts.
std::string design_values() {
  std::string values;
  for (const std::string& name : io::sweep_design_names()) values += (values.empty() ? "" : " | ") + name;
  return values;
}

}  // namespace

const std::vector<KeyDoc>& documented_keys() {
  static const std::vector<KeyDoc> shown = [] {
    std::vector<KeyDoc> keys;
    for (const KeyDoc& doc : docs)
      if (accepted(doc)) keys.push_back(doc);
    for (KeyDoc& doc : keys)
      if (doc.section == "sweep" && doc.key == "design") doc.values = design_values();
    return keys;
  }();
  return shown;
}

const std::vector<KeyDoc>& all_key_docs() { return docs; }

std::string_view section_heading(std::string_view section) {
  if (section == "sweep") return "[sweep] table of a scenario (docs/SWEEPS.md)";
  if (section == "departures") return "[[departures]] tables of a scenario: scripted rep departures (docs/MODEL.md)";
  return "calibration file (loyalsim calibrate CALIBRATION.toml): top level, [[parameters]], [[targets]], "
         "[calibration]";
}

}  // namespace loyalsim::cli
