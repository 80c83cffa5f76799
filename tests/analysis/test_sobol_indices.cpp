// Sobol' indices on closed forms: Ishigami (a = 7, b = 0.1) and the G
// function, through the real saltelli design. Tolerance: 4 bootstrap
// standard errors of each estimate (plus 0.005 for the estimator's own
// small-sample bias), at the stated N.
#include <gtest/gtest.h>

#include <cstdio>
#include <iostream>

#include "analysis/design_outputs.hpp"
#include "analysis/replicates.hpp"
#include "analysis/sobol_indices.hpp"
#include "closed_forms.hpp"

namespace loyalsim::analysis {
namespace {

using namespace testing;

const double pi = std::numbers::pi;

void expect_near_truth(const Estimate& e, double truth, const char* what) {
  ASSERT_TRUE(std::isfinite(e.value) && std::isfinite(e.se)) << what;
  EXPECT_NEAR(e.value, truth, 4 * e.se + 0.005) << what << " [" << e.low << ", " << e.high << "]";
}

SobolIndices ishigami_indices(std::int64_t n, bool second_order) {
  const Design design = sensitivity_design(DesignType::saltelli, {{-pi, pi}, {-pi, pi}, {-pi, pi}}, n, second_order);
  const std::vector<double> y = outputs_of(design, [](auto x) { return ishigami(x); });
  return sobol_indices(saltelli_outputs(design.places, y, 3, second_order), BootstrapOptions{500, 7, 0.95});
}

// N = 4096 base samples (20480 model evaluations). Prints the table that
// docs/SENSITIVITY.md shows (run: build/tests/analysis_tests --gtest_filter='Sobol*Ishigami*').
TEST(SobolIndices, IshigamiMatchesTheAnalyticIndices) {
  const SobolIndices s = ishigami_indices(4096, false);
  const IshigamiTruth truth = ishigami_truth();
  std::printf("Ishigami a = 7, b = 0.1, saltelli N = 4096 (20480 evaluations), 500 bootstrap resamples\n");
  std::printf("| index | estimate | 95%% interval | truth |\n|---|---|---|---|\n");
  for (int i = 0; i < 3; ++i)
    std::printf("| S1 x%d | %.3f | [%.3f, %.3f] | %.3f |\n", i + 1, s.first[i].value, s.first[i].low, s.first[i].high,
                truth.s1[i]);
  for (int i = 0; i < 3; ++i)
    std::printf("| ST x%d | %.3f | [%.3f, %.3f] | %.3f |\n", i + 1, s.total[i].value, s.total[i].low, s.total[i].high,
                truth.st[i]);
  for (int i = 0; i < 3; ++i) {
    expect_near_truth(s.first[static_cast<std::size_t>(i)], truth.s1[i], "S1");
    expect_near_truth(s.total[static_cast<std::size_t>(i)], truth.st[i], "ST");
  }
  EXPECT_NEAR(truth.s1[0], 0.314, 0.001);
  EXPECT_NEAR(truth.s1[1], 0.442, 0.001);
  EXPECT_NEAR(truth.st[0], 0.558, 0.001);
  EXPECT_NEAR(truth.st[2], 0.244, 0.001);
  EXPECT_EQ(s.samples_used, 4096u);
}

TEST(SobolIndices, IshigamiSecondOrderFindsTheX1X3Interaction) {
  const SobolIndices s = ishigami_indices(2048, true);
  const IshigamiTruth truth = ishigami_truth();
  ASSERT_EQ(s.second.size(), 9u);
  expect_near_truth(s.second[0 * 3 + 2], truth.s13, "S2 x1 x3");
  expect_near_truth(s.second[0 * 3 + 1], 0.0, "S2 x1 x2");
  expect_near_truth(s.second[1 * 3 + 2], 0.0, "S2 x2 x3");
}

// G function, a = (0, 1, 4.5, 9, 99, 99): N = 4096 (32768 evaluations).
TEST(SobolIndices, GFunctionMatchesTheAnalyticIndices) {
  const std::vector<double> a{0, 1, 4.5, 9, 99, 99};
  const Design design =
      sensitivity_design(DesignType::saltelli, std::vector<std::pair<double, double>>(6, {0, 1}), 4096);
  const std::vector<double> y = outputs_of(design, [&](auto x) { return g_function(x, a); });
  const SobolIndices s = sobol_indices(saltelli_outputs(design.places, y, 6, false), BootstrapOptions{300, 3, 0.95});
  const GTruth truth = g_truth(a);
  for (std::size_t i = 0; i < a.size(); ++i) {
    expect_near_truth(s.first[i], truth.s1[i], "S1");
    expect_near_truth(s.total[i], truth.st[i], "ST");
  }
}

// A model with noise: Ishigami plus Gaussian noise of variance 4 (a third
// of Var f), 4 replicates per point, and a fourth parameter the function
// ignores. Replicate means and the noise correction keep ST of the dummy at
// 0 within its interval; uncorrected it would sit at the noise floor.
TEST(SobolIndices, NoiseCorrectionKeepsAParameterWithoutEffectAtZero) {
  const Design design = sensitivity_design(DesignType::saltelli, {{-pi, pi}, {-pi, pi}, {-pi, pi}, {0, 1}}, 2048);
  const std::size_t replicates = 4;
  Noise noise;
  std::vector<double> runs;
  for (std::int64_t p = 0; p < design.point_count; ++p)
    for (std::size_t r = 0; r < replicates; ++r) runs.push_back(ishigami(design.point(p)) + noise(2.0));
  const ReplicateSummary rep = summarize_replicates(runs, replicates);
  EXPECT_NEAR(rep.noise_variance, 4.0, 0.2);
  EXPECT_NEAR(rep.mean_noise, 1.0, 0.05);
  SaltelliOutputs y = saltelli_outputs(design.places, rep.means, 4, false);
  y.noise = rep.mean_noise;
  const SobolIndices s = sobol_indices(y, BootstrapOptions{300, 5, 0.95});
  const IshigamiTruth truth = ishigami_truth();
  EXPECT_LE(s.total[3].low, 0.0);
  EXPECT_GE(s.total[3].high, 0.0);
  expect_near_truth(s.total[3], 0.0, "ST dummy");
  for (int i = 0; i < 3; ++i) expect_near_truth(s.total[static_cast<std::size_t>(i)], truth.st[i], "ST");
  EXPECT_GT(s.noise_floor, 0.05);  // what an uncorrected estimator would give the dummy

  y.noise = 0.0;  // the same data without the correction: the dummy's ST is the noise floor, not 0
  const SobolIndices naive = sobol_indices(y, BootstrapOptions{300, 5, 0.95});
  EXPECT_GT(naive.total[3].low, 0.0);
}

// Noise whose size varies over the design (sd from 1 to 3 with |x1|) and
// only 2 replicates: each base sample corrected by its own points' noise
// (ReplicateSummary::point_noise) keeps the dummy's ST at 0 within its
// interval and the others at their values.
TEST(SobolIndices, PairedNoiseCorrectionHandlesNoiseThatVariesOverTheDesign) {
  const Design design = sensitivity_design(DesignType::saltelli, {{-pi, pi}, {-pi, pi}, {-pi, pi}, {0, 1}}, 2048);
  const std::size_t replicates = 2;
  Noise noise;
  std::vector<double> runs;
  for (std::int64_t p = 0; p < design.point_count; ++p) {
    const auto x = design.point(p);
    for (std::size_t r = 0; r < replicates; ++r) runs.push_back(ishigami(x) + noise(1.0 + 2.0 * std::abs(x[0]) / pi));
  }
  const ReplicateSummary rep = summarize_replicates(runs, replicates);
  const SaltelliOutputs y = saltelli_outputs(design.places, rep.means, rep.point_noise, 4, false);
  const SobolIndices s = sobol_indices(y, BootstrapOptions{300, 9, 0.95});
  const IshigamiTruth truth = ishigami_truth();
  EXPECT_LE(s.total[3].low, 0.0);
  EXPECT_GE(s.total[3].high, 0.0);
  for (int i = 0; i < 3; ++i) expect_near_truth(s.total[static_cast<std::size_t>(i)], truth.st[i], "ST");
  for (int i = 0; i < 3; ++i) expect_near_truth(s.first[static_cast<std::size_t>(i)], truth.s1[i], "S1");
}

TEST(SobolIndices, NaNOutputsLeaveTheirBaseSampleOutWithACount) {
  const Design design = sensitivity_design(DesignType::saltelli, {{-pi, pi}, {-pi, pi}, {-pi, pi}}, 256);
  std::vector<double> y = outputs_of(design, [](auto x) { return ishigami(x); });
  y[0] = NAN;          // sample 0's A
  y[5 * 5 + 3] = NAN;  // sample 5's AB_2
  const SobolIndices s = sobol_indices(saltelli_outputs(design.places, y, 3, false), BootstrapOptions{50, 1, 0.95});
  EXPECT_EQ(s.samples_used, 254u);
  EXPECT_EQ(s.samples_excluded, 2u);
  EXPECT_TRUE(std::isfinite(s.total[0].value));

  std::fill(y.begin(), y.end(), NAN);
  const SobolIndices none = sobol_indices(saltelli_outputs(design.places, y, 3, false), BootstrapOptions{50, 1, 0.95});
  EXPECT_EQ(none.samples_used, 0u);
  EXPECT_TRUE(std::isnan(none.first[0].value));
}

TEST(SobolIndices, AConstantOutputHasUndefinedIndices) {
  const Design design = sensitivity_design(DesignType::saltelli, {{0, 1}, {0, 1}}, 64);
  const std::vector<double> y(static_cast<std::size_t>(design.point_count), 0.25);
  const SobolIndices s = sobol_indices(saltelli_outputs(design.places, y, 2, false), BootstrapOptions{20, 1, 0.95});
  EXPECT_TRUE(std::isnan(s.first[0].value));
  EXPECT_TRUE(std::isnan(s.total[1].value));
}

}  // namespace
}  // namespace loyalsim::analysis
