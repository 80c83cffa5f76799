// One whole run: initialise, step through burn-in and recorded months, and
// collect the recorded metrics into a RunResult.
#pragma once

#include <cstdint>
#include <functional>

#include "core/model.hpp"
#include "core/rates.hpp"
#include "core/run_result.hpp"

namespace loyalsim {

struct SimulationOptions {
  bool record_events = false;
  // Called after every simulated month with (steps done, steps in all).
  std::function<void(std::int64_t, std::int64_t)> on_month;
};

RunResult simulate(const Model& model, const SimulationOptions& options = {});

}  // namespace loyalsim
