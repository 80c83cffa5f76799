// What `loyalsim analyze` reads from a results file: the design (its type,
// parameters, points, ranges and point roles), which runs are done, and the
// summary/ totals and rates of every run. Opens the file read-only: the
// results file is never modified (SPEC section 7).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/sweep_spec.hpp"

namespace loyalsim::io {

struct SweepResults {
  Design design;  // spec (type, replicates, samples, second_order, levels, parameter paths and ranges), points, places
  std::vector<std::string> firms, segments;
  std::vector<std::int64_t> run_point, run_replicate;
  std::vector<bool> done;  // runs/status == done
  // summary/ by summary_metrics index: counts[m] (count metrics) or
  // reals[m] (rates), each runs x firms x segments, or runs x firms for a
  // per-firm metric (MetricShape::firm).
  std::vector<std::vector<std::int64_t>> counts;
  std::vector<std::vector<double>> reals;
};

// Throws InputError (exit 2), having changed nothing, if `path` is not a
// regular file, not HDF5, not a loyalsim sweep (no design/ group), or its
// groups do not fit together.
SweepResults read_sweep_results(const std::filesystem::path& path);

}  // namespace loyalsim::io
