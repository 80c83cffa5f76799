// Moments pool count totals over the selected cells and the replicates, and
// recompute the rates from the sums: a rate is a ratio of sums, a count a
// mean per run, and a rate with nothing to count is NaN, not 0.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "calibrate/evaluator.hpp"
#include "calibrate/moments.hpp"
#include "core/metrics.hpp"
#include "core/rates.hpp"

namespace loyalsim::calibrate {
namespace {

// A 2 firms x 2 segments result with the given (orphaned, followed) per cell.
RunResult cells(const std::vector<std::pair<int, int>>& orphaned_followed) {
  RunResult r;
  r.allocate(0, 2, 2);
  for (std::size_t cell = 0; cell < 4; ++cell) {
    r.totals.counts[index_of(Total::orphaned)][cell] = orphaned_followed[cell].first;
    r.totals.counts[index_of(Total::followed)][cell] = orphaned_followed[cell].second;
  }
  compute_rates(r);
  return r;
}

Target target(Total metric, Selection firm, Selection segment) {
  Target t;
  t.metric = index_of(metric);
  t.firm = firm;
  t.segment = segment;
  return t;
}

TEST(CalibrationMoments, PoolingSumsCountsAndRecomputesRates) {
  const RunResult r = cells({{10, 1}, {30, 9}, {0, 0}, {60, 30}});
  // Firm 0 pooled over segments: 10 / 40, not the mean of 0.1 and 0.3.
  const RunResult firm0 = pool_cells(r, Selection{0}, Selection{});
  EXPECT_DOUBLE_EQ(metric_value(firm0, index_of(Total::follow_rate), 1), 10.0 / 40.0);
  // Segment 0 pooled over firms: the empty cell adds nothing.
  const RunResult segment0 = pool_cells(r, Selection{}, Selection{0});
  EXPECT_DOUBLE_EQ(metric_value(segment0, index_of(Total::follow_rate), 1), 1.0 / 10.0);
  // Everything pooled.
  const RunResult all = pool_cells(r, Selection{}, Selection{});
  EXPECT_DOUBLE_EQ(metric_value(all, index_of(Total::follow_rate), 1), 40.0 / 100.0);
  // An empty cell's rate is undefined.
  const RunResult empty = pool_cells(r, Selection{1}, Selection{0});
  EXPECT_TRUE(std::isnan(metric_value(empty, index_of(Total::follow_rate), 1)));
}

TEST(CalibrationMoments, ReplicatesPoolAsRatioOfSumsAndCountsAsMeans) {
  const std::vector<RunResult> runs{cells({{10, 5}, {0, 0}, {0, 0}, {0, 0}}), cells({{30, 3}, {0, 0}, {0, 0}, {0, 0}})};
  const std::vector<Target> targets{target(Total::follow_rate, Selection{0}, Selection{0}),
                                    target(Total::orphaned, Selection{0}, Selection{0}),
                                    target(Total::follow_rate, Selection{1}, Selection{1})};
  const Moments m = moments_of(runs, targets);
  EXPECT_DOUBLE_EQ(m.values[0], 8.0 / 40.0);
  EXPECT_DOUBLE_EQ(m.values[1], 20.0);  // orphaned per run
  EXPECT_TRUE(std::isnan(m.values[2]));
  // Replicate values and their standard error: 0.5 and 0.1.
  EXPECT_DOUBLE_EQ(m.replicates[0 * 3 + 0], 0.5);
  EXPECT_DOUBLE_EQ(m.replicates[1 * 3 + 0], 0.1);
  EXPECT_NEAR(m.se[0], 0.2, 1e-15);  // sd 0.2828 / sqrt(2)
  EXPECT_TRUE(std::isnan(m.se[2]));
}

TEST(CalibrationMoments, ObjectiveWeighsGapsAndPenalisesUndefinedMoments) {
  std::vector<Target> targets(3);
  targets[0].value = 0.5;
  targets[0].weight = 100.0;  // se 0.1
  targets[1].value = 2.0;
  targets[1].weight = 1.0;
  targets[2].value = 0.0;
  std::size_t undefined = 0;
  const std::vector<double> moments{0.7, 1.0, std::nan("")};
  EXPECT_DOUBLE_EQ(objective_of(moments, targets, undefined), 100.0 * 0.2 * 0.2 + 1.0 + undefined_moment_penalty);
  EXPECT_EQ(undefined, 1u);
}

TEST(CalibrationMoments, StandardErrorOfMean) {
  EXPECT_TRUE(std::isnan(standard_error_of_mean(std::vector<double>{1.0})));
  EXPECT_DOUBLE_EQ(standard_error_of_mean(std::vector<double>{1.0, 3.0}), 1.0);  // sd sqrt(2), / sqrt(2)
}

}  // namespace
}  // namespace loyalsim::calibrate
