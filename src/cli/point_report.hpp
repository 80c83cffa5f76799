// After a sweep: the headline table of each design point (its replicates
// pooled), not one table pooled over every point, which would mix the
// points a sweep exists to tell apart. A large sweep shows its first points
// and says how many it left out, and where every run is.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/run_result.hpp"
#include "core/sweep_spec.hpp"

namespace loyalsim::cli {

// A large sweep's summary by varied parameter: for each parameter, every
// run's decisions pooled (over firms, segments and the other parameters)
// by the parameter's value (a grid or list with at most max_levels values)
// or by fifths of its range (otherwise), and their follow and retention
// rates: which way each parameter moves the headline, in a few lines.
class ParameterSummary {
 public:
  static constexpr std::size_t max_levels = 6;
  static constexpr std::size_t bins = 5;

  explicit ParameterSummary(const Design& design);
  // A finished run: its parameter values (RunRecord::parameter_values) and results.
  void count(const std::vector<double>& values, const RunResult& result);
  void print(std::ostream& out) const;

 private:
  std::size_t bin_of(std::size_t parameter, double value) const;

  std::vector<std::string> paths_;
  std::vector<std::vector<double>> levels_;       // per parameter: its values, or empty (binned by range)
  std::vector<std::pair<double, double>> range_;  // per parameter: [low, high] of its values
  // per parameter and level or bin: orphaned, stayed and followed, summed
  std::vector<std::vector<std::array<std::int64_t, 3>>> totals_;
};

// points[p]: the totals and rates of design point p, for the first
// points.size() points of the design. `by_parameter`: printed when points
// are left out.
void print_point_tables(std::ostream& out, const Design& design, const std::vector<RunResult>& points,
                        const std::vector<std::string>& firm_names, const std::vector<std::string>& segment_names,
                        const std::filesystem::path& file, const ParameterSummary* by_parameter = nullptr);

}  // namespace loyalsim::cli
