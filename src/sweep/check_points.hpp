// A sweep's inputs, checked once before any run starts, the same for
// --dry-run and a real run: every design point's values against the
// scenario's fixed structure (scripted departures inside a swept horizon,
// rep ids within 32 bits), and what the largest run needs. Cheap, so a dry
// run of any accepted design answers at once: O(points x varied
// parameters), no model built.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/scenario.hpp"
#include "sweep/design.hpp"

namespace loyalsim {

struct SweepExtent {
  std::int64_t largest_customers = 0;
  std::int64_t largest_rep_capacity = 0;
  std::size_t largest_run_bytes = 0;      // agent state plus the run's results in memory (events aside)
  double customer_months = 0.0;           // over every run (points x replicates), burn-in included
  double recorded_customer_months = 0.0;  // the same without burn-in: the months events are recorded in
  double months = 0.0;                    // recorded months (the same at every point)
};

// Throws InputError naming the first design point that cannot run, with
// the values that make it so.
SweepExtent check_every_point(const Scenario& base, const Design& design);

// Bytes a run of this size holds in memory: agent state, rep slots and its
// recorded metrics (run_memory_bytes plus the RunResult), events aside.
std::size_t run_bytes(std::int64_t customers, std::int64_t rep_capacity, std::int64_t months, std::size_t firms,
                      std::size_t segments);

}  // namespace loyalsim
