// A sweep spread over the ranks of an MPI job (SPEC §8, docs/SCALING.md).
//
// Rank 0 is the one writer: it alone opens the output and its journal. It
// hands out run numbers on demand (a work queue: a rank asks for more when a
// slot frees up, so uneven run costs balance), receives every finished run
// as a message (io::encode_run_payload: the journal's own encoding), and
// passes it to the same on_done as the single-process sweep, so the file is
// the same bit for bit, whatever the number of ranks. Rank 0 also executes
// runs with its own threads; its main thread does all the MPI calls.
//
// Stopping: a rank that throws reports rank number and what() to rank 0,
// which records nothing more, stops handing out work, tells every rank to
// stop, waits for them, and throws Error("rank K: what"). SIGINT/SIGTERM
// (mpirun forwards them) stop every rank; rank 0 throws SweepInterrupted
// as execute_runs does. Every run recorded before stays in the journal.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/scenario.hpp"
#include "mpi/world.hpp"
#include "sweep/design.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::mpi {

// Rank 0: executes the `pending` runs on every rank (`threads` slots here;
// each other rank its own) and calls on_done for each finished run, on this
// thread, one at a time. Throws as described above, or what on_done threw
// (after stopping the other ranks).
void lead_sweep(const World& world, const Scenario& base, const Design& design, std::span<const std::int64_t> pending,
                const ExecutorOptions& options, int threads, const RunDone& on_done);

// Every other rank: executes the runs rank 0 hands out, with `threads`
// slots, until it says there are no more or to stop. Returns 0 either way:
// rank 0 reports a stop and exits non-zero, and mpirun's status is its.
// options.stop is this rank's interrupt flag.
int serve_sweep(const World& world, const Scenario& base, const Design& design, const ExecutorOptions& options,
                int threads);

// The ranks' agreement before anything is written. Every rank reads the
// inputs itself; `problem` is this rank's input error (empty: none). When
// any rank has one, every rank learns it: rank 0 gets the first such
// message (its own, else "rank K: ..."), to report as an input error; the
// others just the fact. Returns the message, empty when all agree. A
// collective: every rank calls it once.
std::string agree_on_inputs(const World& world, const std::string& problem);

// Rank 0's decision on how to go on (e.g. 0: the output is ready, run;
// 2: it was refused), sent to every rank; each returns it. A collective.
int share_decision(const World& world, int decision);

// Parses the test hook LOYALSIM_TEST_FAIL_RANK (run_slots.hpp); throws
// InputError if it is malformed. Part of the input checks.
void check_test_hooks(const World& world);

}  // namespace loyalsim::mpi
