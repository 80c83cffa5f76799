// The standard-error formula and the identification check on Jacobians
// whose answers are known in closed form, without running the engine.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "calibrate/standard_errors.hpp"

namespace loyalsim::calibrate {
namespace {

// p parameters on [0, 1] (so bound units are the parameters' own) and
// targets with the given standard errors.
CalibrationSpec spec_of(std::size_t p, const std::vector<double>& se, std::int64_t replicates = 4) {
  CalibrationSpec spec;
  for (std::size_t k = 0; k < p; ++k) {
    FittedParameter parameter;
    parameter.path = "segments.s" + std::to_string(k) + ".rep_weight";
    parameter.lower = 0.0;
    parameter.upper = 1.0;
    spec.parameters.push_back(parameter);
  }
  for (const double s : se) {
    Target t;
    t.se = s;
    t.weight = 1.0 / (s * s);
    spec.targets.push_back(t);
  }
  spec.search.replicates = replicates;
  return spec;
}

// An evaluation whose replicates all give the same moments: no simulation noise.
Evaluation noiseless(std::size_t m, std::int64_t replicates) {
  Evaluation e;
  e.moments.values.assign(m, 0.0);
  e.moments.replicates.assign(static_cast<std::size_t>(replicates) * m, 0.5);
  return e;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& part) {
  for (const auto& w : warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

TEST(StandardErrors, OneParameterOneTargetIsSeOverSlope) {
  // m = 2 theta, se 0.1: Var = se^2 / g^2 = 0.0025, se 0.05.
  const CalibrationSpec spec = spec_of(1, {0.1});
  const StandardErrors out = standard_errors(spec, noiseless(1, 4), {2.0});
  EXPECT_NEAR(out.se_targets[0], 0.05, 1e-12);
  EXPECT_NEAR(out.se[0], 0.05, 1e-12);  // no simulation noise
  EXPECT_EQ(out.identified[0], Identified::yes);
  EXPECT_TRUE(out.warnings.empty());
}

TEST(StandardErrors, SimulationNoiseAddsItsShare) {
  // Two replicates with moments 0.4 and 0.6: S = 0.02, S/R = 0.01. With
  // g = 2, se = 0.1: Var = 0.0025 + (1/g)^2 x 0.01 = 0.0025 + 0.0025.
  const CalibrationSpec spec = spec_of(1, {0.1}, 2);
  Evaluation e;
  e.moments.values = {0.5};
  e.moments.replicates = {0.4, 0.6};
  const StandardErrors out = standard_errors(spec, e, {2.0});
  EXPECT_NEAR(out.se_targets[0], 0.05, 1e-12);
  EXPECT_NEAR(out.se[0], std::sqrt(0.005), 1e-12);
}

TEST(StandardErrors, TwoParametersMatchTheInverseOfGWG) {
  // G = [[1, 0], [1, 1]], W = I: H = [[2, 1], [1, 1]], H^-1 = [[1, -1], [-1, 2]].
  const CalibrationSpec spec = spec_of(2, {1.0, 1.0});
  const StandardErrors out = standard_errors(spec, noiseless(2, 4), {1.0, 0.0, 1.0, 1.0});
  EXPECT_NEAR(out.se_targets[0], 1.0, 1e-12);
  EXPECT_NEAR(out.se_targets[1], std::sqrt(2.0), 1e-12);
  // Both intervals (+-1.96 se) are wider than the bounds [0, 1]: weakly identified.
  EXPECT_EQ(out.identified[0], Identified::weakly);
  EXPECT_TRUE(mentions(out.warnings, "weakly identified"));
}

TEST(StandardErrors, AParameterWithNoEffectIsNotIdentified) {
  const CalibrationSpec spec = spec_of(2, {0.01, 0.01});
  // Parameter 1's column is exactly zero: common random numbers give the
  // same runs when a parameter changes nothing.
  const StandardErrors out = standard_errors(spec, noiseless(2, 4), {1.0, 0.0, 0.5, 0.0});
  EXPECT_EQ(out.identified[1], Identified::no);
  EXPECT_TRUE(std::isnan(out.se[1]));
  EXPECT_TRUE(mentions(out.warnings, "not identified: segments.s1.rep_weight has no effect on any target"));
  // The other parameter keeps its standard error: with m = (theta, theta/2)
  // and se 0.01, Var = 1 / (1/0.01^2 + 0.25/0.01^2) = 0.0001 / 1.25.
  EXPECT_EQ(out.identified[0], Identified::yes);
  EXPECT_NEAR(out.se[0], std::sqrt(0.0001 / 1.25), 1e-12);
}

TEST(StandardErrors, AFlatDirectionNamesItsParameters) {
  // Two parameters that move the only moments identically: only their sum
  // is identified.
  const CalibrationSpec spec = spec_of(3, {0.01, 0.01});
  const StandardErrors out = standard_errors(spec, noiseless(2, 4), {1.0, 1.0, 0.0, 2.0, 2.0, 1.0});
  EXPECT_EQ(out.identified[0], Identified::no);
  EXPECT_EQ(out.identified[1], Identified::no);
  EXPECT_TRUE(mentions(out.warnings, "do not separate segments.s0.rep_weight and segments.s1.rep_weight"));
  // The third is still identified once the flat pair is set aside.
  EXPECT_EQ(out.identified[2], Identified::yes);
  EXPECT_FALSE(std::isnan(out.se[2]));
}

TEST(StandardErrors, FewerTargetsThanParametersIsAFlatDirection) {
  const CalibrationSpec spec = spec_of(2, {0.01});
  const StandardErrors out = standard_errors(spec, noiseless(1, 4), {1.0, 3.0});
  EXPECT_TRUE(mentions(out.warnings, "fewer targets than parameters"));
  EXPECT_EQ(out.identified[0], Identified::no);
  EXPECT_EQ(out.identified[1], Identified::no);
}

TEST(StandardErrors, AnUndefinedMomentLeavesTheParameterUnassessed) {
  const CalibrationSpec spec = spec_of(1, {0.01});
  const StandardErrors out = standard_errors(spec, noiseless(1, 4), {std::nan("")});
  EXPECT_EQ(out.identified[0], Identified::unknown);
  EXPECT_TRUE(mentions(out.warnings, "cannot assess"));
}

}  // namespace
}  // namespace loyalsim::calibrate
