// The [sweep] table of a scenario (docs/SWEEPS.md, "Writing a sweep"):
// which parameters vary, over what design, with how many replicates. Read
// by io/scenario_file, expanded into design points by sweep/design.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loyalsim {

enum class DesignType { grid, list, lhs, sobol };

inline const char* design_name(DesignType type) {
  switch (type) {
    case DesignType::grid: return "grid";
    case DesignType::list: return "list";
    case DesignType::lhs: return "lhs";
    case DesignType::sobol: return "sobol";
  }
  return "";
}

struct SweepParameter {
  std::string path;            // e.g. "market.substitutability"
  std::vector<double> values;  // grid: the values; list: one value per point
  double low = 0.0;            // lhs, sobol: the range [low, high]
  double high = 0.0;
  bool integer = false;        // the parameter takes whole numbers: sampled values are rounded
};

struct SweepSpec {
  DesignType design = DesignType::grid;
  std::int64_t replicates = 1;
  std::int64_t samples = 0;                // lhs, sobol: number of points
  std::vector<SweepParameter> parameters;  // in the order written in the file
};

// The most a sweep may have, checked before anything is allocated: the
// design matrix (points x parameters doubles) and the per-run bookkeeping
// of a sweep (one row of runs/, a done flag, a pending index) stay small,
// and a dry run answers at once.
inline constexpr std::int64_t max_sweep_runs = 10000000;       // points x replicates
inline constexpr std::int64_t max_design_points = 1000000;     // grid combinations, list length, samples
inline constexpr std::int64_t max_design_values = 4000000;     // points x parameters (32 MB of doubles)
inline constexpr std::int64_t max_sweep_replicates = 1000000;

struct ParameterInfo;

// The rules of a [sweep] table, each written once. io/sweep_table applies
// them while reading (so a message carries the file's line and key);
// make_design applies the same functions to a spec built in code. Each
// returns why the input is refused, or nothing.

// A path a sweep may vary: not the seed (info == nullptr), not a parameter
// the registry marks as not sweepable, and a name the results file can use
// for its runs/ column (HDF5 link names cannot contain '/' or NUL).
std::optional<std::string> sweep_path_problem(std::string_view path, const ParameterInfo* info);

// One parameter's values (grid, list) or range (lhs, sobol): non-empty,
// finite, whole for integer parameters, low <= high, no repeated grid value.
std::optional<std::string> sweep_values_problem(const SweepParameter& parameter, DesignType design);

// The number of design points, or why the design is too large (more than
// max_design_points points, max_design_values values or max_sweep_runs
// runs). Needs the value lists (grid, list) or samples; computed without
// multiplying past the limits.
struct DesignSize {
  std::int64_t points = 0;
  std::optional<std::string> problem;
};
DesignSize design_size(const SweepSpec& spec);

}  // namespace loyalsim
