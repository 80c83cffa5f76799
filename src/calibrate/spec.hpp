// What a calibration file asks for (docs/CALIBRATION.md): the scenario, the
// parameters to fit within their bounds, the target moments, and how to
// search. Plain values, filled and checked by calibrate/calibration_file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario.hpp"

namespace loyalsim::calibrate {

// One fitted parameter: a path as --set and sweeps name it, real-valued.
struct FittedParameter {
  std::string path;  // "segments.complex.rep_weight"
  double lower = 0.0;
  double upper = 0.0;
  double start = 0.0;  // the first point of the first local start
  std::string units;   // from the parameter registry
};

// A selection of firms or segments: one by index, or all (pooled).
struct Selection {
  std::optional<std::size_t> index;  // empty: every one, pooled
  bool all() const { return !index.has_value(); }
};

// One target moment: a summary metric (core/metrics.hpp) of a firm x
// segment cell, or pooled over firms and/or segments.
struct Target {
  std::size_t metric = 0;  // index into summary_metrics
  Selection firm;
  Selection segment;
  double value = 0.0;
  double weight = 1.0;       // 1/se^2 when se is given
  std::optional<double> se;  // as written; empty when a weight was given
  std::string label;         // "follow_rate_when_possible[Incumbent, *]"
};

enum class LocalAlgorithm { bobyqa, neldermead, sbplx };
enum class GlobalAlgorithm { none, crs2, isres };

inline const char* algorithm_name(LocalAlgorithm a) {
  switch (a) {
    case LocalAlgorithm::bobyqa:
      return "bobyqa";
    case LocalAlgorithm::neldermead:
      return "neldermead";
    case LocalAlgorithm::sbplx:
      return "sbplx";
  }
  return "";
}
inline const char* algorithm_name(GlobalAlgorithm a) {
  switch (a) {
    case GlobalAlgorithm::none:
      return "none";
    case GlobalAlgorithm::crs2:
      return "crs2";
    case GlobalAlgorithm::isres:
      return "isres";
  }
  return "";
}

struct SearchSettings {
  std::int64_t replicates = 8;  // runs per evaluation, the same seeds at every evaluation
  std::uint64_t seed = 1;       // the run seeds' root (default: the scenario's seed)
  std::int64_t budget = 200;    // most evaluations the search may use (standard errors come on top)
  LocalAlgorithm algorithm = LocalAlgorithm::bobyqa;
  GlobalAlgorithm global = GlobalAlgorithm::none;
  std::int64_t starts = 1;      // local searches: the first from `start`, the rest from scattered points
  double tolerance = 1e-3;      // stop when a step moves every parameter less than this share of its bounds
  double jacobian_step = 0.05;  // finite-difference step, as a share of each parameter's bounds
};

// The most a calibration may ask for: the trace, budget x (parameters +
// targets) doubles held until the end, stays under about 130 MB.
inline constexpr std::int64_t max_budget = 100000;
inline constexpr std::int64_t max_replicates = 10000;
inline constexpr std::int64_t max_starts = 1000;
inline constexpr std::size_t max_parameters = 64;
inline constexpr std::size_t max_targets = 100;

struct CalibrationSpec {
  Scenario scenario;          // the base scenario, the calibration seed set
  std::string scenario_path;  // the scenario file read, or the calibration file for an inline one
  std::string scenario_text;  // that file's text
  std::vector<FittedParameter> parameters;
  std::vector<Target> targets;
  SearchSettings search;
};

}  // namespace loyalsim::calibrate
