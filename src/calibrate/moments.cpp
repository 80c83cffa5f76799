#include "calibrate/moments.hpp"

#include <cmath>
#include <limits>

#include "core/metrics.hpp"
#include "core/rates.hpp"

namespace loyalsim::calibrate {
namespace {

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

// pool_totals' mask of a selection: empty for all, else the one chosen.
std::vector<bool> mask(const Selection& selection, std::size_t size) {
  if (selection.all()) return {};
  std::vector<bool> chosen(size, false);
  chosen[*selection.index] = true;
  return chosen;
}

}  // namespace

double standard_error_of_mean(std::span<const double> values) {
  if (values.size() < 2) return undefined;
  double mean = 0.0;
  for (const double v : values) mean += v;
  const double n = static_cast<double>(values.size());
  mean /= n;
  double squares = 0.0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / (n - 1.0) / n);
}

RunResult sum_runs(std::span<const RunResult> runs) {
  RunResult sum;
  if (runs.empty()) return sum;
  sum.allocate(0, runs.front().firms, runs.front().segments);
  for (const RunResult& run : runs)
    for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
      if (summary_metrics[i].type != MetricType::count) continue;
      for (std::size_t cell = 0; cell < run.totals.counts[i].size(); ++cell)
        sum.totals.counts[i][cell] += run.totals.counts[i][cell];
    }
  compute_rates(sum);
  return sum;
}

RunResult pool_cells(const RunResult& result, const Selection& firm, const Selection& segment) {
  return pool_totals(result, mask(firm, result.firms), mask(segment, result.segments));
}

double metric_value(const RunResult& pooled, std::size_t metric, std::size_t runs) {
  if (summary_metrics[metric].type == MetricType::count)
    return static_cast<double>(pooled.totals.counts[metric][0]) / static_cast<double>(runs);
  return pooled.totals.reals[metric][0];
}

Moments moments_of(std::span<const RunResult> runs, std::span<const Target> targets) {
  const std::size_t m = targets.size();
  Moments moments;
  moments.values.assign(m, undefined);
  moments.replicates.assign(runs.size() * m, undefined);
  moments.se.assign(m, undefined);
  if (runs.empty()) return moments;

  const RunResult all = sum_runs(runs);
  for (std::size_t j = 0; j < m; ++j) {
    const Target& t = targets[j];
    moments.values[j] = metric_value(pool_cells(all, t.firm, t.segment), t.metric, runs.size());
    std::vector<double> defined;
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const double value = metric_value(pool_cells(runs[r], t.firm, t.segment), t.metric, 1);
      moments.replicates[r * m + j] = value;
      if (!std::isnan(value)) defined.push_back(value);
    }
    moments.se[j] = standard_error_of_mean(defined);
  }
  return moments;
}

}  // namespace loyalsim::calibrate
