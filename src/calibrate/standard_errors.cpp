#include "calibrate/standard_errors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "calibrate/symmetric_eigen.hpp"

namespace loyalsim::calibrate {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string names_of(const CalibrationSpec& spec, const std::vector<std::size_t>& which) {
  std::string text;
  for (std::size_t i = 0; i < which.size(); ++i)
    text += (i == 0 ? "" : i + 1 == which.size() ? " and " : ", ") + spec.parameters[which[i]].path;
  return text;
}

// The covariance of one replicate's moment vector, over the replicates
// whose moments are all defined; empty if fewer than two are.
std::vector<double> replicate_covariance(const Moments& moments, std::size_t m) {
  const std::size_t replicates = m == 0 ? 0 : moments.replicates.size() / m;
  std::vector<std::size_t> complete;
  for (std::size_t r = 0; r < replicates; ++r) {
    bool all = true;
    for (std::size_t j = 0; j < m; ++j) all = all && !std::isnan(moments.replicates[r * m + j]);
    if (all) complete.push_back(r);
  }
  if (complete.size() < 2) return {};
  std::vector<double> mean(m, 0.0);
  for (const std::size_t r : complete)
    for (std::size_t j = 0; j < m; ++j) mean[j] += moments.replicates[r * m + j];
  for (double& x : mean) x /= static_cast<double>(complete.size());
  std::vector<double> covariance(m * m, 0.0);
  for (const std::size_t r : complete)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < m; ++j)
        covariance[i * m + j] += (moments.replicates[r * m + i] - mean[i]) * (moments.replicates[r * m + j] - mean[j]);
  for (double& x : covariance) x /= static_cast<double>(complete.size() - 1);
  return covariance;
}

}  // namespace

std::vector<double> moment_jacobian(const CalibrationSpec& spec, const Evaluator& evaluator, std::vector<double> at,
                                    Trace& trace, const OnEvaluation& on_evaluation) {
  const std::size_t p = spec.parameters.size(), m = spec.targets.size();
  std::vector<double> jacobian(m * p, nan);
  for (std::size_t k = 0; k < p; ++k) {
    const FittedParameter& parameter = spec.parameters[k];
    const double h = spec.search.jacobian_step * (parameter.upper - parameter.lower);
    std::vector<double> up = at, down = at;
    up[k] = std::min(parameter.upper, at[k] + h);
    down[k] = std::max(parameter.lower, at[k] - h);
    const Evaluation high = evaluator.evaluate(up);
    trace.add(high, standard_error_stage);
    if (on_evaluation) on_evaluation(trace);
    const Evaluation low = evaluator.evaluate(down);
    trace.add(low, standard_error_stage);
    if (on_evaluation) on_evaluation(trace);
    for (std::size_t j = 0; j < m; ++j)
      jacobian[j * p + k] = (high.moments.values[j] - low.moments.values[j]) / (up[k] - down[k]);
  }
  return jacobian;
}

StandardErrors standard_errors(const CalibrationSpec& spec, const Evaluation& best, std::vector<double> jacobian) {
  const std::size_t p = spec.parameters.size(), m = spec.targets.size();
  StandardErrors out;
  out.jacobian = std::move(jacobian);
  out.se.assign(p, nan);
  out.se_targets.assign(p, nan);
  out.identified.assign(p, Identified::unknown);
  const auto g = [&](std::size_t j, std::size_t k) { return out.jacobian[j * p + k]; };
  const auto width = [&](std::size_t k) { return spec.parameters[k].upper - spec.parameters[k].lower; };

  // Parameters whose column is undefined (a moment was NaN near the
  // optimum) cannot be assessed; those whose column is exactly zero had no
  // effect on any target: with common random numbers, no effect at all
  // gives bit-identical runs.
  std::vector<std::size_t> active, no_effect, undefined;
  for (std::size_t k = 0; k < p; ++k) {
    bool any_nan = false, any_effect = false;
    for (std::size_t j = 0; j < m; ++j) {
      any_nan = any_nan || std::isnan(g(j, k));
      any_effect = any_effect || g(j, k) != 0.0;
    }
    if (any_nan) undefined.push_back(k);
    else if (!any_effect) no_effect.push_back(k);
    else active.push_back(k);
  }
  if (!undefined.empty()) {
    out.warnings.push_back("cannot assess " + names_of(spec, undefined) +
                           ": a target moment is undefined (no decisions to compute it from) near the optimum, so "
                           "its standard error is unknown");
  }
  for (const std::size_t k : no_effect) out.identified[k] = Identified::no;
  if (!no_effect.empty()) {
    out.warnings.push_back("not identified: " + names_of(spec, no_effect) + (no_effect.size() == 1 ? " has" : " have") +
                           " no effect on any target (the moments did not change when " +
                           (no_effect.size() == 1 ? "it" : "each") +
                           " moved); its fitted value is arbitrary. Add a target that depends on it, or fix it");
  }

  // H = G'WG over the active parameters, in bound units; a flat direction
  // (eigenvalue ~ 0) names its parameters, which are set aside, and H is
  // formed again until what is left can be inverted.
  const std::vector<double> simulation = replicate_covariance(best.moments, m);
  const double replicates = static_cast<double>(spec.search.replicates);
  while (!active.empty()) {
    const std::size_t a = active.size();
    std::vector<double> unit_g(m * a);  // G in bound units, weighted rows left for H
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t i = 0; i < a; ++i) unit_g[j * a + i] = g(j, active[i]) * width(active[i]);
    std::vector<double> h(a * a, 0.0);
    for (std::size_t r = 0; r < a; ++r)
      for (std::size_t c = 0; c < a; ++c)
        for (std::size_t j = 0; j < m; ++j)
          h[r * a + c] += unit_g[j * a + r] * spec.targets[j].weight * unit_g[j * a + c];
    const SymmetricEigen eigen = symmetric_eigen(h, a);
    if (out.eigenvalues.empty()) out.eigenvalues = eigen.values;
    const double largest = eigen.values.back();
    std::vector<std::size_t> flat;
    for (std::size_t e = 0; e < a; ++e) {
      if (eigen.values[e] > flat_ratio * largest) continue;
      // Name the parameters that carry this direction; at least the largest.
      std::size_t biggest = 0;
      for (std::size_t i = 0; i < a; ++i) {
        const double loading = std::fabs(eigen.vectors[i * a + e]);
        if (loading > std::fabs(eigen.vectors[biggest * a + e])) biggest = i;
        if (loading >= flat_loading && std::find(flat.begin(), flat.end(), active[i]) == flat.end())
          flat.push_back(active[i]);
      }
      if (std::find(flat.begin(), flat.end(), active[biggest]) == flat.end()) flat.push_back(active[biggest]);
    }
    if (!flat.empty()) {
      std::sort(flat.begin(), flat.end());
      for (const std::size_t k : flat) out.identified[k] = Identified::no;
      out.warnings.push_back(
          "not identified: the targets do not separate " + names_of(spec, flat) +
          (m < p ? " (fewer targets than parameters)" : "") +
          ": a combination of them leaves every moment unchanged (a flat direction of the objective), so their "
          "fitted values are not determined by the targets; add targets that move them differently, or fix some");
      std::vector<std::size_t> rest;
      for (const std::size_t k : active)
        if (std::find(flat.begin(), flat.end(), k) == flat.end()) rest.push_back(k);
      active = rest;
      continue;
    }

    // H^-1 = V diag(1/lambda) V'.
    std::vector<double> inverse(a * a, 0.0);
    for (std::size_t r = 0; r < a; ++r)
      for (std::size_t c = 0; c < a; ++c)
        for (std::size_t e = 0; e < a; ++e)
          inverse[r * a + c] += eigen.vectors[r * a + e] * eigen.vectors[c * a + e] / eigen.values[e];
    // The simulation term: B = H^-1 G'W (in bound units), Var_sim = B (S/R) B'.
    std::vector<double> variance = inverse;
    if (!simulation.empty()) {
      std::vector<double> b(a * m, 0.0);
      for (std::size_t r = 0; r < a; ++r)
        for (std::size_t j = 0; j < m; ++j)
          for (std::size_t c = 0; c < a; ++c)
            b[r * m + j] += inverse[r * a + c] * unit_g[j * a + c] * spec.targets[j].weight;
      for (std::size_t r = 0; r < a; ++r)
        for (std::size_t c = 0; c < a; ++c) {
          double sum = 0.0;
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < m; ++j) sum += b[r * m + i] * simulation[i * m + j] * b[c * m + j];
          variance[r * a + c] += sum / replicates;
        }
    } else {
      out.warnings.push_back(
          "the standard errors leave out the simulation noise: fewer than two replicates had "
          "every moment defined at the optimum");
    }
    std::vector<std::size_t> weak;
    for (std::size_t i = 0; i < a; ++i) {
      const std::size_t k = active[i];
      out.se_targets[k] = std::sqrt(std::max(0.0, inverse[i * a + i])) * width(k);
      out.se[k] = std::sqrt(std::max(0.0, variance[i * a + i])) * width(k);
      const bool wide = 2.0 * weak_interval_z * out.se[k] > width(k);
      out.identified[k] = wide ? Identified::weakly : Identified::yes;
      if (wide) weak.push_back(k);
    }
    if (!weak.empty())
      out.warnings.push_back("weakly identified: " + names_of(spec, weak) + (weak.size() == 1 ? " has" : " have") +
                             " an approximate 95% interval (+-1.96 se) wider than " +
                             (weak.size() == 1 ? "its bounds" : "their bounds") + ": the targets barely constrain " +
                             (weak.size() == 1 ? "it" : "them"));
    break;
  }
  return out;
}

}  // namespace loyalsim::calibrate
