// The output of `loyalsim analyze`: two tidy tables in an HDF5 file of its
// own (never the results file), read by scripts/plot_sensitivity.py and
// described in docs/SENSITIVITY.md.
//   indices/: one row per (metric, firm, segment, parameter, index)
//   cells/:   one row per (metric, firm, segment): method, samples, noise, verdict
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace loyalsim::io {

struct IndexRow {
  std::string metric, firm, segment;  // firm, segment: "all" for the pooled cell
  std::string parameter, parameter2;  // parameter2: the other parameter of S2, else empty
  std::string index;                  // S1, ST, S2, mu_star, mu, sigma, PRCC, SRC
  double estimate, low, high, se;
};

struct CellRow {
  std::string metric, firm, segment;
  std::string method;                               // sobol, morris, regression
  std::int64_t units_used = 0, units_excluded = 0;  // base samples, trajectories or points
  std::int64_t runs_used = 0, runs_excluded = 0;    // runs with a finite output / NaN or not done
  double variance = 0, noise_variance = 0, noise_share = 0, analysed_noise_share = 0, noise_floor = 0, r2 = 0;
  std::string verdict;
};

struct SensitivityMetadata {
  std::string software_version, command_line, source, design;
  std::int64_t bootstrap = 0, seed = 0, replicates = 0;
};

// Writes the tables to `path` (created or truncated).
void write_sensitivity_file(const std::filesystem::path& path, const SensitivityMetadata& meta,
                            const std::vector<IndexRow>& indices, const std::vector<CellRow>& cells);

}  // namespace loyalsim::io
