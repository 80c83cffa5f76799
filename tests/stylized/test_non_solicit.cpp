// Non-solicit (docs/MODEL.md section 6): a leaver who joins a competitor is
// barred from its book with probability non_solicit, and a barred rep's
// customers choose only between stay and defect. So the share of decisions
// in which following is possible falls with non_solicit, and so does the
// overall follow rate (followed / orphaned), to exactly zero at 1.
//
// The contested follow rate (followed / could_follow) is not a fact about
// non_solicit: it is measured only among the customers the bar spared, who
// face the same choice at every level (and it is undefined at 1, where no
// decision is contested). The bar acts on how many decisions are contested.
#include <gtest/gtest.h>

#include "lever_sweep.hpp"

namespace loyalsim::stylized {
namespace {

const Lever non_solicit{"non_solicit", {"firms.A.non_solicit", "firms.B.non_solicit"}};
const std::vector<double> levels{0.0, 0.5, 1.0};

// could_follow / orphaned; at 1 every leaver who joins a competitor is
// barred, so not one decision is contestable, in any replicate (an exact
// count, not an interval).
TEST(StylizedFacts, ContestableShareFallsWithNonSolicitToZeroAtOne) {
  const std::vector<Sample> samples = sweep(baseline(), non_solicit, levels, contestable_share);
  expect_trend("contestable share of decisions", non_solicit, levels, samples, Trend::falls);
  for (double value : samples.back().values) EXPECT_EQ(value, 0.0);
}

TEST(StylizedFacts, FollowRateFallsWithNonSolicitToZeroAtOne) {
  const std::vector<Sample> samples = sweep(baseline(), non_solicit, levels, follow_rate);
  expect_trend("follow rate", non_solicit, levels, samples, Trend::falls);
  // Not one follow at 1, in any replicate.
  for (double value : samples.back().values) EXPECT_EQ(value, 0.0);
}

}  // namespace
}  // namespace loyalsim::stylized
