// Executes the runs of a design in parallel: many small runs side by side,
// each run's own month step parallel inside, so large runs use every core.
// Results go to a callback as runs finish; nothing is kept, so memory does
// not grow with the number of runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>

#include "core/errors.hpp"
#include "core/run_result.hpp"
#include "core/scenario.hpp"
#include "io/results_file.hpp"
#include "sweep/design.hpp"

namespace loyalsim {

// The base scenario with the values of one design point set.
Scenario scenario_at_point(const Scenario& base, const Design& design, std::int64_t point);

// Thrown by execute_runs when `stop` was raised: every run already handed to
// on_done is complete; runs in progress were abandoned.
class SweepInterrupted : public Error {
 public:
  SweepInterrupted() : Error("interrupted") {}
};

struct ExecutorOptions {
  bool record_events = false;
  const std::atomic<bool>* stop = nullptr;  // raised (e.g. by SIGINT): start no run, abandon those under way
  // Within one run: called after each simulated month (only when a single run executes).
  std::function<void(std::int64_t, std::int64_t)> on_month;
};

using RunDone = std::function<void(const io::RunRecord&, const RunResult&)>;

// One finished run: its runs/ row and its results.
struct FinishedRun {
  io::RunRecord record;
  RunResult result;
};

// The runs/ row of a finished run: its identity, design point and timing.
io::RunRecord finished_record(const RunId& id, const Design& design, const RunResult& result);

// Executes run `run` of the design on the calling thread (its month steps
// parallel inside, isolated from other work of the caller's arena). Throws
// SweepInterrupted when options.stop is raised. execute_runs does this for
// each of its runs; the MPI layer does it for the runs a rank is handed.
FinishedRun execute_run(const Scenario& base, const Design& design, std::int64_t run, const ExecutorOptions& options,
                        bool report_months = false);

// Runs every listed run of the design. on_done is never called by two
// threads at once, so it may write files.
void execute_runs(const Scenario& base, const Design& design, std::span<const std::int64_t> runs,
                  const ExecutorOptions& options, const RunDone& on_done);

}  // namespace loyalsim
