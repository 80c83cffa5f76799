#include "calibrate/search.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <random>

#include <nlopt.h>

#include "core/errors.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::calibrate {
namespace {

// The first step of a local search, as a share of each parameter's bounds:
// wide enough to see past the small steps that common random numbers leave
// in the objective, small enough to stay near the start.
constexpr double initial_step = 0.1;
// A restart of a local search continues only while it lowers the objective
// by more than this share (see search()).
constexpr double restart_gain = 1e-3;

// One NLopt run: what its objective callback needs.
struct Stage {
  Stage(const CalibrationSpec& spec_, const Evaluator& evaluator_, Trace& trace_, const OnEvaluation& on_evaluation_,
        int number_, std::int64_t budget_)
      : spec(spec_), evaluator(evaluator_), trace(trace_), on_evaluation(on_evaluation_), number(number_),
        budget(budget_) {}
  const CalibrationSpec& spec;
  const Evaluator& evaluator;
  Trace& trace;
  const OnEvaluation& on_evaluation;
  int number = 0;
  std::int64_t budget = 0;  // evaluations this stage may make
  std::int64_t used = 0;
  double best = HUGE_VAL;  // the lowest objective this stage saw
  nlopt_opt opt = nullptr;
  bool interrupted = false;
  std::exception_ptr failure;
};

// NLopt calls this from C: nothing may propagate out of it. Interruptions
// and failures are kept and the optimiser asked to stop.
double objective_callback(unsigned n, const double* x, double* gradient, void* data) {
  (void)gradient;  // derivative-free algorithms only: never asked for
  Stage& stage = *static_cast<Stage*>(data);
  if (stage.used >= stage.budget) {
    nlopt_force_stop(stage.opt);
    return HUGE_VAL;
  }
  try {
    std::vector<double> unit(x, x + n);
    for (double& u : unit) u = std::clamp(u, 0.0, 1.0);
    const Evaluation evaluation = stage.evaluator.evaluate(from_unit(stage.spec, unit));
    ++stage.used;
    stage.best = std::min(stage.best, evaluation.objective);
    stage.trace.add(evaluation, stage.number);
    if (stage.on_evaluation) stage.on_evaluation(stage.trace);
    return evaluation.objective;
  } catch (const SweepInterrupted&) {
    stage.interrupted = true;
  } catch (...) {
    stage.failure = std::current_exception();
  }
  nlopt_force_stop(stage.opt);
  return HUGE_VAL;
}

// Owns an nlopt_opt.
struct Optimiser {
  nlopt_opt opt;
  Optimiser(nlopt_algorithm algorithm, unsigned n) : opt(nlopt_create(algorithm, n)) {
    if (opt == nullptr) throw Error("NLopt: cannot create the optimiser");
  }
  ~Optimiser() { nlopt_destroy(opt); }
  Optimiser(const Optimiser&) = delete;
  Optimiser& operator=(const Optimiser&) = delete;
};

nlopt_algorithm nlopt_algorithm_of(LocalAlgorithm a) {
  switch (a) {
    case LocalAlgorithm::bobyqa:
      return NLOPT_LN_BOBYQA;
    case LocalAlgorithm::neldermead:
      return NLOPT_LN_NELDERMEAD;
    case LocalAlgorithm::sbplx:
      return NLOPT_LN_SBPLX;
  }
  return NLOPT_LN_BOBYQA;
}

std::string reason_of(nlopt_result result) {
  switch (result) {
    case NLOPT_SUCCESS:
    case NLOPT_STOPVAL_REACHED:
    case NLOPT_FTOL_REACHED:
      return "converged";
    case NLOPT_XTOL_REACHED:
      return "converged (steps below the tolerance)";
    case NLOPT_MAXEVAL_REACHED:
      return "used its whole budget";
    case NLOPT_MAXTIME_REACHED:
      return "ran out of time";
    case NLOPT_ROUNDOFF_LIMITED:
      return "stopped by roundoff";
    case NLOPT_FORCED_STOP:
      return "stopped";
    default:
      return "failed (NLopt code " + std::to_string(static_cast<int>(result)) + ")";
  }
}

// Runs one stage from `x` (unit cube), updating x to its best point.
std::string run_stage(Stage& stage, nlopt_algorithm algorithm, std::vector<double>& x, SearchOutcome& outcome) {
  const auto n = static_cast<unsigned>(x.size());
  Optimiser optimiser(algorithm, n);
  stage.opt = optimiser.opt;
  nlopt_set_lower_bounds1(optimiser.opt, 0.0);
  nlopt_set_upper_bounds1(optimiser.opt, 1.0);
  nlopt_set_min_objective(optimiser.opt, objective_callback, &stage);
  nlopt_set_maxeval(optimiser.opt, static_cast<int>(std::min<std::int64_t>(stage.budget, 1 << 30)));
  nlopt_set_xtol_abs1(optimiser.opt, stage.spec.search.tolerance);
  if (algorithm != NLOPT_GN_CRS2_LM && algorithm != NLOPT_GN_ISRES) {
    // The step must fit inside the box on one side of the start.
    std::vector<double> step(n, initial_step);
    nlopt_set_initial_step(optimiser.opt, step.data());
  }
  double value = 0.0;
  const nlopt_result result = nlopt_optimize(optimiser.opt, x.data(), &value);
  if (stage.failure) std::rethrow_exception(stage.failure);
  if (stage.interrupted) outcome.interrupted = true;
  if (result == NLOPT_FORCED_STOP && !stage.interrupted) return "used its whole budget";
  if (result < 0 && result != NLOPT_FORCED_STOP && result != NLOPT_ROUNDOFF_LIMITED)
    throw Error("NLopt: the " + std::string(nlopt_algorithm_name(algorithm)) + " search " + reason_of(result));
  return reason_of(result);
}

// A point of the unit cube from the calibration seed's own stream (the
// 53 high bits of a 64-bit Mersenne twister: the same on every platform).
std::vector<double> scattered_point(std::mt19937_64& random, std::size_t n) {
  std::vector<double> x(n);
  for (double& u : x) u = static_cast<double>(random() >> 11) * 0x1.0p-53;
  return x;
}

}  // namespace

void Trace::add(const Evaluation& evaluation, int stage) {
  TraceEntry entry;
  entry.parameters = evaluation.parameters;
  entry.moments = evaluation.moments.values;
  entry.objective = evaluation.objective;
  entry.undefined = evaluation.undefined;
  entry.stage = stage;
  entry.wall_seconds = evaluation.wall_seconds;
  entries.push_back(std::move(entry));
  if (stage == standard_error_stage) return;
  ++search_evaluations;
  if (!best || evaluation.objective < entries[*best].objective) {
    best = entries.size() - 1;
    best_evaluation = evaluation;
  }
}

std::vector<double> to_unit(const CalibrationSpec& spec, const std::vector<double>& parameters) {
  std::vector<double> unit(parameters.size());
  for (std::size_t k = 0; k < unit.size(); ++k) {
    const FittedParameter& p = spec.parameters[k];
    unit[k] = std::clamp((parameters[k] - p.lower) / (p.upper - p.lower), 0.0, 1.0);
  }
  return unit;
}

std::vector<double> from_unit(const CalibrationSpec& spec, const std::vector<double>& unit) {
  std::vector<double> parameters(unit.size());
  for (std::size_t k = 0; k < unit.size(); ++k) {
    const FittedParameter& p = spec.parameters[k];
    // Clamped again: lower + 1 x width may round past upper.
    parameters[k] = std::clamp(p.lower + unit[k] * (p.upper - p.lower), p.lower, p.upper);
  }
  return parameters;
}

SearchOutcome search(const CalibrationSpec& spec, const Evaluator& evaluator, Trace& trace,
                     const OnEvaluation& on_evaluation) {
  const SearchSettings& settings = spec.search;
  const std::size_t n = spec.parameters.size();
  SearchOutcome outcome;
  // CRS2 and ISRES draw from NLopt's own generator, seeded by the clock
  // unless told: the calibration seed makes them repeatable.
  nlopt_srand(static_cast<unsigned long>(settings.seed));
  std::mt19937_64 random(settings.seed ^ 0x5ca1ab1e0ddba11ull);

  std::vector<double> start;
  for (const FittedParameter& p : spec.parameters) start.push_back(p.start);
  std::vector<double> x = to_unit(spec, start);
  std::int64_t left = settings.budget;

  if (settings.global != GlobalAlgorithm::none) {
    Stage stage(spec, evaluator, trace, on_evaluation, global_stage, std::max<std::int64_t>(1, left / 2));
    outcome.stop_reason =
        run_stage(stage, settings.global == GlobalAlgorithm::crs2 ? NLOPT_GN_CRS2_LM : NLOPT_GN_ISRES, x, outcome);
    left -= stage.used;
    if (outcome.interrupted) return outcome;
    if (trace.best) x = to_unit(spec, trace.entries[*trace.best].parameters);
  }
  for (std::int64_t s = 0; s < settings.starts && left > 0; ++s) {
    if (s > 0) x = scattered_point(random, n);
    std::int64_t share = std::max<std::int64_t>(1, left / (settings.starts - s));
    // Restarts: common random numbers leave small steps in the objective,
    // which can make a local search shrink its steps and stop on a ledge of
    // a slope. So a search that stops before its budget is run again from
    // its best point with its first, wide step, as long as that lowers the
    // objective by more than restart_gain of itself.
    double before = HUGE_VAL;
    while (share > 0) {
      Stage stage(spec, evaluator, trace, on_evaluation, static_cast<int>(s + 1), share);
      outcome.stop_reason = run_stage(stage, nlopt_algorithm_of(settings.algorithm), x, outcome);
      share -= stage.used;
      left -= stage.used;
      if (outcome.interrupted) return outcome;
      const bool first = before == HUGE_VAL;
      if (stage.used == 0 || !(first || stage.best < before - restart_gain * std::fabs(before))) break;
      before = std::min(before, stage.best);
    }
  }
  return outcome;
}

}  // namespace loyalsim::calibrate
