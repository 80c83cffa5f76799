#include "analysis/sobol_indices.hpp"

#include <cmath>
#include <stdexcept>

namespace loyalsim::analysis {

SobolIndices sobol_indices(const SaltelliOutputs& y, const BootstrapOptions& options) {
  const std::size_t d = y.parameters;
  const std::size_t n = y.a.size();
  const bool paired = !y.a_noise.empty();
  if (y.b.size() != n || y.ab.size() != n * d || (y.second_order && y.ba.size() != n * d) ||
      (paired && (y.a_noise.size() != n || y.b_noise.size() != n || y.ab_noise.size() != n * d)))
    throw std::invalid_argument("sobol_indices: the A, B, AB and BA outputs have inconsistent sizes");

  // The usable base samples: every output finite.
  std::vector<std::size_t> usable;
  for (std::size_t j = 0; j < n; ++j) {
    bool finite = std::isfinite(y.a[j]) && std::isfinite(y.b[j]) &&
                  (!paired || (std::isfinite(y.a_noise[j]) && std::isfinite(y.b_noise[j])));
    for (std::size_t i = 0; i < d && finite; ++i)
      finite = std::isfinite(y.ab[j * d + i]) && (!y.second_order || std::isfinite(y.ba[j * d + i])) &&
               (!paired || std::isfinite(y.ab_noise[j * d + i]));
    if (finite) usable.push_back(j);
  }
  SobolIndices result;
  result.samples_used = usable.size();
  result.samples_excluded = n - usable.size();

  const std::size_t pairs = y.second_order ? d * d : 0;
  // out: S1 (d), ST (d), S2 (d x d).
  auto statistic = [&](std::span<const std::size_t> units, std::span<double> out) {
    const auto m = static_cast<double>(units.size());
    double sum = 0.0, sum2 = 0.0, noise = 0.0;
    for (const std::size_t u : units) {
      const std::size_t j = usable[u];
      sum += y.a[j] + y.b[j];
      sum2 += y.a[j] * y.a[j] + y.b[j] * y.b[j];
      noise += paired ? (y.a_noise[j] + y.b_noise[j]) / 2.0 : y.noise;
    }
    const double mean_y = sum / (2.0 * m);
    const double v = sum2 / (2.0 * m) - mean_y * mean_y;
    const double vf = v - noise / m;
    if (!(vf > 1e-15 * std::max(1.0, mean_y * mean_y))) return;  // no variance beyond the noise: undefined
    std::vector<double> s1(d);
    for (std::size_t i = 0; i < d; ++i) {
      double first = 0.0, total = 0.0;
      for (const std::size_t u : units) {
        const std::size_t j = usable[u];
        const double ab = y.ab[j * d + i];
        first += (y.b[j] - mean_y) * (ab - y.a[j]);
        total += (y.a[j] - ab) * (y.a[j] - ab) - (paired ? y.a_noise[j] + y.ab_noise[j * d + i] : 2.0 * y.noise);
      }
      s1[i] = first / m / vf;
      out[i] = s1[i];
      out[d + i] = total / (2.0 * m) / vf;
    }
    if (!y.second_order) return;
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t k = i + 1; k < d; ++k) {
        double joint = 0.0;
        for (const std::size_t u : units) {
          const std::size_t j = usable[u];
          joint += y.ba[j * d + i] * y.ab[j * d + k] - y.a[j] * y.b[j];
        }
        out[2 * d + i * d + k] = joint / m / vf - s1[i] - s1[k];
      }
  };
  if (usable.empty()) {
    result.first.resize(d);
    result.total.resize(d);
    result.second.resize(pairs);
    return result;
  }
  std::vector<Estimate> all = bootstrap(usable.size(), 2 * d + pairs, options, statistic);
  result.first.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(d));
  result.total.assign(all.begin() + static_cast<std::ptrdiff_t>(d), all.begin() + static_cast<std::ptrdiff_t>(2 * d));
  result.second.assign(all.begin() + static_cast<std::ptrdiff_t>(2 * d), all.end());

  std::vector<double> ab_outputs;
  for (const std::size_t j : usable) ab_outputs.push_back(y.a[j]), ab_outputs.push_back(y.b[j]);
  result.variance = variance(ab_outputs);
  double noise = y.noise;
  if (paired) {
    double sum = 0.0;
    for (const std::size_t j : usable) sum += (y.a_noise[j] + y.b_noise[j]) / 2.0;
    noise = sum / static_cast<double>(usable.size());
  }
  if (result.variance > 0.0) result.noise_floor = noise / result.variance;
  return result;
}

}  // namespace loyalsim::analysis
