// The core's MonthReducer (core/partition.hpp) over MPI: exact integer sums
// by MPI_Allreduce, and the decision events gathered on rank 0 in rank
// order (which is customer order: the slices are contiguous and ascending).
// Every call is made from the rank's main thread (mpi/split_run.cpp runs
// the split run's months there), so MPI_THREAD_FUNNELED suffices.
#pragma once

#include <mpi.h>

#include "core/partition.hpp"

namespace loyalsim::mpi {

class MpiReducer final : public MonthReducer {
 public:
  explicit MpiReducer(MPI_Comm comm) : comm_(comm) {}
  void sum(std::span<std::int64_t> values) override;
  void sum(std::span<std::int32_t> values) override;
  void gather(std::vector<DecisionEvent>& events) override;

 private:
  MPI_Comm comm_;
};

}  // namespace loyalsim::mpi
