// The rates of summary/, from its count totals only. Because no rate reads
// anything but count totals, totals summed over runs, firms or segments
// give the pooled rates by calling compute_rates again (pool_totals; the
// sweep's "pooled over all runs" table).
#pragma once

#include <vector>

#include "core/run_result.hpp"

namespace loyalsim {

// The rates of summary/ from its count totals (NaN where undefined).
void compute_rates(RunResult& result);

// One pooled cell: every count total summed over the firms and segments
// selected (firms[f], segments[s] true; an empty mask selects all), then
// compute_rates. The result is 0 months x 1 firm x 1 segment (no series).
// Throws std::invalid_argument if a non-empty mask's size differs from the
// result's firms or segments.
RunResult pool_totals(const RunResult& result, const std::vector<bool>& firms, const std::vector<bool>& segments);

}  // namespace loyalsim
