#include "calibrate/standard_errors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <Eigen/Dense>

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
    const auto rows = static_cast<Eigen::Index>(m), cols = static_cast<Eigen::Index>(a);
    Eigen::MatrixXd unit_g(rows, cols);  // G in bound units
    for (Eigen::Index j = 0; j < rows; ++j)
      for (Eigen::Index i = 0; i < cols; ++i)
        unit_g(j, i) = g(static_cast<std::size_t>(j), active[static_cast<std::size_t>(i)]) *
                       width(active[static_cast<std::size_t>(i)]);
    Eigen::VectorXd weight(rows);
    for (Eigen::Index j = 0; j < rows; ++j) weight(j) = spec.targets[static_cast<std::size_t>(j)].weight;
    const Eigen::MatrixXd h = unit_g.transpose() * weight.asDiagonal() * unit_g;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(h);  // eigenvalues ascending
    const Eigen::VectorXd& values = eigen.eigenvalues();
    const Eigen::MatrixXd& vectors = eigen.eigenvectors();
    if (out.eigenvalues.empty()) out.eigenvalues.assign(values.data(), values.data() + values.size());
    const double largest = values(cols - 1);
    std::vector<std::size_t> flat;
    for (Eigen::Index e = 0; e < cols; ++e) {
      if (values(e) > flat_ratio * largest) continue;
      // Name the parameters that carry this direction; at least the largest.
      Eigen::Index biggest = 0;
      vectors.col(e).cwiseAbs().maxCoeff(&biggest);
      for (Eigen::Index i = 0; i < cols; ++i) {
        const std::size_t k = active[static_cast<std::size_t>(i)];
        if (std::fabs(vectors(i, e)) >= flat_loading && std::find(flat.begin(), flat.end(), k) == flat.end())
          flat.push_back(k);
      }
      const std::size_t top = active[static_cast<std::size_t>(biggest)];
      if (std::find(flat.begin(), flat.end(), top) == flat.end()) flat.push_back(top);
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
    const Eigen::MatrixXd inverse = vectors * values.cwiseInverse().asDiagonal() * vectors.transpose();
    // The simulation term: B = H^-1 G'W (in bound units), Var_sim = B (S/R) B'.
    Eigen::MatrixXd variance = inverse;
    if (!simulation.empty()) {
      const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> s(
          simulation.data(), rows, rows);
      const Eigen::MatrixXd b = inverse * unit_g.transpose() * weight.asDiagonal();
      variance += b * s * b.transpose() / replicates;
    } else {
      out.warnings.push_back(
          "the standard errors leave out the simulation noise: fewer than two replicates had "
          "every moment defined at the optimum");
    }
    std::vector<std::size_t> weak;
    for (std::size_t i = 0; i < a; ++i) {
      const std::size_t k = active[i];
      const auto d = static_cast<Eigen::Index>(i);
      out.se_targets[k] = std::sqrt(std::max(0.0, inverse(d, d))) * width(k);
      out.se[k] = std::sqrt(std::max(0.0, variance(d, d))) * width(k);
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
