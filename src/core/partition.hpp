// One run's customers shared among processes (SPEC section 8): which
// customers this process holds, and the exact reductions that make the
// processes' results one. The core knows only this interface; the MPI layer
// (src/mpi/) implements it over ranks, and the tests over threads. The
// default, no reducer and the whole population, is one process as before.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/run_result.hpp"

namespace loyalsim {

// The global customer ids [first, first + count) a process holds. A
// customer's random draws are keyed by its global id, so they do not
// depend on which process holds it. count < 0: every customer.
struct CustomerSlice {
  std::int64_t first = 0;
  std::int64_t count = -1;
};

// Part `part` (0-based) of `parts` of `customers`: contiguous, in part
// order, sizes differing by at most one. Concatenating the parts' results
// in part order gives customer order, as one process has it.
inline CustomerSlice slice_of(std::int64_t customers, int part, int parts) {
  if (parts < 1 || part < 0 || part >= parts || customers < 0)
    throw std::invalid_argument("slice_of: part " + std::to_string(part) + " of " + std::to_string(parts));
  const std::int64_t base = customers / parts, extra = customers % parts;
  const std::int64_t first = part * base + std::min<std::int64_t>(part, extra);
  return {first, base + (part < extra ? 1 : 0)};
}

// The collective operations of a split run. Every process calls each one
// at the same point of the run, in the same order, with spans of the same
// size (the run's structure makes it so: only rep dynamics and months decide
// when, and those are the same everywhere). Sums are of integers, so the
// result is exact and independent of the number of processes.
class MonthReducer {
 public:
  virtual ~MonthReducer() = default;
  // Replaces `values`, on every process, by their element-wise sum over all processes.
  virtual void sum(std::span<std::int64_t> values) = 0;
  virtual void sum(std::span<std::int32_t> values) = 0;
  // On the root process, `events` becomes every process's events, in
  // process order; on the others it is left empty.
  virtual void gather(std::vector<DecisionEvent>& events) = 0;
};

// How a run is split: this process's slice and the reducer joining it to
// the others. No reducer: one process, which must hold every customer.
struct Partition {
  CustomerSlice slice;
  MonthReducer* reducer = nullptr;
};

}  // namespace loyalsim
