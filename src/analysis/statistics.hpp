// The small statistics the sensitivity estimators share: moments that skip
// NaN, ranks, a linear solve, and the bootstrap. No I/O: everything in
// src/analysis is tested on closed forms without the engine or a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace loyalsim::analysis {

inline constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// An index: its estimate from the whole sample, and a bootstrap percentile
// interval and standard error (NaN when undefined, e.g. no variance).
struct Estimate {
  double value = not_a_number;
  double low = not_a_number;
  double high = not_a_number;
  double se = not_a_number;
};

struct BootstrapOptions {
  std::size_t resamples = 1000;  // 0: no intervals
  std::uint64_t seed = 1;
  double level = 0.95;
};

// Mean and variance (divisor n) of the finite values; NaN if none.
double mean(std::span<const double> values);
double variance(std::span<const double> values);

// Ranks 1..n, ties sharing their mean rank (so a grid's repeated values
// rank alike).
std::vector<double> ranks(std::span<const double> values);

// The inverse of an n x n matrix (row-major), by Eigen's fully pivoted LU;
// empty if it is singular (a pivot below 1e-12 of the largest) or not
// finite.
std::vector<double> inverse(std::vector<double> matrix, std::size_t n);

// `statistic(units, out)` computes `outputs` numbers from a selection of the
// `units` sample units (base samples, trajectories, points), given by index
// (with repetitions in a resample). Returns the estimates on all units and,
// from `resamples` resamples with replacement, the percentile interval and
// standard error of each (resamples giving NaN are left out of that
// output's interval). Deterministic for a given seed.
using Statistic = std::function<void(std::span<const std::size_t> units, std::span<double> out)>;
std::vector<Estimate> bootstrap(std::size_t units, std::size_t outputs, const BootstrapOptions& options,
                                const Statistic& statistic);

}  // namespace loyalsim::analysis
