#include "sweep/executor.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "core/model.hpp"
#include "core/parameters.hpp"
#include "core/simulate.hpp"

namespace loyalsim {

Scenario scenario_at_point(const Scenario& base, const Design& design, std::int64_t point) {
  Scenario scenario = base;
  for (std::size_t k = 0; k < design.parameters(); ++k)
    resolve_parameter_targets(scenario, design.path(k)).set(scenario, design.value(point, k));
  return scenario;
}

io::RunRecord finished_record(const RunId& id, const Design& design, const RunResult& result) {
  io::RunRecord record;
  record.run = id.run;
  record.point = id.point;
  record.replicate = id.replicate;
  record.seed = id.seed;
  record.status = io::RunStatus::done;
  record.wall_seconds = result.wall_seconds;
  record.scripted_shortfall = result.scripted_shortfall;
  const std::span<const double> values = design.point(id.point);
  record.parameter_values.assign(values.begin(), values.end());
  return record;
}

FinishedRun execute_run(const Scenario& base, const Design& design, std::int64_t run, const ExecutorOptions& options,
                        bool report_months) {
  auto stopped = [&] { return options.stop != nullptr && options.stop->load(std::memory_order_relaxed); };
  if (stopped()) throw SweepInterrupted();
  const RunId id = run_id(design, run, base.seed);
  const Model model = make_model(scenario_at_point(base, design, id.point), id.seed);

  SimulationOptions simulation;
  simulation.record_events = options.record_events;
  simulation.on_month = [&](std::int64_t done, std::int64_t total) {
    if (stopped()) throw SweepInterrupted();
    if (options.on_month && report_months) options.on_month(done, total);
  };
  // Isolation: while this run waits for its month step, its thread must
  // not start another whole run, or concurrent runs (and memory) would
  // grow past the thread count. The run's own context: when another run
  // fails, the loop over runs is cancelled, and a context bound to it
  // would pass that on to this run's month steps, silently cutting them
  // short, and the wrong result would still be delivered. Runs under way
  // finish whole; no new run starts.
  FinishedRun finished;
  RunResult& result = finished.result;
  tbb::task_group_context run_context(tbb::task_group_context::isolated);
  tbb::this_task_arena::isolate([&] {
    tbb::task_group group(run_context);
    group.run_and_wait([&] { result = simulate(model, simulation); });
  });

  finished.record = finished_record(id, design, result);
  return finished;
}

void execute_runs(const Scenario& base, const Design& design, std::span<const std::int64_t> runs,
                  const ExecutorOptions& options, const RunDone& on_done) {
  std::mutex done_mutex;
  auto execute_one = [&](std::int64_t run) {
    const FinishedRun finished = execute_run(base, design, run, options, runs.size() == 1);
    const std::lock_guard lock(done_mutex);
    // Another run failed and cancelled this parallel_for. This run's own
    // context kept its month steps whole, but the sweep is stopping on an
    // error (often a write that failed), so no more results are handed on.
    if (tbb::task::current_context()->is_group_execution_cancelled()) return;
    on_done(finished.record, finished.result);
  };

  // The runs are handed out one at a time, in the order listed, to as many
  // workers as the arena has threads: run lengths may differ, and runs
  // that finish near the order listed let the results file lay out their
  // events as they come (io/results_file.hpp), so that an interruption has
  // little left to write. (A parallel_for over the runs splits the list in
  // halves, one per thread: the second half's runs all finished out of
  // order.)
  std::atomic<std::size_t> next{0};
  const std::size_t workers = std::max<std::size_t>(
      1, std::min(static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()),
                  tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
  tbb::parallel_for(std::size_t{0}, std::min(workers, runs.size()), [&](std::size_t) {
    for (std::size_t i = next++; i < runs.size(); i = next++) {
      // Another run failed and cancelled the workers: start no other.
      if (tbb::task::current_context()->is_group_execution_cancelled()) return;
      execute_one(runs[i]);
    }
  });
}

}  // namespace loyalsim
