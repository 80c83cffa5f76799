#include "analysis/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Dense>

namespace loyalsim::analysis {
namespace {

// SplitMix64: a tiny generator with a fixed, platform-independent output
// (std::uniform_int_distribution is not specified bit for bit).
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) {
    __extension__ using uint128 = unsigned __int128;
    return static_cast<std::size_t>((static_cast<uint128>(next()) * n) >> 64);
  }
};

// The q-quantile of sorted values, linear between order statistics.
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

double mean(std::span<const double> values) {
  double sum = 0.0;
  std::size_t n = 0;
  for (const double v : values)
    if (std::isfinite(v)) sum += v, ++n;
  return n == 0 ? not_a_number : sum / static_cast<double>(n);
}

double variance(std::span<const double> values) {
  const double m = mean(values);
  if (std::isnan(m)) return not_a_number;
  double sum = 0.0;
  std::size_t n = 0;
  for (const double v : values)
    if (std::isfinite(v)) sum += (v - m) * (v - m), ++n;
  return sum / static_cast<double>(n);
}

std::vector<double> ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    const double shared = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t k = start; k < end; ++k) rank[order[k]] = shared;
    start = end;
  }
  return rank;
}

std::vector<double> inverse(std::vector<double> a, std::size_t n) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto size = static_cast<Eigen::Index>(n);
  const Eigen::Map<const RowMajor> matrix(a.data(), size, size);
  if (!matrix.allFinite()) return {};
  // Singular: a pivot below 1e-12 of the largest (a constant or collinear
  // column), which the estimators report as undefined.
  Eigen::FullPivLU<RowMajor> lu(matrix);
  lu.setThreshold(1e-12);
  if (!lu.isInvertible()) return {};
  std::vector<double> result(n * n);
  Eigen::Map<RowMajor>(result.data(), size, size) = lu.inverse();
  return result;
}

std::vector<Estimate> bootstrap(std::size_t units, std::size_t outputs, const BootstrapOptions& options,
                                const Statistic& statistic) {
  std::vector<Estimate> estimates(outputs);
  std::vector<std::size_t> chosen(units);
  std::iota(chosen.begin(), chosen.end(), std::size_t{0});
  std::vector<double> out(outputs, not_a_number);
  statistic(chosen, out);
  for (std::size_t k = 0; k < outputs; ++k) estimates[k].value = out[k];
  if (options.resamples == 0 || units < 2) return estimates;

  std::vector<std::vector<double>> draws(outputs);
  SplitMix random{options.seed};
  for (std::size_t r = 0; r < options.resamples; ++r) {
    for (std::size_t& unit : chosen) unit = random.below(units);
    std::fill(out.begin(), out.end(), not_a_number);
    statistic(chosen, out);
    for (std::size_t k = 0; k < outputs; ++k)
      if (std::isfinite(out[k])) draws[k].push_back(out[k]);
  }
  const double tail = (1.0 - options.level) / 2.0;
  for (std::size_t k = 0; k < outputs; ++k) {
    std::vector<double>& d = draws[k];
    // Fewer than half the resamples defined: no interval worth reporting.
    if (d.size() < 2 || 2 * d.size() < options.resamples || !std::isfinite(estimates[k].value)) continue;
    std::sort(d.begin(), d.end());
    estimates[k].low = quantile(d, tail);
    estimates[k].high = quantile(d, 1.0 - tail);
    estimates[k].se = std::sqrt(variance(d) * static_cast<double>(d.size()) / static_cast<double>(d.size() - 1));
  }
  return estimates;
}

}  // namespace loyalsim::analysis
