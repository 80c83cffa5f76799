// The MPI layer's entry points: starting and ending MPI, and which process
// this is. Only the CLI and src/mpi/ include this; the core, io and sweep
// layers stay free of MPI (SPEC §8). Built only with LOYALSIM_WITH_MPI.
#pragma once

#include <string>

namespace loyalsim::mpi {

// True when a launcher (mpirun/mpiexec, or srun with PMIx/PMI) started this
// process: it set the environment a process of an MPI job gets. A plain
// `loyalsim run` never initialises MPI, so it starts and runs as fast as a
// build without MPI.
bool launched_by_mpi();

// MPI_Init_thread on construction (only when launched_by_mpi()), and
// MPI_Finalize on destruction. One per process, in main().
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

// This process's place in the job: rank 0 of 1 when MPI is not running.
struct World {
  int rank = 0;
  int size = 1;
  int local_size = 1;  // ranks on this node (they share its cores)
  // The thread support MPI granted (MPI_THREAD_*); all calls of the sweep
  // layer are made from the main thread, so FUNNELED suffices for it.
  int thread_level = 0;

  bool root() const { return rank == 0; }
  bool distributed() const { return size > 1; }
};

// The world as of now: {0, 1} before or without MPI_Init.
World world();

// Ends the whole job at once (MPI_Abort): for a failure that leaves the
// ranks unable to agree on how to stop. Without MPI, std::exit(code).
[[noreturn]] void abort_job(int code);

}  // namespace loyalsim::mpi
