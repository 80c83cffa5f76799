// --dry-run: what a run would take (runs, memory, output size, time),
// printed after the same input checks a real run makes, without running it
// and without writing any file. It answers in well under a second for any
// accepted input: the sizes come from the checked design's extent, and the
// time from a small probe run whose customers, reps and months are capped.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/sweep_output.hpp"
#include "core/scenario.hpp"
#include "sweep/check_points.hpp"
#include "sweep/design.hpp"

namespace loyalsim::cli {

// The probe's caps: what one dry run may simulate at most.
inline constexpr std::int64_t probe_max_customers = 20000;
inline constexpr std::int64_t probe_max_reps = 20000;
inline constexpr std::int64_t probe_max_customer_months = 1000000;
inline constexpr double probe_max_cells = 100000;  // firms x segments the probe may record

void print_dry_run(std::ostream& out, const Scenario& scenario, const Design& design, const SweepExtent& extent,
                   const OutputPaths& paths, int threads, bool events);

// "42.1 s", "3 min 20 s", "2 d 4 h 56 min": a duration a reader takes in at once.
std::string human_duration(double seconds);

}  // namespace loyalsim::cli
