// Sensitivity from any sample of points (lhs, sobol, grid, list): partial
// rank correlation coefficients (PRCC: the correlation of the ranks of x_i
// and y once the ranks of the other parameters are accounted for linearly)
// and standardized regression coefficients (SRC: a linear fit of y on the
// parameters, each coefficient scaled by sd(x_i) / sd(y)), with the fit's
// R^2: SRC describe the output only as far as R^2 is near 1. Both with
// bootstrap intervals over the points.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "analysis/statistics.hpp"

namespace loyalsim::analysis {

struct RegressionIndices {
  std::vector<Estimate> prcc, src;
  Estimate r2;
  std::size_t points_used = 0, points_excluded = 0;
};

// x: points x D, row-major; y: one output per point (NaN: left out).
RegressionIndices regression_indices(std::span<const double> x, std::span<const double> y, std::size_t parameters,
                                     const BootstrapOptions& options);

}  // namespace loyalsim::analysis
