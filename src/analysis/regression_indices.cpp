#include "analysis/regression_indices.hpp"

#include <cmath>
#include <stdexcept>

namespace loyalsim::analysis {
namespace {

// The correlation matrix of the columns of `data` (n x k, row-major) over
// the rows `rows`; empty if a column is constant there.
std::vector<double> correlations(const std::vector<double>& data, std::size_t k, std::span<const std::size_t> rows) {
  const auto n = static_cast<double>(rows.size());
  std::vector<double> mean(k, 0.0), c(k * k, 0.0);
  for (const std::size_t r : rows)
    for (std::size_t a = 0; a < k; ++a) mean[a] += data[r * k + a] / n;
  for (const std::size_t r : rows)
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = a; b < k; ++b) c[a * k + b] += (data[r * k + a] - mean[a]) * (data[r * k + b] - mean[b]);
  for (std::size_t a = 0; a < k; ++a)
    if (!(c[a * k + a] > 0.0)) return {};
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = a + 1; b < k; ++b) {
      c[a * k + b] /= std::sqrt(c[a * k + a] * c[b * k + b]);
      c[b * k + a] = c[a * k + b];
    }
  for (std::size_t a = 0; a < k; ++a) c[a * k + a] = 1.0;
  return c;
}

}  // namespace

RegressionIndices regression_indices(std::span<const double> x, std::span<const double> y, std::size_t d,
                                     const BootstrapOptions& options) {
  if (d == 0 || x.size() != y.size() * d) throw std::invalid_argument("regression_indices: x is not points x D");
  RegressionIndices result;
  // Rows used: finite output. Values (k = D + 1 columns: x, then y) and
  // their ranks, ranked once over the rows used (a resample reuses them).
  const std::size_t k = d + 1;
  std::vector<double> values;
  for (std::size_t p = 0; p < y.size(); ++p) {
    if (!std::isfinite(y[p])) continue;
    for (std::size_t i = 0; i < d; ++i) values.push_back(x[p * d + i]);
    values.push_back(y[p]);
  }
  const std::size_t n = values.size() / k;
  result.points_used = n;
  result.points_excluded = y.size() - n;
  std::vector<double> ranked(values.size());
  for (std::size_t column = 0; column < k; ++column) {
    std::vector<double> c(n);
    for (std::size_t r = 0; r < n; ++r) c[r] = values[r * k + column];
    const std::vector<double> rc = ranks(c);
    for (std::size_t r = 0; r < n; ++r) ranked[r * k + column] = rc[r];
  }

  // out: PRCC (d), SRC (d), R^2.
  auto statistic = [&](std::span<const std::size_t> rows, std::span<double> out) {
    if (rows.size() <= k) return;  // a fit needs more points than unknowns
    // PRCC_i = -P_iy / sqrt(P_ii P_yy), P the inverse rank correlation matrix.
    if (const std::vector<double> c = correlations(ranked, k, rows); !c.empty())
      if (const std::vector<double> p = inverse(c, k); !p.empty())
        for (std::size_t i = 0; i < d; ++i) out[i] = -p[i * k + d] / std::sqrt(p[i * k + i] * p[d * k + d]);
    // SRC = R_xx^-1 r_xy on standardized values; R^2 = r_xy . SRC.
    const std::vector<double> c = correlations(values, k, rows);
    if (c.empty()) return;
    std::vector<double> rxx(d * d), rxy(d);
    for (std::size_t i = 0; i < d; ++i) {
      rxy[i] = c[i * k + d];
      for (std::size_t j = 0; j < d; ++j) rxx[i * d + j] = c[i * k + j];
    }
    const std::vector<double> inv = inverse(rxx, d);
    if (inv.empty()) return;
    double r2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      double beta = 0.0;
      for (std::size_t j = 0; j < d; ++j) beta += inv[i * d + j] * rxy[j];
      out[d + i] = beta;
      r2 += beta * rxy[i];
    }
    out[2 * d] = r2;
  };
  if (n == 0) {
    result.prcc.resize(d);
    result.src.resize(d);
    return result;
  }
  const std::vector<Estimate> all = bootstrap(n, 2 * d + 1, options, statistic);
  result.prcc.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(d));
  result.src.assign(all.begin() + static_cast<std::ptrdiff_t>(d), all.begin() + static_cast<std::ptrdiff_t>(2 * d));
  result.r2 = all[2 * d];
  return result;
}

}  // namespace loyalsim::analysis
