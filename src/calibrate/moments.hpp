// Target moments from simulated runs: a summary metric of a firm x segment
// cell, or of several cells pooled, over the replicates of one evaluation.
// Pooling sums the count totals and recomputes the rates from the sums
// (core/rates: compute_rates, pool_totals), as the run table pools a sweep: so any summary metric,
// present or future, is a moment by name, and a rate pooled over cells or
// replicates is a ratio of sums, defined whenever any replicate has
// decisions to count.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "calibrate/spec.hpp"
#include "core/run_result.hpp"

namespace loyalsim::calibrate {

// Count totals of `runs` summed cell by cell (the same shape as each run),
// rates recomputed. Timeseries are not kept.
RunResult sum_runs(std::span<const RunResult> runs);

// The 1 x 1 result of the cells a target selects, counts summed and rates
// recomputed (core's pool_totals).
RunResult pool_cells(const RunResult& result, const Selection& firm, const Selection& segment);

// The value of summary metric `metric` in a 1 x 1 pooled result of `runs`
// runs: a rate as it is, a count per run (its mean over the runs).
double metric_value(const RunResult& pooled, std::size_t metric, std::size_t runs);

struct Moments {
  std::vector<double> values;      // one per target, pooled over the replicates (NaN: undefined)
  std::vector<double> replicates;  // replicates x targets: each replicate on its own
  std::vector<double> se;          // per target: sd of the defined replicate values / sqrt(their number)
};

// The sample standard deviation of `values` over the square root of their
// number; NaN for fewer than two values.
double standard_error_of_mean(std::span<const double> values);

Moments moments_of(std::span<const RunResult> runs, std::span<const Target> targets);

}  // namespace loyalsim::calibrate
