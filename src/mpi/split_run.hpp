// One run split across the ranks of an MPI job (SPEC §8, docs/SCALING.md,
// "A single run split across ranks"): each rank holds a contiguous slice of
// the customers (core/partition.hpp) and every rep; the ranks advance the
// rep dynamics identically and join their customers' counts each month by
// exact integer sums (mpi/reducer.hpp). Rank 0 ends with the whole run's
// result, equal bit for bit to the one process's, and writes the file as a
// single process does; the others write nothing.
//
// Every month the ranks also agree whether to stop (an interrupt seen by any
// of them), so all stop after the same month and rank 0 leaves the same
// resumable state as one process. A rank that fails mid-run cannot tell the
// others, who wait in the next month's sums: it prints
// "loyalsim: error: rank K: ..." and ends the job (MPI_Abort). The job's
// files are then left as a killed process leaves them (the interrupted
// run's journal; the next `loyalsim run` says to --resume or --force).
// The test hook LOYALSIM_TEST_FAIL_RANK=K[:N] makes rank K fail after month
// N + 1 (burn-in included) of a split run.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/scenario.hpp"
#include "mpi/world.hpp"
#include "sweep/design.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::mpi {

// This rank's own view: split a single run when asked (--split-customers)
// or when it does not fit this rank's share of the node's available memory
// (`available` / ranks on the node; 0 = unknown: only when asked).
bool split_wanted(const World& world, bool asked, std::size_t run_bytes, std::size_t available);

// The ranks' common verdict: split if any rank wants to (a collective).
bool agree_to_split(const World& world, bool wanted);

// Rank 0's choice of the run to split (-1: none, nothing to do), sent to
// every rank; each returns it. A collective.
std::int64_t share_split_run(const World& world, std::int64_t run);

// Every rank: executes run `run` of the design with this rank's slice of
// its customers, on the calling (main) thread, its month steps parallel
// over the rank's threads. options.stop is this rank's interrupt flag; an
// interrupt anywhere throws SweepInterrupted on every rank after the same
// month. options.on_month is called on rank 0 only. Rank 0's result is the
// whole run's; the others' lack the events.
FinishedRun execute_split_run(const World& world, const Scenario& base, const Design& design, std::int64_t run,
                              const ExecutorOptions& options);

}  // namespace loyalsim::mpi
