// The analyses of `loyalsim analyze`: for each summary metric and each
// firm x segment cell (and the pooled cell), the run outputs, their
// replicate means and noise, and the estimator the design calls for
// (saltelli: Sobol' indices; morris: elementary effects; any other design:
// PRCC and SRC). Pure computation over what io/sweep_results read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/statistics.hpp"
#include "io/sensitivity_file.hpp"
#include "io/sweep_results.hpp"

namespace loyalsim::cli {

struct AnalysisRequest {
  std::vector<std::string> metrics;   // summary metric names
  std::vector<std::size_t> firms;     // indices into results.firms
  std::vector<std::size_t> segments;  // indices into results.segments
  analysis::BootstrapOptions bootstrap;
};

struct AnalysisTables {
  std::vector<io::IndexRow> indices;
  std::vector<io::CellRow> cells;
};

AnalysisTables analyse(const io::SweepResults& results, const AnalysisRequest& request);

// The one printed table: per cell, its parameters from the most to the
// least influential, with intervals, the noise share and the verdict.
std::string format_table(const AnalysisTables& tables, const std::string& design);

}  // namespace loyalsim::cli
