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
    return series_sum(r, Series::followers_gained, 1) / static_cast<double>(r.count(Total::orphaned, 0, 0));
  };
  expect_trend("followers gained by B per customer orphaned at A", b_turnover, levels,
               sweep(baseline(), b_turnover, levels, gained), Trend::rises);
}

// The same through how long B's vacancies stay open: a vacancy is filled by
// a hire vacancy_months after it opened (or earlier by a mover), so with
// a short wait B has few open at any time. Two levels, none and a year:
// the share is near 1 from a wait of about 3 months on, and the steps in
// between are small against the replicate spread of about 80 leavers a run.
TEST(StylizedFacts, CompetitorWhoseVacanciesCloseSoonerAbsorbsFewerMovers) {
  const Lever b_wait{"B's vacancy_months", {"firms.B.vacancy_months"}};
  const std::vector<double> waits{0.0, 12.0};
  const Measure share = [](const RunResult& r) { return leavers_to_competitor_share(r, 0); };
  expect_trend("share of A's leavers joining B", b_wait, waits, sweep(baseline(), b_wait, waits, share), Trend::rises);
}

}  // namespace
}  // namespace loyalsim::stylized
