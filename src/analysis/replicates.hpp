// Replicates separate what the parameters do from the model's own noise.
// Runs of one design point differ only by their seed, so the variance
// within a point is the noise; the estimators then read each point's mean
// over its replicates, whose noise variance is that noise / replicates.
// And the verdict on whether the indices rank the parameters at all
// (docs/SENSITIVITY.md, "When the noise is too large to rank").
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "analysis/statistics.hpp"

namespace loyalsim::analysis {

struct ReplicateSummary {
  std::vector<double> means;  // per point: mean of its finite replicates (NaN: none)
  // per point: the noise variance of its mean, s^2 / n from its own n >= 2
  // replicates (unbiased, whatever the noise does across the design), else
  // the pooled noise_variance / n; NaN without a finite replicate.
  std::vector<double> point_noise;
  double noise_variance = 0.0;         // pooled within-point variance of a run (0 with 1 replicate)
  double mean_noise = 0.0;             // noise variance of a point's mean: noise_variance x mean(1 / replicates used)
  double run_variance = not_a_number;  // variance of every finite run output
  double noise_share = not_a_number;   // noise_variance / run_variance: the model's noise in the runs
  double analysed_noise_share = not_a_number;    // mean_noise / variance of the means: the noise the estimators see
  std::size_t runs_used = 0, runs_excluded = 0;  // finite and NaN run outputs
  bool noise_known = false;                      // some point had 2 or more finite replicates
};

// runs: points x replicates, row-major (run = point x replicates + replicate).
ReplicateSummary summarize_replicates(std::span<const double> runs, std::size_t replicates);

enum class Verdict { ranked, tie, noisy, undefined };

// The rule (docs/SENSITIVITY.md): with `index` the ranking index of each
// parameter (ST, mu*, |PRCC|):
//   undefined: no parameter has a finite index;
//   noisy:     the noise makes up at least half of the variance the
//              estimators see (analysed_noise_share >= 0.5), or the top
//              two intervals overlap while it makes up at least a quarter:
//              more replicates would sharpen the ranking more than more points;
//   tie:       the top two intervals overlap (more points would separate them);
//   ranked:    the lower end of the largest index's interval lies above
//              the upper end of the runner-up's.
Verdict ranking_verdict(const std::vector<Estimate>& index, double analysed_noise_share);
std::string verdict_text(Verdict verdict, double analysed_noise_share);

}  // namespace loyalsim::analysis
