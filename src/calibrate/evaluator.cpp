#include "calibrate/evaluator.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

#include "core/sweep_spec.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::calibrate {

double objective_of(std::span<const double> moments, std::span<const Target> targets, std::size_t& undefined) {
  undefined = 0;
  double sum = 0.0;
  for (std::size_t j = 0; j < targets.size(); ++j) {
    if (std::isnan(moments[j])) {
      ++undefined;
      sum += undefined_moment_penalty;
      continue;
    }
    const double gap = moments[j] - targets[j].value;
    sum += targets[j].weight * gap * gap;
  }
  return sum;
}

Evaluation Evaluator::evaluate(std::span<const double> parameters) const {
  const auto start = std::chrono::steady_clock::now();
  // A one-point design: its runs are the replicates of point 0, so their
  // seeds are the same at every evaluation (common random numbers).
  Design design;
  design.spec.design = DesignType::list;
  design.spec.replicates = spec_.search.replicates;
  for (std::size_t k = 0; k < spec_.parameters.size(); ++k) {
    SweepParameter p;
    p.path = spec_.parameters[k].path;
    p.values = {parameters[k]};
    design.spec.parameters.push_back(std::move(p));
  }
  design.point_count = 1;
  design.points.assign(parameters.begin(), parameters.end());

  std::vector<std::int64_t> runs(static_cast<std::size_t>(design.runs()));
  std::iota(runs.begin(), runs.end(), std::int64_t{0});
  std::vector<RunResult> results(runs.size());
  ExecutorOptions options;
  options.stop = stop_;
  execute_runs(spec_.scenario, design, runs, options, [&](const io::RunRecord& record, const RunResult& result) {
    // Only the totals are needed: the timeseries are not copied.
    RunResult& kept = results[static_cast<std::size_t>(record.replicate)];
    kept.months = result.months;
    kept.firms = result.firms;
    kept.segments = result.segments;
    kept.totals = result.totals;
  });

  Evaluation evaluation;
  evaluation.parameters.assign(parameters.begin(), parameters.end());
  evaluation.moments = moments_of(results, spec_.targets);
  evaluation.objective = objective_of(evaluation.moments.values, spec_.targets, evaluation.undefined);
  evaluation.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return evaluation;
}

}  // namespace loyalsim::calibrate
