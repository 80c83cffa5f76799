#include "analysis/morris_indices.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace loyalsim::analysis {

MorrisIndices morris_indices(std::span<const double> effects, std::size_t d, const BootstrapOptions& options,
                             double effect_noise) {
  if (d == 0 || effects.size() % d != 0) throw std::invalid_argument("morris_indices: effects is not trajectories x D");
  const std::size_t r = effects.size() / d;
  MorrisIndices result;
  result.effects.assign(d, 0);
  for (std::size_t t = 0; t < r; ++t) {
    bool any = false;
    for (std::size_t i = 0; i < d; ++i)
      if (std::isfinite(effects[t * d + i])) ++result.effects[i], any = true;
    if (any) ++result.trajectories_used;
  }
  result.noise_floor = std::sqrt(std::max(0.0, effect_noise)) * std::sqrt(2.0 / std::numbers::pi);

  // out: mu* (d), mu (d), sigma (d).
  auto statistic = [&](std::span<const std::size_t> units, std::span<double> out) {
    for (std::size_t i = 0; i < d; ++i) {
      double sum = 0.0, sum_abs = 0.0, sum2 = 0.0;
      std::size_t n = 0;
      for (const std::size_t t : units) {
        const double e = effects[t * d + i];
        if (!std::isfinite(e)) continue;
        sum += e, sum_abs += std::abs(e), sum2 += e * e, ++n;
      }
      if (n == 0) continue;
      const double m = sum / static_cast<double>(n);
      out[i] = sum_abs / static_cast<double>(n);
      out[d + i] = m;
      if (n < 2) continue;
      const double var = (sum2 - static_cast<double>(n) * m * m) / static_cast<double>(n - 1);
      out[2 * d + i] = std::sqrt(std::max(0.0, var - effect_noise));
    }
  };
  const std::vector<Estimate> all = bootstrap(r, 3 * d, options, statistic);
  const auto at = [&](std::size_t k) { return all.begin() + static_cast<std::ptrdiff_t>(k * d); };
  result.mu_star.assign(at(0), at(1));
  result.mu.assign(at(1), at(2));
  result.sigma.assign(at(2), at(3));
  return result;
}

}  // namespace loyalsim::analysis
