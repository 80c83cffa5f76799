#include "calibrate/symmetric_eigen.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace loyalsim::calibrate {

SymmetricEigen symmetric_eigen(std::vector<double> a, std::size_t n) {
  auto at = [n](std::vector<double>& m, std::size_t i, std::size_t j) -> double& { return m[i * n + j]; };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) at(a, i, j) = at(a, j, i);
  std::vector<double> v(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) at(v, i, i) = 1.0;

  // Sweeps of rotations, each zeroing one off-diagonal pair, until the
  // off-diagonal part is negligible beside the diagonal (quadratic
  // convergence: a handful of sweeps for any n here).
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, diagonal = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      diagonal += at(a, i, i) * at(a, i, i);
      for (std::size_t j = i + 1; j < n; ++j) off += at(a, i, j) * at(a, i, j);
    }
    if (off <= 1e-30 * diagonal || off == 0.0) break;
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        const double apq = at(a, p, q);
        if (apq == 0.0) continue;
        const double theta = (at(a, q, q) - at(a, p, p)) / (2.0 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // columns p and q
          const double akp = at(a, k, p), akq = at(a, k, q);
          at(a, k, p) = c * akp - s * akq;
          at(a, k, q) = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p and q
          const double apk = at(a, p, k), aqk = at(a, q, k);
          at(a, p, k) = c * apk - s * aqk;
          at(a, q, k) = s * apk + c * aqk;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double vkp = at(v, k, p), vkq = at(v, k, q);
          at(v, k, p) = c * vkp - s * vkq;
          at(v, k, q) = s * vkp + c * vkq;
        }
      }
    }
  }

  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return at(a, i, i) < at(a, j, j); });
  SymmetricEigen result;
  result.values.resize(n);
  result.vectors.resize(n * n);
  for (std::size_t c = 0; c < n; ++c) {
    result.values[c] = at(a, order[c], order[c]);
    for (std::size_t k = 0; k < n; ++k) result.vectors[k * n + c] = at(v, k, order[c]);
  }
  return result;
}

}  // namespace loyalsim::calibrate
