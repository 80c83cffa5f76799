// Retention after a stay (retained_12m_after_stay, docs/MODEL.md section 8,
// "What is recorded"), baseline churn (section 7.5), and the summary rates
// as defined from their totals.
//
// Convention (docs/MODEL.md section 8 records it, since the requirements
// leave the exact months open; see broken_stays() in step.cpp): a stay
// decided in month t is retained if the customer is still attached to that
// firm at the end of every month t, t+1, ..., t+12. So a churn in month t
// itself (step 5 comes after the decision in step 2) breaks it, and so does a
// follow, defect or churn in month t+12 (the "12-month mark"); a break in
// month t+13 does not. The stay is eligible when t + 12 <= months. A later
// stay decision at the same firm is no break.
#include <gtest/gtest.h>

#include <cmath>

#include "tiny_models.hpp"

namespace loyalsim {
namespace {

using test::value;

// One firm, one rep holding every customer; it leaves the industry at
// month 1. Loyalties are frozen (growth and decay 0), so after the stay
// every stayer has the same churn probability p every month, and nobody
// else ever decides (no turnover) or arrives (no acquisition).
Scenario churn_after_stay_scenario(std::int64_t months) {
  Scenario sc = test::quiet_scenario(40000, months);
  FirmParams f = test::quiet_firm("A", 1);
  f.service_touchpoints = 0.5;
  f.handoff_quality = 0.5;
  f.vacancy_months = 2;
  sc.firms = {f};
  SegmentParams s = test::frozen_segment("s");
  s.brand_weight = 1.0;
  s.rep_weight = 1.0;
  s.service_weight = 1.0;
  s.outside_utility = -1.0;  // P(stay) = 1 / (1 + exp(-1.8)) ~ 0.86
  s.decision_noise = 1.0;
  s.churn_annual = 0.9;
  s.initial_brand_loyalty = 0.3;
  s.initial_rep_loyalty = 0.4;
  sc.segments = {s};
  sc.departures = {test::departure(1, 1, "A", "industry")};
  return sc;
}

// A stayer's loyalty term, L = (w_b B + w_r h R) / (w_b + w_r), with B and
// R as the engine stores them (float).
double stayer_churn_probability(const Scenario& sc) {
  const auto& s = sc.segments[0];
  const double B = static_cast<float>(s.initial_brand_loyalty);
  const double R = static_cast<float>(sc.firms[0].handoff_quality * static_cast<float>(s.initial_rep_loyalty));
  const double L = (s.brand_weight * B + s.rep_weight * R) / (s.brand_weight + s.rep_weight);
  return test::monthly_from_annual(s.churn_annual) * (1.0 - L);
}

// Each eligible stay is retained with probability q = (1 - p)^13 (churn
// draws in months 1..13, see the convention above), independently, so the
// retained count is Binomial(stays, q). The alternative reading with 12
// draws, (1 - p)^12, lies outside the band (checked), so the test pins the
// convention down.
TEST(Retention, RetainedAfterStayMatchesSurvivalThroughTheTwelveMonthMark) {
  const Scenario sc = churn_after_stay_scenario(13);
  const RunResult r = test::run(sc, 51);
  const double p = stayer_churn_probability(sc);
  const double q = std::pow(1.0 - p, 13);
  const double stays = test::total(r, Total::stayed, 0, 0);
  ASSERT_GT(stays, 30000.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_eligible, 0, 0), stays);  // 1 + 12 <= 13
  const double retained = test::total(r, Total::stays_12m_retained, 0, 0);
  const double tol = test::binomial_tolerance(stays, q);
  EXPECT_NEAR(retained, stays * q, tol);
  EXPECT_GT(stays * std::abs(std::pow(1.0 - p, 12) - q), 2 * tol);
  EXPECT_DOUBLE_EQ(test::total(r, Total::retained_12m_after_stay, 0, 0), retained / stays);
}

// Baseline churn of the same stayers month by month: churned in month t is
// Binomial(attached at the start of t, p); in month 1 the stayers are the
// ones at risk (defectors are already unattached). Summed: mean p * sum_t
// n_t, variance p (1 - p) sum_t n_t.
TEST(Retention, ChurnFollowsLoyaltyAdjustedMonthlyProbability) {
  const Scenario sc = churn_after_stay_scenario(13);
  const RunResult r = test::run(sc, 52);
  const double p = stayer_churn_probability(sc);
  double exposure = test::total(r, Total::stayed, 0, 0);
  double churned = 0.0;
  for (std::size_t m = 0; m < r.months; ++m) {
    churned += value(r, Series::churned, m, 0, 0);
    if (m + 1 < r.months) exposure += value(r, Series::customers, m, 0, 0);
  }
  EXPECT_NEAR(churned, p * exposure, test::binomial_tolerance(exposure, p));
  // Without the loyalty factor (p / (1 - L)) the count would be far off.
  const double p0 = test::monthly_from_annual(sc.segments[0].churn_annual);
  EXPECT_GT(exposure * (p0 - p), 2 * test::binomial_tolerance(exposure, p));
}

// A stay at month t with t + 12 > months is not eligible: with 12 recorded
// months the month-1 stays have their mark after the end.
TEST(Retention, StayWhoseMarkFallsAfterTheLastMonthIsNotEligible) {
  const RunResult r = test::run(churn_after_stay_scenario(12), 53);
  EXPECT_GT(test::total(r, Total::stayed, 0, 0), 30000.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_eligible, 0, 0), 0.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_retained, 0, 0), 0.0);
  EXPECT_TRUE(std::isnan(test::total(r, Total::retained_12m_after_stay, 0, 0)));
}

// Deterministic set-ups: utilities so lopsided that every choice is certain
// (the other options have probability below exp(-50)), no churn. Firm A's
// rep leaves the industry at month 1 (all stay: only stay or defect with
// u0 = -100); the vacancy is refilled at month 2 and the new rep takes the
// stayers. That rep leaves at `second` for firm B, or for the industry.
// With rep_weight 100 and R = 0.5, everyone follows to B when allowed.
Scenario certain_choices_scenario(std::int64_t second, const std::string& to, std::int64_t months) {
  Scenario sc = test::quiet_scenario(500, months);
  FirmParams a = test::quiet_firm("A", 1);
  a.vacancy_months = 1;
  sc.firms = {a, test::quiet_firm("B", 0)};
  SegmentParams s = test::frozen_segment("s");
  s.brand_weight = 0.0;
  s.service_weight = 0.0;
  s.rep_weight = 100.0;
  s.switching_cost = 0.0;
  s.outside_utility = -100.0;
  s.decision_noise = 1.0;
  s.initial_rep_loyalty = 0.5;
  sc.segments = {s};
  sc.departures = {test::departure(1, 1, "A", "industry"), test::departure(second, 1, "A", to)};
  return sc;
}

// Following the rep away in month 13 (= 1 + 12, the mark) breaks every
// month-1 stay; following in month 14 breaks none.
TEST(Retention, LeavingAtTheTwelveMonthMarkIsABreakButAMonthLaterIsNot) {
  const RunResult at_mark = test::run(certain_choices_scenario(13, "B", 14), 54);
  EXPECT_EQ(test::total(at_mark, Total::stayed, 0, 0), 500.0);
  EXPECT_EQ(test::total(at_mark, Total::followed, 0, 0), 500.0);
  EXPECT_EQ(test::total(at_mark, Total::stays_12m_eligible, 0, 0), 500.0);
  EXPECT_EQ(test::total(at_mark, Total::stays_12m_retained, 0, 0), 0.0);
  EXPECT_EQ(test::total(at_mark, Total::retained_12m_after_stay, 0, 0), 0.0);

  const RunResult after = test::run(certain_choices_scenario(14, "B", 14), 54);
  EXPECT_EQ(test::total(after, Total::followed, 0, 0), 500.0);
  EXPECT_EQ(test::total(after, Total::stays_12m_eligible, 0, 0), 500.0);
  EXPECT_EQ(test::total(after, Total::stays_12m_retained, 0, 0), 500.0);
  EXPECT_EQ(test::total(after, Total::retained_12m_after_stay, 0, 0), 1.0);
}

// A second stay at the same firm (month 5) is no break of the first: both
// stays are eligible (months 1 and 5, marks 13 and 17 <= 17) and retained.
TEST(Retention, LaterStayAtTheSameFirmIsNoBreak) {
  const RunResult r = test::run(certain_choices_scenario(5, "industry", 17), 55);
  EXPECT_EQ(test::total(r, Total::stayed, 0, 0), 1000.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_eligible, 0, 0), 1000.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_retained, 0, 0), 1000.0);
  EXPECT_EQ(test::total(r, Total::retained_12m_after_stay, 0, 0), 1.0);
}

// Two stays (months 1 and 5), then a follow at month 14: the month-1 stay
// (mark 13) is retained, the month-5 stay (mark 17) is broken.
TEST(Retention, BreakCountsOnlyStaysWhoseMarkIsStillAhead) {
  Scenario sc = certain_choices_scenario(5, "industry", 17);
  sc.departures.push_back(test::departure(14, 1, "A", "B"));
  const RunResult r = test::run(sc, 56);
  EXPECT_EQ(test::total(r, Total::stayed, 0, 0), 1000.0);
  EXPECT_EQ(test::total(r, Total::followed, 0, 0), 500.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_eligible, 0, 0), 1000.0);
  EXPECT_EQ(test::total(r, Total::stays_12m_retained, 0, 0), 500.0);
}

// Summary totals are the sums of the recorded months' series (burn-in
// excluded, though departures happen there too), and the rates are their
// definitions from the totals (NaN where the denominator is 0).
TEST(Retention, SummaryTotalsAndRatesEqualTheirDefinitions) {
  Scenario sc = test::quiet_scenario(8000, 30);
  sc.market.burn_in_months = 6;
  sc.market.acquisition_rate = 0.02;
  for (const char* name : {"A", "B", "C"}) {
    FirmParams f = test::quiet_firm(name, 10);
    f.rep_turnover_annual = 0.4;
    f.to_competitor = 0.6;
    f.vacancy_months = 1;
    sc.firms.push_back(f);
  }
  sc.firms[2].rep_turnover_annual = 0.0;  // C's cells have no orphans: NaN rates
  SegmentParams x = test::frozen_segment("x", 0.5);
  x.churn_annual = 0.2;
  x.rep_weight = 2.0;
  SegmentParams y = test::frozen_segment("y", 0.5);
  y.churn_annual = 0.1;
  sc.segments = {x, y};
  sc.departures = {test::departure(-2, 4, "A", "B")};
  const RunResult r = test::run(sc, 57);

  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t s = 0; s < 2; ++s) {
      SCOPED_TRACE("firm " + std::to_string(f) + " segment " + std::to_string(s));
      const double orphaned = test::total(r, Total::orphaned, f, s);
      const double stayed = test::total(r, Total::stayed, f, s);
      const double followed = test::total(r, Total::followed, f, s);
      EXPECT_EQ(orphaned, test::series_sum(r, Series::orphaned, f, s));
      EXPECT_EQ(stayed, test::series_sum(r, Series::stayed, f, s));
      EXPECT_EQ(followed, test::series_sum(r, Series::followed, f, s));
      EXPECT_EQ(test::total(r, Total::defected, f, s), test::series_sum(r, Series::defected, f, s));
      EXPECT_LE(test::total(r, Total::stays_12m_retained, f, s), test::total(r, Total::stays_12m_eligible, f, s));
      EXPECT_LE(test::total(r, Total::stays_12m_eligible, f, s), stayed);
      const auto expect_ratio = [](double actual, double num, double den) {
        if (den > 0) {
          EXPECT_DOUBLE_EQ(actual, num / den);
        } else {
          EXPECT_TRUE(std::isnan(actual));
        }
      };
      expect_ratio(test::total(r, Total::firm_retention_rate, f, s), stayed, orphaned);
      expect_ratio(test::total(r, Total::follow_rate, f, s), followed, orphaned);
      expect_ratio(test::total(r, Total::rep_ownership_share, f, s), followed, stayed + followed);
      expect_ratio(test::total(r, Total::retained_12m_after_stay, f, s),
                   test::total(r, Total::stays_12m_retained, f, s), test::total(r, Total::stays_12m_eligible, f, s));
    }
  }
  EXPECT_GT(test::total(r, Total::orphaned, 0, 0), 0.0);
  EXPECT_GT(test::total(r, Total::stays_12m_eligible, 0, 0), 0.0);
  EXPECT_TRUE(std::isnan(test::total(r, Total::firm_retention_rate, 2, 0)));
}

}  // namespace
}  // namespace loyalsim
