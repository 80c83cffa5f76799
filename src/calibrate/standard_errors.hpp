// Approximate standard errors of the fitted parameters by the method of
// moments (docs/CALIBRATION.md, "Standard errors"), and the identification
// check. With G the Jacobian of the moments at the optimum, W = diag of the
// target weights (1/se^2) and H = G'WG:
//
//   Var(theta) ~ H^-1 + H^-1 G'W (S/R) W G H^-1
//
// the first term from the targets' own standard errors, the second from
// the simulation noise of R replicates (S: the covariance of one
// replicate's moments; with S equal to the targets' covariance this is the
// familiar (1 + 1/R) H^-1 of simulated method of moments).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "calibrate/evaluator.hpp"
#include "calibrate/search.hpp"
#include "calibrate/spec.hpp"

namespace loyalsim::calibrate {

// Thresholds of the identification check, in the units of each parameter's
// bounds (H computed for parameters scaled to [0, 1]):
// - a flat direction: an eigenvalue of H below flat_ratio x the largest;
inline constexpr double flat_ratio = 1e-10;
// - eigenvector entries at least this large name the parameters of a flat direction;
inline constexpr double flat_loading = 0.3;
// - weakly identified: the approximate 95% interval (+-1.96 se) is wider than the bounds.
inline constexpr double weak_interval_z = 1.96;

// Stored as int8 in the output (flag_values 0..3, flag_meanings below).
enum class Identified : std::int8_t { no = 0, yes = 1, weakly = 2, unknown = 3 };
inline constexpr const char* identified_meanings = "not_identified identified weakly_identified unknown";

struct StandardErrors {
  std::vector<double> jacobian;     // targets x parameters, row-major: d moment / d parameter
  std::vector<double> se;           // per parameter, both terms (NaN where not identified or not computable)
  std::vector<double> se_targets;   // the first term alone
  std::vector<double> eigenvalues;  // of H in bound units, ascending, over the parameters with an effect
  std::vector<Identified> identified;
  std::vector<std::string> warnings;  // one sentence each, naming the parameters
};

// Central differences of the moments at `at` (a bound-clipped step of
// spec.search.jacobian_step x the bounds' width on each side, the same
// seeds as every evaluation), each evaluation added to `trace` as the
// standard-error stage. `at` is taken by value: it is often a trace
// entry's parameters, which adding to the trace may move. Throws
// SweepInterrupted when stopped.
std::vector<double> moment_jacobian(const CalibrationSpec& spec, const Evaluator& evaluator, std::vector<double> at,
                                    Trace& trace, const OnEvaluation& on_evaluation);

// The standard errors and identification warnings from the Jacobian and
// the replicate values of the best evaluation.
StandardErrors standard_errors(const CalibrationSpec& spec, const Evaluation& best, std::vector<double> jacobian);

}  // namespace loyalsim::calibrate
