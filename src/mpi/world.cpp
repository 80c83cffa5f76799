#include "mpi/world.hpp"

#include <mpi.h>

#include <cstdlib>

namespace loyalsim::mpi {
namespace {

bool initialised_here = false;
int granted_level = 0;
int local_ranks = 1;

bool is_running() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised != 0 && finalised == 0;
}

}  // namespace

bool launched_by_mpi() {
  // Open MPI's mpirun, then PMIx (Open MPI 4+, srun --mpi=pmix), then PMI-1/2
  // (MPICH's mpiexec, srun --mpi=pmi2).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

Session::Session(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  // MULTIPLE is asked for (a split run's reductions may be issued from the
  // thread that runs it); the sweep layer needs only FUNNELED: it makes
  // every call from the main thread.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &granted_level);
  // MPI's default error handler stays: a failed MPI call (a peer that died)
  // ends the job, rather than leaving ranks waiting for each other.
  // A collective: every rank asks here, at start-up, never later on one rank alone.
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local_ranks);
  MPI_Comm_free(&node);
  initialised_here = true;
}

Session::~Session() {
  if (initialised_here && is_running()) MPI_Finalize();
}

World world() {
  World w;
  if (!is_running()) return w;
  MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &w.size);
  w.thread_level = granted_level;
  w.local_size = local_ranks;
  return w;
}

void abort_job(int code) {
  if (is_running()) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace loyalsim::mpi
