// After a sweep: the headline table of each design point (its replicates
// pooled), not one table pooled over every point, which would mix the
// points a sweep exists to tell apart. A large sweep shows its first points
// and says how many it left out, and where every run is.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/run_result.hpp"
#include "core/sweep_spec.hpp"

namespace loyalsim::cli {

// points[p]: the totals and rates of design point p, for the first
// points.size() points of the design.
void print_point_tables(std::ostream& out, const Design& design, const std::vector<RunResult>& points,
                        const std::vector<std::string>& firm_names, const std::vector<std::string>& segment_names,
                        const std::filesystem::path& file);

}  // namespace loyalsim::cli
