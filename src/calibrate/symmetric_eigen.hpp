// Eigenvalues and eigenvectors of a small symmetric matrix (cyclic Jacobi
// rotations): enough for the p x p matrix of the standard errors, p at most
// max_parameters, without a linear algebra library.
#pragma once

#include <cstddef>
#include <vector>

namespace loyalsim::calibrate {

struct SymmetricEigen {
  std::vector<double> values;   // ascending
  std::vector<double> vectors;  // n x n, row-major; column i is the unit eigenvector of values[i]
};

// `matrix` is n x n, row-major, symmetric (only its upper triangle is read).
SymmetricEigen symmetric_eigen(std::vector<double> matrix, std::size_t n);

}  // namespace loyalsim::calibrate
