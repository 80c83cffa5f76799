#include "analysis/replicates.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace loyalsim::analysis {

ReplicateSummary summarize_replicates(std::span<const double> runs, std::size_t replicates) {
  if (replicates == 0 || runs.size() % replicates != 0)
    throw std::invalid_argument("summarize_replicates: runs is not points x replicates");
  const std::size_t points = runs.size() / replicates;
  ReplicateSummary s;
  s.means.assign(points, not_a_number);
  s.point_noise.assign(points, not_a_number);
  std::vector<double> own(points, not_a_number);
  std::vector<std::size_t> counts(points, 0);
  double within = 0.0, inverse_counts = 0.0;
  std::size_t within_df = 0, counted_points = 0;
  for (std::size_t p = 0; p < points; ++p) {
    const std::span<const double> row = runs.subspan(p * replicates, replicates);
    const double m = mean(row);
    std::size_t n = 0;
    for (const double v : row)
      if (std::isfinite(v)) ++n, within += (v - m) * (v - m);
    s.runs_used += n;
    counts[p] = n;
    if (n == 0) continue;
    s.means[p] = m;
    if (n >= 2) {
      double sum = 0.0;
      for (const double v : row)
        if (std::isfinite(v)) sum += (v - m) * (v - m);
      own[p] = sum / static_cast<double>(n - 1) / static_cast<double>(n);
    }
    within_df += n - 1;
    inverse_counts += 1.0 / static_cast<double>(n);
    ++counted_points;
  }
  s.runs_excluded = runs.size() - s.runs_used;
  s.run_variance = variance(runs);
  if (within_df > 0) {
    s.noise_known = true;
    s.noise_variance = within / static_cast<double>(within_df);
    s.mean_noise = s.noise_variance * inverse_counts / static_cast<double>(counted_points);
    if (s.run_variance > 0.0) s.noise_share = std::min(1.0, s.noise_variance / s.run_variance);
    for (std::size_t p = 0; p < points; ++p)
      if (counts[p] > 0)
        s.point_noise[p] = std::isfinite(own[p]) ? own[p] : s.noise_variance / static_cast<double>(counts[p]);
    const double between = variance(s.means);
    if (between > 0.0) s.analysed_noise_share = std::min(1.0, s.mean_noise / between);
  }
  return s;
}

Verdict ranking_verdict(const std::vector<Estimate>& index, double noise) {
  std::size_t top = index.size(), second = index.size();
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (!std::isfinite(index[i].value)) continue;
    if (top == index.size() || index[i].value > index[top].value) {
      second = top;
      top = i;
    } else if (second == index.size() || index[i].value > index[second].value) {
      second = i;
    }
  }
  if (top == index.size()) return Verdict::undefined;
  const bool noisy = std::isfinite(noise) && noise >= 0.5;
  if (noisy) return Verdict::noisy;
  if (second == index.size()) return Verdict::ranked;
  // Without intervals (no bootstrap) nothing says the two are apart.
  const double low = std::isfinite(index[top].low) ? index[top].low : -HUGE_VAL;
  const double high = std::isfinite(index[second].high) ? index[second].high : HUGE_VAL;
  if (low > high) return Verdict::ranked;
  return std::isfinite(noise) && noise >= 0.25 ? Verdict::noisy : Verdict::tie;
}

std::string verdict_text(Verdict verdict, double noise) {
  char share[64] = "";
  if (std::isfinite(noise)) std::snprintf(share, sizeof share, "%.0f%%", 100.0 * noise);
  switch (verdict) {
    case Verdict::ranked:
      return "ranked";
    case Verdict::tie:
      return "tie: the top two intervals overlap; more samples would separate them";
    case Verdict::noisy:
      return std::string("NOISY: the model's noise is ") + share +
             " of the variance analysed; more replicates before ranking";
    case Verdict::undefined:
      return "undefined: the output does not vary beyond the noise (or every output is NaN)";
  }
  return "";
}

}  // namespace loyalsim::analysis
