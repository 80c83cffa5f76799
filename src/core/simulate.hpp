// One whole run: initialise, step through burn-in and recorded months, and
// collect the recorded metrics into a RunResult.
#pragma once

#include <cstdint>
#include <functional>

#include "core/model.hpp"
#include "core/partition.hpp"
#include "core/rates.hpp"
#include "core/run_result.hpp"

namespace loyalsim {

struct SimulationOptions {
  bool record_events = false;
  // Called after every simulated month with (steps done, steps in all).
  std::function<void(std::int64_t, std::int64_t)> on_month;
  // A run split across processes (core/partition.hpp): this process's
  // customers and the reducer. Every process returns the same result,
  // except that the decision events are all on the root's.
  Partition partition;
};

RunResult simulate(const Model& model, const SimulationOptions& options = {});

}  // namespace loyalsim
