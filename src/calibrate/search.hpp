// The search for the parameters that minimise the objective: derivative-free
// optimisers from NLopt over the box of the parameters' bounds, scaled to
// the unit cube so that one tolerance and one initial step suit every
// parameter. An optional global stage (CRS2 or ISRES) spends half the budget
// looking over the whole box; then one or more local searches (BOBYQA,
// Nelder-Mead or Sbplx) share the rest, the first from the start values (or
// the global stage's best point), the others from scattered points drawn
// with the calibration seed. A local search that stops before its share of
// the budget is restarted from its best point while that still helps
// (common random numbers leave small steps in the objective, on which a
// search can stall).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/evaluator.hpp"
#include "calibrate/spec.hpp"

namespace loyalsim::calibrate {

// Stage numbers of trace entries.
inline constexpr int global_stage = 0;           // 1, 2, ...: the local searches, in order
inline constexpr int standard_error_stage = -1;  // the finite differences at the optimum

struct TraceEntry {
  std::vector<double> parameters;
  std::vector<double> moments;
  double objective = 0.0;
  std::size_t undefined = 0;
  int stage = 0;
  double wall_seconds = 0.0;
};

// Every evaluation, in the order made, and the best of the search.
struct Trace {
  std::vector<TraceEntry> entries;
  std::optional<std::size_t> best;  // the lowest objective of the search stages (not the finite differences)
  Evaluation best_evaluation;       // that evaluation in full (replicate values too)
  std::int64_t search_evaluations = 0;

  void add(const Evaluation& evaluation, int stage);
};

struct SearchOutcome {
  bool interrupted = false;
  std::string stop_reason;  // why the last search stage stopped: "converged", "used its whole budget", ...
};

// Called after every evaluation (for progress).
using OnEvaluation = std::function<void(const Trace&)>;

// Runs the search, adding every evaluation to `trace` as it finishes, so
// the caller keeps the trace however the search ends. An interruption
// (SweepInterrupted from the evaluator) ends it with interrupted = true;
// any other exception propagates, the trace kept.
SearchOutcome search(const CalibrationSpec& spec, const Evaluator& evaluator, Trace& trace,
                     const OnEvaluation& on_evaluation);

// Parameter values <-> the unit cube of their bounds.
std::vector<double> to_unit(const CalibrationSpec& spec, const std::vector<double>& parameters);
std::vector<double> from_unit(const CalibrationSpec& spec, const std::vector<double>& unit);

}  // namespace loyalsim::calibrate
