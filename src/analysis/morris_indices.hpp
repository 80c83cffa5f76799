// Morris's elementary effects: per parameter, mu* (mean |EE|, Campolongo
// et al. 2007), mu (mean EE) and sigma (standard deviation of EE), with
// bootstrap intervals over the trajectories. An elementary effect is the
// change in output per unit of the parameter's range scaled to [0, 1]
// (so a linear term c x on [0, 1] has EE = c for every trajectory).
//
// Noise: each EE carries the model's noise, with variance `effect_noise`
// (2 x the variance of an output / step^2). It inflates sigma, which is
// corrected (sigma^2 - effect_noise, floored at 0), and mu*, which cannot
// be: a parameter without effect still has mu* near the noise floor
// sqrt(effect_noise) x sqrt(2/pi), which is reported beside it.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "analysis/statistics.hpp"

namespace loyalsim::analysis {

struct MorrisIndices {
  std::vector<Estimate> mu_star, mu, sigma;
  std::vector<std::size_t> effects;  // finite elementary effects per parameter
  std::size_t trajectories_used = 0;
  double noise_floor = 0.0;  // the mu* of a parameter without effect, from the noise alone
};

// effects: trajectories x D, row-major, NaN where the effect is undefined
// (an output is NaN, or the step moved nothing); NaN effects are skipped.
MorrisIndices morris_indices(std::span<const double> effects, std::size_t parameters, const BootstrapOptions& options,
                             double effect_noise = 0.0);

}  // namespace loyalsim::analysis
