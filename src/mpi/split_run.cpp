#include "mpi/split_run.hpp"

#include <mpi.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <span>

#include "core/model.hpp"
#include "core/simulate.hpp"
#include "mpi/reducer.hpp"
#include "mpi/run_slots.hpp"

namespace loyalsim::mpi {
namespace {

// A logical OR over the ranks.
bool any_rank(bool mine) {
  int flag = mine ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return flag != 0;
}

// The reductions' cost, for docs/SCALING.md (LOYALSIM_MPI_STATS; rank 0 speaks).
void report(const World& world, const ReductionStats& stats, std::int64_t months, double wall_seconds) {
  if (!stats.on || !world.root()) return;
  const double per_month = 1e6 / static_cast<double>(std::max<std::int64_t>(months, 1));
  std::cerr << "loyalsim: mpi stats: split run over " << world.size << " ranks, " << months
            << " months: " << stats.calls << " reductions (" << stats.bytes << " bytes from rank 0); reducing "
            << stats.reducing_seconds << " s (" << stats.reducing_seconds * per_month
            << " us per month), waiting for the slowest rank " << stats.waiting_seconds << " s ("
            << stats.waiting_seconds * per_month << " us per month), of " << wall_seconds << " s\n";
}

}  // namespace

bool split_wanted(const World& world, bool asked, std::size_t run_bytes, std::size_t available) {
  if (asked) return true;
  if (available == 0) return false;
  return run_bytes > available / static_cast<std::size_t>(std::max(1, world.local_size));
}

bool agree_to_split(const World& world, bool wanted) { return world.distributed() && any_rank(wanted); }

std::int64_t share_split_run(const World& world, std::int64_t run) {
  (void)world;
  MPI_Bcast(&run, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  return run;
}

FinishedRun execute_split_run(const World& world, const Scenario& base, const Design& design, std::int64_t run,
                              const ExecutorOptions& options) {
  FinishedRun finished;
  try {
    const RunId id = run_id(design, run, base.seed);
    const Model model = make_model(scenario_at_point(base, design, id.point), id.seed);
    MpiReducer reducer(MPI_COMM_WORLD);

    SimulationOptions simulation;
    simulation.record_events = options.record_events;
    simulation.partition = {slice_of(model.customers, world.rank, world.size), &reducer};
    // Each month, one more collective: whether any rank was interrupted. All
    // ranks see the same answer after the same month, so all stop there.
    // The test hook LOYALSIM_TEST_FAIL_RANK=K[:N] (mpi/run_slots.hpp): in a
    // split run, rank K fails after N + 1 months (a "run" there is a month).
    InjectedFailure injected(world.rank);
    simulation.on_month = [&](std::int64_t done, std::int64_t total) {
      injected.before_run();
      if (world.root()) signal_mpirun_after(done, options.stop);
      const bool mine = options.stop != nullptr && options.stop->load(std::memory_order_relaxed);
      if (reducer.any(mine)) throw SweepInterrupted();
      if (world.root() && options.on_month) options.on_month(done, total);
    };
    finished.result = simulate(model, simulation);
    report(world, reducer.stats(), model.steps, finished.result.wall_seconds);

    finished.record = finished_record(id, design, finished.result);
  } catch (const SweepInterrupted&) {
    throw;  // every rank agreed on it, after the same month
  } catch (const std::exception& e) {
    // The other ranks wait in this month's sums and cannot learn of it.
    std::cerr << "loyalsim: error: rank " << world.rank << ": " << e.what() << "\n";
    abort_job(1);
  }
  return finished;
}

}  // namespace loyalsim::mpi
