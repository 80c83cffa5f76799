// The core's MonthReducer (core/partition.hpp) over MPI: exact integer sums
// by MPI_Allreduce, and the decision events gathered on rank 0 in rank
// order (which is customer order: the slices are contiguous and ascending).
// Every call is made from the rank's main thread (mpi/split_run.cpp runs
// the split run's months there), so MPI_THREAD_FUNNELED suffices.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <span>
#include <vector>

#include "core/partition.hpp"

namespace loyalsim::mpi {

// For docs/SCALING.md: with LOYALSIM_MPI_STATS set, each collective is
// preceded by a barrier, timed apart, so that the time ranks wait for the
// slowest (load imbalance) and the time the reduction itself takes
// (latency and bandwidth) are told apart. Off (the default), no barrier.
struct ReductionStats {
  bool on = false;
  std::int64_t calls = 0;
  std::uint64_t bytes = 0;  // sent by this rank
  double waiting_seconds = 0, reducing_seconds = 0;
};

class MpiReducer final : public MonthReducer {
 public:
  explicit MpiReducer(MPI_Comm comm);
  void sum(std::span<std::int64_t> values) override;
  void sum(std::span<std::int32_t> values) override;
  void gather(std::vector<DecisionEvent>& events) override;
  // A logical OR over the ranks (the split run's monthly stop agreement).
  bool any(bool mine);

  const ReductionStats& stats() const { return stats_; }

 private:
  // Runs `reduce` (one collective of `bytes`), timed when stats are on.
  template <class Reduce>
  void timed(std::size_t bytes, Reduce reduce);
  void gather_now(std::vector<DecisionEvent>& events);

  MPI_Comm comm_;
  ReductionStats stats_;
};

}  // namespace loyalsim::mpi
