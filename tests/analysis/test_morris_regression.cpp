// Morris on a linear function (every elementary effect is its coefficient
// times the range, exactly) and PRCC/SRC on a monotone function with a
// null input; the replicate noise summary and the ranking rule.
#include <gtest/gtest.h>

#include "analysis/design_outputs.hpp"
#include "analysis/morris_indices.hpp"
#include "analysis/regression_indices.hpp"
#include "analysis/replicates.hpp"
#include "closed_forms.hpp"

namespace loyalsim::analysis {
namespace {

using namespace testing;

std::vector<double> unit_points(const Design& design) {
  std::vector<double> unit;
  for (std::int64_t p = 0; p < design.point_count; ++p)
    for (std::size_t i = 0; i < design.parameters(); ++i) {
      const SweepParameter& s = design.spec.parameters[i];
      unit.push_back((design.value(p, i) - s.low) / (s.high - s.low));
    }
  return unit;
}

// f = 3 x1 - 2 x2 + 0.5 x3 + 0 x4, x3 on [0, 2]: per unit of range the
// effects are 3, -2, 1, 0 for every trajectory.
TEST(MorrisIndices, LinearFunctionGivesItsCoefficientsExactly) {
  const Design design = sensitivity_design(DesignType::morris, {{0, 1}, {0, 1}, {0, 2}, {0, 1}}, 20, false, 6);
  const std::vector<double> y = outputs_of(design, [](auto x) { return 3 * x[0] - 2 * x[1] + 0.5 * x[2] + 0 * x[3]; });
  const std::vector<double> effects = morris_effects(design.places, unit_points(design), y, 4);
  const MorrisIndices m = morris_indices(effects, 4, BootstrapOptions{100, 1, 0.95});
  const double mu_star[] = {3, 2, 1, 0}, mu[] = {3, -2, 1, 0};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(m.mu_star[i].value, mu_star[i], 1e-9);
    EXPECT_NEAR(m.mu[i].value, mu[i], 1e-9);
    EXPECT_NEAR(m.sigma[i].value, 0.0, 1e-9);
    EXPECT_NEAR(m.mu_star[i].low, mu_star[i], 1e-9);  // no spread, so no interval width
    EXPECT_EQ(m.effects[i], 20u);
  }
}

// f = x1 * x2: EE of x1 is x2 (varies), so sigma > 0 and mu* = mean x2 = 0.5
// in expectation over the levels (within 4 bootstrap SE).
TEST(MorrisIndices, InteractionShowsAsSigma) {
  const Design design = sensitivity_design(DesignType::morris, {{0, 1}, {0, 1}}, 200);
  const std::vector<double> y = outputs_of(design, [](auto x) { return x[0] * x[1]; });
  const MorrisIndices m =
      morris_indices(morris_effects(design.places, unit_points(design), y, 2), 2, BootstrapOptions{200, 1, 0.95});
  EXPECT_NEAR(m.mu_star[0].value, 0.5, 4 * m.mu_star[0].se);
  EXPECT_GT(m.sigma[0].value, 0.2);
}

TEST(MorrisIndices, NaNOutputsLeaveOnlyTheirEffectsOut) {
  const Design design = sensitivity_design(DesignType::morris, {{0, 1}, {0, 1}}, 10);
  std::vector<double> y = outputs_of(design, [](auto x) { return x[0] + x[1]; });
  y[1] = NAN;  // trajectory 0's first step: its effect and the next one's are undefined
  const MorrisIndices m =
      morris_indices(morris_effects(design.places, unit_points(design), y, 2), 2, BootstrapOptions{20, 1, 0.95});
  EXPECT_EQ(m.effects[0] + m.effects[1], 18u);
  EXPECT_NEAR(m.mu_star[0].value, 1.0, 1e-9);
}

// y = exp(2 x1) + x2^3 + 0 x3 on an LHS of 400 points: monotone in x1 and
// x2, so their PRCC are large and positive (not 1: the ranks of a sum are
// not the sum of ranks); x3 is null, its PRCC near 0 within its interval.
TEST(RegressionIndices, PrccOfAMonotoneFunctionAndANullInput) {
  const Design design = sensitivity_design(DesignType::lhs, {{0, 1}, {-1, 1}, {0, 1}}, 400);
  const std::vector<double> y = outputs_of(design, [](auto x) { return std::exp(2 * x[0]) + x[1] * x[1] * x[1]; });
  std::vector<double> x(design.points.begin(), design.points.end());
  const RegressionIndices r = regression_indices(x, y, 3, BootstrapOptions{300, 1, 0.95});
  EXPECT_GT(r.prcc[0].value, 0.9);
  EXPECT_GT(r.prcc[1].value, 0.7);
  EXPECT_GT(r.prcc[1].low, r.prcc[2].high);
  EXPECT_LE(r.prcc[2].low, 0.0);
  EXPECT_GE(r.prcc[2].high, 0.0);
  EXPECT_NEAR(r.prcc[2].value, 0.0, 4 * r.prcc[2].se);
  EXPECT_GT(r.r2.value, 0.8);
}

// A linear function: R^2 = 1 and SRC_i = c_i sd(x_i) / sd(y) exactly.
TEST(RegressionIndices, SrcOfALinearFunctionAreItsScaledCoefficients) {
  const Design design = sensitivity_design(DesignType::sobol, {{0, 1}, {0, 3}}, 256);
  const std::vector<double> y = outputs_of(design, [](auto x) { return 2 * x[0] - x[1]; });
  std::vector<double> x(design.points.begin(), design.points.end()), x1, x2;
  for (std::int64_t p = 0; p < design.point_count; ++p)
    x1.push_back(design.value(p, 0)), x2.push_back(design.value(p, 1));
  const RegressionIndices r = regression_indices(x, y, 2, BootstrapOptions{50, 1, 0.95});
  const double sy = std::sqrt(variance(y));
  EXPECT_NEAR(r.r2.value, 1.0, 1e-9);
  EXPECT_NEAR(r.src[0].value, 2 * std::sqrt(variance(x1)) / sy, 1e-9);
  EXPECT_NEAR(r.src[1].value, -std::sqrt(variance(x2)) / sy, 1e-9);
}

TEST(RegressionIndices, NaNOutputsAndConstantInputsNeverCrash) {
  std::vector<double> x{0, 1, 1, 1, 2, 1, 3, 1, 4, 1}, y{1, NAN, 3, 4, 5};
  const RegressionIndices r = regression_indices(x, y, 2, BootstrapOptions{20, 1, 0.95});
  EXPECT_EQ(r.points_used, 4u);
  EXPECT_EQ(r.points_excluded, 1u);
  EXPECT_TRUE(std::isnan(r.prcc[1].value));  // x2 never varies
}

TEST(Replicates, NoiseIsTheWithinPointVariance) {
  // Two points, three replicates: within variances 1 and 1 (sample), means 0 and 10.
  const std::vector<double> runs{-1, 0, 1, 9, 10, 11};
  const ReplicateSummary s = summarize_replicates(runs, 3);
  EXPECT_DOUBLE_EQ(s.means[0], 0.0);
  EXPECT_DOUBLE_EQ(s.means[1], 10.0);
  EXPECT_DOUBLE_EQ(s.noise_variance, 1.0);
  EXPECT_DOUBLE_EQ(s.mean_noise, 1.0 / 3.0);
  EXPECT_NEAR(s.noise_share, 1.0 / variance(runs), 1e-12);
  EXPECT_NEAR(s.analysed_noise_share, (1.0 / 3.0) / 25.0, 1e-12);

  const ReplicateSummary one = summarize_replicates(std::vector<double>{1, NAN, 3}, 1);
  EXPECT_FALSE(one.noise_known);
  EXPECT_EQ(one.runs_excluded, 1u);
  EXPECT_TRUE(std::isnan(one.means[1]));
}

TEST(Replicates, RankingVerdictFollowsTheDocumentedRule) {
  const std::vector<Estimate> apart{{0.8, 0.7, 0.9, 0.05}, {0.1, 0.0, 0.2, 0.05}};
  const std::vector<Estimate> overlap{{0.5, 0.3, 0.7, 0.1}, {0.4, 0.2, 0.6, 0.1}};
  EXPECT_EQ(ranking_verdict(apart, 0.1), Verdict::ranked);
  EXPECT_EQ(ranking_verdict(apart, 0.6), Verdict::noisy);
  EXPECT_EQ(ranking_verdict(overlap, 0.1), Verdict::tie);
  EXPECT_EQ(ranking_verdict(overlap, 0.3), Verdict::noisy);
  EXPECT_EQ(ranking_verdict({Estimate{}, Estimate{}}, 0.1), Verdict::undefined);
}

}  // namespace
}  // namespace loyalsim::analysis
