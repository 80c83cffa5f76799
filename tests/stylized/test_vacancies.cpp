// Where leavers go (docs/MODEL.md section 6): a leaver heading for a
// competitor joins one in proportion to its open vacancies, and leaves the
// industry when no competitor has one. A competitor whose own reps rarely
// leave has few vacancies open, so it absorbs fewer of the other firm's
// movers, and gains fewer of their followers.
#include <gtest/gtest.h>

#include "lever_sweep.hpp"

namespace loyalsim::stylized {
namespace {

const Lever b_turnover{"B's rep_turnover_annual", {"firms.B.rep_turnover_annual"}};
const std::vector<double> levels{0.05, 0.2, 0.6};

// Of firm A's leavers, the share who joined B (rep_departures_to_competitor
// over rep_departures, at A).
TEST(StylizedFacts, CompetitorWithFewVacanciesAbsorbsFewerMovers) {
  const Measure share = [](const RunResult& r) { return leavers_to_competitor_share(r, 0); };
  expect_trend("share of A's leavers joining B", b_turnover, levels, sweep(baseline(), b_turnover, levels, share),
               Trend::rises);
}

// Followers B gains, per customer orphaned at A: with two firms every
// follower B gains comes from A.
TEST(StylizedFacts, CompetitorWithFewVacanciesGainsFewerFollowers) {
  const Measure gained = [](const RunResult& r) {
    double followers = 0.0;
    for (std::size_t m = 0; m < r.months; ++m)
      followers += static_cast<double>(r.series.counts[index_of(Series::followers_gained)][m * r.firms * r.segments +
                                                                                            1 * r.segments + 0]);
    return followers / static_cast<double>(r.count(Total::orphaned, 0, 0));
  };
  expect_trend("followers gained by B per customer orphaned at A", b_turnover, levels,
               sweep(baseline(), b_turnover, levels, gained), Trend::rises);
}

}  // namespace
}  // namespace loyalsim::stylized
