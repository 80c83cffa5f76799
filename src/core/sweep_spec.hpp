// The [sweep] table of a scenario (docs/SWEEPS.md, "Writing a sweep"):
// which parameters vary, over what design, with how many replicates. Read
// by io/scenario_file, expanded into design points by sweep/design. The
// expanded Design (below) carries its spec, so every stage of a sweep (the
// executor, the point checks, the dry run, the results file's design/
// group) reads one value, and nothing converts between forms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loyalsim {

enum class DesignType { grid, list, lhs, sobol, saltelli, morris };

inline const char* design_name(DesignType type) {
  switch (type) {
    case DesignType::grid:
      return "grid";
    case DesignType::list:
      return "list";
    case DesignType::lhs:
      return "lhs";
    case DesignType::sobol:
      return "sobol";
    case DesignType::saltelli:
      return "saltelli";
    case DesignType::morris:
      return "morris";
  }
  return "";
}

// Designs whose parameters are given as [low, high] ranges (the others,
// grid and list, as value lists).
inline bool is_sampled(DesignType type) { return type != DesignType::grid && type != DesignType::list; }

struct SweepParameter {
  std::string path;            // e.g. "market.substitutability"
  std::vector<double> values;  // grid: the values; list: one value per point
  double low = 0.0;            // lhs, sobol: the range [low, high]
  double high = 0.0;
  bool integer = false;  // the parameter takes whole numbers: sampled values are rounded
};

struct SweepSpec {
  DesignType design = DesignType::grid;
  std::int64_t replicates = 1;
  std::int64_t samples = 0;                // lhs, sobol: number of points; saltelli: base samples N
  bool second_order = false;               // saltelli: add the B_A^(i) matrices (second-order indices)
  std::int64_t trajectories = 0;           // morris: number of trajectories r
  std::int64_t levels = 4;                 // morris: levels p of the grid (even)
  std::vector<SweepParameter> parameters;  // in the order written in the file
};

// The most a sweep may have, checked before anything is allocated: the
// design matrix (points x parameters doubles) and the per-run bookkeeping
// of a sweep (one row of runs/, a done flag, a pending index) stay small,
// and a dry run answers at once.
inline constexpr std::int64_t max_sweep_runs = 10000000;    // points x replicates
inline constexpr std::int64_t max_design_points = 1000000;  // grid combinations, list length, samples
inline constexpr std::int64_t max_design_values = 4000000;  // points x parameters (32 MB of doubles)
inline constexpr std::int64_t max_sweep_replicates = 1000000;
inline constexpr std::int64_t max_morris_levels = 1000;

// Where a point sits in a sensitivity design (saltelli, morris): the
// estimators of src/analysis need each output's role, not just its values.
// saltelli, base sample j: A, B, AB (A with column i from B), BA (B with
// column i from A). morris, trajectory t: start (its first point), step
// (the previous point with parameter i moved by +-delta).
enum class PointRole : std::int8_t { a = 0, b = 1, ab = 2, ba = 3, start = 4, step = 5 };
struct PointPlace {
  PointRole role = PointRole::a;
  std::int32_t parameter = -1;  // ab, ba, step: the parameter i; -1 otherwise
  std::int64_t sample = 0;      // saltelli: base sample j; morris: trajectory t
};

// A sweep's design: the spec it was made from and the values of every
// design point, one row per point, row-major (point, parameter) as the
// results file stores them, so the matrix is written as it is held. Made
// by make_design (sweep/design.hpp), or single_run_design for a scenario
// without a [sweep] table: no varied parameter, one point, one replicate.
struct Design {
  SweepSpec spec;
  std::int64_t point_count = 0;
  std::vector<double> points;      // point_count x parameters(): the values runs use, integer parameters whole
  std::vector<PointPlace> places;  // saltelli, morris: one per point; empty for the other designs

  std::size_t parameters() const { return spec.parameters.size(); }
  const std::string& path(std::size_t parameter) const { return spec.parameters[parameter].path; }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const SweepParameter& parameter : spec.parameters) out.push_back(parameter.path);
    return out;
  }
  // The values of one design point, in parameter order. Unchecked, like
  // operator[]: 0 <= point < point_count.
  std::span<const double> point(std::int64_t point) const {
    return std::span<const double>(points).subspan(static_cast<std::size_t>(point) * parameters(), parameters());
  }
  double value(std::int64_t point, std::size_t parameter) const {
    return points[static_cast<std::size_t>(point) * parameters() + parameter];
  }
  std::int64_t replicates() const { return spec.replicates; }
  std::int64_t runs() const { return point_count * spec.replicates; }
  // A [sweep] table varies at least one parameter (design_size refuses
  // none), so only the single run's design has none.
  bool is_sweep() const { return !spec.parameters.empty(); }
};

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
