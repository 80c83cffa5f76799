// The executor runs many runs side by side: a failure in one (its set-up, or
// handing its result on, e.g. a write error) must reach the caller, and must
// not change the results of the runs that are delivered.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/simulate.hpp"
#include "sweep/executor.hpp"

namespace loyalsim {
namespace {

struct InjectedFailure : std::runtime_error {
  InjectedFailure() : std::runtime_error("injected failure") {}
};

// Busy enough that a run takes many month steps, each a parallel loop, so
// that other runs are under way when one fails.
Scenario busy_scenario() {
  Scenario scenario;
  scenario.seed = 11;
  scenario.market.customers = 20000;
  scenario.market.months = 24;
  scenario.market.burn_in_months = 2;
  FirmParams a;
  a.name = "A";
  a.reps = 40;
  a.rep_turnover_annual = 0.4;
  FirmParams b = a;
  b.name = "B";
  scenario.firms = {a, b};
  SegmentParams segment;
  segment.name = "s";
  scenario.segments = {segment};
  return scenario;
}

Design replicates_design(std::int64_t replicates) {
  Design design = single_run_design();
  design.spec.replicates = replicates;
  return design;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  // memcmp of an empty vector's data() (null) would be undefined.
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// The run as it comes out when simulated on its own.
RunResult alone(const Scenario& scenario, const Design& design, std::int64_t run) {
  const RunId id = run_id(design, run, scenario.seed);
  return simulate(make_model(scenario_at_point(scenario, design, id.point), id.seed), {});
}

void expect_same_as_alone(const Scenario& scenario, const Design& design,
                          const std::map<std::int64_t, RunResult>& got) {
  for (const auto& [run, result] : got) {
    const RunResult expected = alone(scenario, design, run);
    for (std::size_t m = 0; m < series_metrics.size(); ++m)
      EXPECT_TRUE(result.series.counts[m] == expected.series.counts[m] &&
                  same_bits(result.series.reals[m], expected.series.reals[m]))
          << "run " << run << ": timeseries " << series_metrics[m].name << " differs from the run alone";
    for (std::size_t m = 0; m < summary_metrics.size(); ++m)
      EXPECT_TRUE(result.totals.counts[m] == expected.totals.counts[m] &&
                  same_bits(result.totals.reals[m], expected.totals.reals[m]))
          << "run " << run << ": summary " << summary_metrics[m].name << " differs from the run alone";
  }
}

// Runs execute_runs with four threads (more than the cores of a small
// machine, so that runs overlap), collecting what on_done receives into
// `delivered`; on_done throws for `failing_run`.
void execute_failing(const Scenario& scenario, const Design& design, std::int64_t failing_run,
                     std::map<std::int64_t, RunResult>& delivered) {
  std::vector<std::int64_t> runs;
  for (std::int64_t r = 0; r < design.runs(); ++r) runs.push_back(r);
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 4);
  tbb::task_arena arena(4);
  arena.execute([&] {
    execute_runs(scenario, design, runs, {}, [&](const io::RunRecord& record, const RunResult& result) {
      if (record.run == failing_run) throw InjectedFailure();
      delivered.emplace(record.run, result);
    });
  });
}

TEST(Executor, AnExceptionFromOneRunReachesTheCaller) {
  const Scenario scenario = busy_scenario();
  const Design design = replicates_design(6);
  for (const std::int64_t failing : {0, 5}) {
    std::map<std::int64_t, RunResult> delivered;
    EXPECT_THROW(execute_failing(scenario, design, failing, delivered), InjectedFailure);
    EXPECT_EQ(delivered.count(failing), 0u);
  }
}

// Whichever runs were delivered before or while one run failed are exactly
// what each gives on its own: the failure cancels runs not yet started, but
// must not cut short the month steps of runs under way.
TEST(Executor, RunsDeliveredAroundAFailureAreUnaffected) {
  const Scenario scenario = busy_scenario();
  const Design design = replicates_design(8);
  for (const std::int64_t failing : {0, 1, 3}) {
    std::map<std::int64_t, RunResult> delivered;
    EXPECT_THROW(execute_failing(scenario, design, failing, delivered), InjectedFailure);
    expect_same_as_alone(scenario, design, delivered);
  }
}

// Runs are handed out in the order listed, so on two threads they finish
// near it (the results file lays out a run's events once every run before
// it has finished: runs far out of order would leave them all to the end,
// and an interrupted sweep would spend seconds writing them). Splitting the
// list in halves, one per thread, finished run 30 of 60 second.
TEST(Executor, RunsFinishNearTheOrderListed) {
  // Runs of some milliseconds each, so that a thread held up briefly does
  // not let the other get far ahead.
  const Scenario scenario = busy_scenario();
  const Design design = replicates_design(60);
  std::vector<std::int64_t> runs;
  for (std::int64_t r = 0; r < design.runs(); ++r) runs.push_back(r);
  std::vector<std::int64_t> finished;
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 2);
  tbb::task_arena arena(2);
  arena.execute([&] {
    execute_runs(scenario, design, runs, {},
                 [&](const io::RunRecord& record, const RunResult&) { finished.push_back(record.run); });
  });
  ASSERT_EQ(finished.size(), runs.size());
  // Generous: a thread held up for a dozen runs (a loaded machine) still passes.
  for (std::size_t k = 0; k < finished.size(); ++k)
    EXPECT_LE(std::abs(finished[k] - static_cast<std::int64_t>(k)), 15) << "run " << finished[k] << " finished " << k;
}

// A run whose set-up fails (here: a headcount past 32-bit rep ids) stops the
// sweep with that run's own error, message intact.
TEST(Executor, ASetUpErrorInOneRunReachesTheCallerWithItsMessage) {
  const Scenario scenario = busy_scenario();
  Design design;
  design.spec.parameters.push_back(SweepParameter{"firms.A.reps", {}, 0.0, 0.0, true});
  design.point_count = 3;
  design.points = {40, 2e9, 40};
  const std::vector<std::int64_t> runs{0, 1, 2};
  try {
    execute_runs(scenario, design, runs, {}, [](const io::RunRecord&, const RunResult&) {});
    ADD_FAILURE() << "execute_runs did not throw";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("too many for 32-bit rep ids"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace loyalsim
