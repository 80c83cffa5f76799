// One evaluation of the calibration objective: the base scenario with the
// fitted parameters set, run `replicates` times through the sweep executor
// (parallel over replicates, each run's month step parallel inside), the
// target moments computed, and the weighted distance to the targets.
//
// Common random numbers: replicate r always runs with the seed of design
// point 0, replicate r under the calibration seed, whatever the parameter
// values. Two evaluations differ only through the parameters, so the
// objective moves smoothly with them instead of jumping with fresh noise.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <vector>

#include "calibrate/moments.hpp"
#include "calibrate/spec.hpp"

namespace loyalsim::calibrate {

// Added to the objective for each undefined (NaN) moment, e.g. a rate with
// no decisions to count at those parameter values. Larger than any distance
// a reachable moment gives in practice, so the search leaves such regions,
// and finite, so the optimiser's arithmetic stays finite.
inline constexpr double undefined_moment_penalty = 1e12;

struct Evaluation {
  std::vector<double> parameters;  // the values run, in the spec's order
  Moments moments;
  double objective = 0.0;
  std::size_t undefined = 0;  // moments that were NaN (each added the penalty)
  double wall_seconds = 0.0;
};

// Sum over targets of weight x (moment - value)^2, a NaN moment adding
// undefined_moment_penalty instead; `undefined` counts those.
double objective_of(std::span<const double> moments, std::span<const Target> targets, std::size_t& undefined);

class Evaluator {
 public:
  // `stop`, when raised (SIGINT), abandons an evaluation under way:
  // evaluate() then throws SweepInterrupted.
  Evaluator(const CalibrationSpec& spec, const std::atomic<bool>* stop) : spec_(spec), stop_(stop) {}

  Evaluation evaluate(std::span<const double> parameters) const;

 private:
  const CalibrationSpec& spec_;
  const std::atomic<bool>* stop_;
};

}  // namespace loyalsim::calibrate
