// Test functions with known sensitivity indices, and the designs that feed
// them (the real saltelli and morris designs of sweep/design, on abstract
// parameter names: no engine runs).
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "core/sweep_spec.hpp"
#include "sweep/design.hpp"

namespace loyalsim::analysis::testing {

inline Design sensitivity_design(DesignType type, const std::vector<std::pair<double, double>>& ranges,
                                 std::int64_t size, bool second_order = false, std::int64_t levels = 4) {
  SweepSpec spec;
  spec.design = type;
  if (type == DesignType::morris) {
    spec.trajectories = size;
    spec.levels = levels;
  } else {
    spec.samples = size;
  }
  spec.second_order = second_order;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    SweepParameter p;
    p.path = "x";
    p.path += std::to_string(i + 1);  // appended: GCC 12 warns (-Wrestrict) on "x" + std::string
    p.low = ranges[i].first;
    p.high = ranges[i].second;
    spec.parameters.push_back(p);
  }
  return make_design(spec, 12345);
}

template <class F>
std::vector<double> outputs_of(const Design& design, F f) {
  std::vector<double> y;
  for (std::int64_t p = 0; p < design.point_count; ++p) y.push_back(f(design.point(p)));
  return y;
}

// Ishigami: sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3.
inline constexpr double ishigami_a = 7.0, ishigami_b = 0.1;
template <class X>
double ishigami(const X& x) {
  return std::sin(x[0]) + ishigami_a * std::sin(x[1]) * std::sin(x[1]) +
         ishigami_b * std::pow(x[2], 4) * std::sin(x[0]);
}
struct IshigamiTruth {
  double s1[3], st[3], s13;
};
// The analytic indices (Ishigami and Homma 1990; Sobol' and Levitan 1999).
inline IshigamiTruth ishigami_truth() {
  const double pi = std::numbers::pi, a = ishigami_a, b = ishigami_b;
  const double v1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2);
  const double v2 = a * a / 8;
  const double v13 = b * b * std::pow(pi, 8) * (1.0 / 18 - 1.0 / 50);
  const double v = v1 + v2 + v13;
  return {{v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}, v13 / v};
}

// Sobol's G function on [0, 1]^D: prod (|4 x_i - 2| + a_i) / (1 + a_i).
template <class X>
double g_function(const X& x, const std::vector<double>& a) {
  double g = 1.0;
  for (std::size_t i = 0; i < a.size(); ++i) g *= (std::abs(4 * x[i] - 2) + a[i]) / (1 + a[i]);
  return g;
}
struct GTruth {
  std::vector<double> s1, st;
};
inline GTruth g_truth(const std::vector<double>& a) {
  std::vector<double> vi;
  double product = 1.0;
  for (const double ai : a) {
    vi.push_back(1.0 / (3.0 * (1 + ai) * (1 + ai)));
    product *= 1 + vi.back();
  }
  const double v = product - 1;
  GTruth truth;
  for (const double x : vi) {
    truth.s1.push_back(x / v);
    truth.st.push_back(x * product / (1 + x) / v);
  }
  return truth;
}

// Deterministic Gaussian noise for the noise-aware tests.
struct Noise {
  std::mt19937_64 engine{2024};
  double operator()(double sd) {
    const double u1 = (static_cast<double>(engine() >> 11) + 0.5) * 0x1p-53;
    const double u2 = (static_cast<double>(engine() >> 11) + 0.5) * 0x1p-53;
    return sd * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
};

}  // namespace loyalsim::analysis::testing
