// Contestable decisions (docs/MODEL.md section 7.8; SPEC section 4): a
// decision is contestable when the departing rep joined a competitor and
// non-solicit did not bar the departure. could_follow counts them, and
// follow_rate_when_possible / retention_when_contested rate the follows and
// stays among them. Also pool_totals: pooled rates from summed counts.
//
// Set-up: two firms with random rep turnover; loyalties frozen (growth,
// decay and churn 0, handoff_quality 1, a follower's B reset to the same
// initial value), so every decision sees the same B and R and each
// contestable decision follows with the three-way logit probability.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/rates.hpp"
#include "tiny_models.hpp"

namespace loyalsim {
namespace {

using test::total;
using test::value;

Scenario turnover_scenario(double to_competitor, double non_solicit) {
  Scenario sc = test::quiet_scenario(20000, 36);
  sc.market.substitutability = 0.6;
  FirmParams a = test::quiet_firm("A", 20);
  a.rep_turnover_annual = 0.6;
  a.to_competitor = to_competitor;
  a.non_solicit = non_solicit;
  a.service_touchpoints = 0.4;
  FirmParams b = a;
  b.name = "B";
  b.service_touchpoints = 0.2;
  sc.firms = {a, b};
  SegmentParams x = test::frozen_segment("x", 0.5);
  x.brand_weight = 1.0;
  x.service_weight = 1.0;
  x.rep_weight = 2.0;
  x.switching_cost = 0.5;
  x.outside_utility = 0.0;
  x.decision_noise = 0.6;
  x.initial_brand_loyalty = 0.4;
  x.initial_rep_loyalty = 0.7;
  SegmentParams y = test::frozen_segment("y", 0.5);
  y.brand_weight = 2.0;
  y.rep_weight = 0.5;
  y.switching_cost = 1.0;
  y.outside_utility = -0.5;
  y.decision_noise = 1.2;
  y.initial_brand_loyalty = 0.5;
  y.initial_rep_loyalty = 0.3;
  sc.segments = {x, y};
  return sc;
}

TEST(Contested, NoCompetitorJoinsMeansNoContestableDecisionAndUndefinedRates) {
  const RunResult r = test::run(turnover_scenario(0.0, 0.0), 3);
  double orphaned = 0.0;
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t s = 0; s < 2; ++s) {
      orphaned += total(r, Total::orphaned, f, s);
      EXPECT_EQ(total(r, Total::could_follow, f, s), 0.0);
      EXPECT_EQ(total(r, Total::stayed_when_contested, f, s), 0.0);
      EXPECT_EQ(test::series_sum(r, Series::could_follow, f, s), 0.0);
      EXPECT_TRUE(std::isnan(total(r, Total::follow_rate_when_possible, f, s)));
      EXPECT_TRUE(std::isnan(total(r, Total::retention_when_contested, f, s)));
      EXPECT_FALSE(std::isnan(total(r, Total::follow_rate, f, s)));
    }
  EXPECT_GT(orphaned, 1000.0) << "the scenario must orphan customers to test anything";
}

TEST(Contested, NonSolicitBarsEveryDeparture) {
  const RunResult r = test::run(turnover_scenario(1.0, 1.0), 4);
  double orphaned = 0.0;
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t s = 0; s < 2; ++s) {
      orphaned += total(r, Total::orphaned, f, s);
      EXPECT_EQ(total(r, Total::could_follow, f, s), 0.0);
      EXPECT_EQ(total(r, Total::followed, f, s), 0.0);
      EXPECT_TRUE(std::isnan(total(r, Total::follow_rate_when_possible, f, s)));
    }
  EXPECT_GT(orphaned, 1000.0);
  EXPECT_GT(test::series_sum(r, Series::rep_departures_to_competitor, 0), 5.0) << "reps must join competitors";
}

// A random leaver bound for a competitor leaves the industry when no
// competitor has an open vacancy (section 7.1), so here every departure is
// scripted to a competitor (a scripted leaver always joins): every decision
// is then contestable, and the contested counts equal the overall ones.
TEST(Contested, EveryDecisionIsContestableWhenEveryLeaverJoinsUnbarred) {
  Scenario sc = turnover_scenario(1.0, 0.0);
  for (FirmParams& f : sc.firms) f.rep_turnover_annual = 0.0;
  sc.departures = {test::departure(2, 3, "A", "B", "random"), test::departure(5, 2, "B", "A", "random"),
                   test::departure(9, 4, "A", "B", "random"), test::departure(9, 1, "B", "A")};
  const RunResult r = test::run(sc, 5);
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t s = 0; s < 2; ++s) {
      EXPECT_GT(total(r, Total::orphaned, f, s), 500.0);
      EXPECT_EQ(total(r, Total::could_follow, f, s), total(r, Total::orphaned, f, s));
      EXPECT_EQ(total(r, Total::stayed_when_contested, f, s), total(r, Total::stayed, f, s));
      EXPECT_EQ(total(r, Total::follow_rate_when_possible, f, s), total(r, Total::follow_rate, f, s));
      EXPECT_EQ(total(r, Total::retention_when_contested, f, s), total(r, Total::firm_retention_rate, f, s));
      for (std::size_t m = 0; m < r.months; ++m)
        EXPECT_EQ(value(r, Series::could_follow, m, f, s), value(r, Series::orphaned, m, f, s)) << "month " << m;
      EXPECT_EQ(test::series_sum(r, Series::could_follow, f, s), total(r, Total::could_follow, f, s));
    }
}

// Half the competitor joins barred, a third of the leavers leave the
// industry: the contested rates are the three-way logit probabilities, while
// the overall follow_rate is diluted by the uncontested decisions.
TEST(Contested, ContestedRatesMatchTheThreeWayLogit) {
  const Scenario sc = turnover_scenario(0.7, 0.5);
  const RunResult r = test::run(sc, 6);
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t s = 0; s < 2; ++s) {
      const auto& seg = sc.segments[s];
      const double B = static_cast<float>(seg.initial_brand_loyalty), R = static_cast<float>(seg.initial_rep_loyalty);
      const double u_stay = seg.brand_weight * B + seg.service_weight * sc.firms[f].service_touchpoints;
      const double u_follow = seg.rep_weight * R - seg.switching_cost * (1.0 - sc.market.substitutability);
      const auto p = test::logit({u_stay, u_follow, seg.outside_utility}, seg.decision_noise);
      const double n = total(r, Total::could_follow, f, s);
      SCOPED_TRACE("firm " + std::to_string(f) + " segment " + seg.name + ", could_follow " + std::to_string(n));
      ASSERT_GT(n, 500.0);
      ASSERT_LT(n, total(r, Total::orphaned, f, s)) << "some decisions must be uncontested";
      const double band = 4.5 / std::sqrt(n);
      EXPECT_NEAR(total(r, Total::follow_rate_when_possible, f, s), p[1], band * std::sqrt(p[1] * (1 - p[1])));
      EXPECT_NEAR(total(r, Total::retention_when_contested, f, s), p[0], band * std::sqrt(p[0] * (1 - p[0])));
      EXPECT_DOUBLE_EQ(total(r, Total::follow_rate_when_possible, f, s), total(r, Total::followed, f, s) / n);
    }
}

// events/ carries the destination and the bar; counted back, they give the
// summary's contested counts exactly.
TEST(Contested, EventsDestinationAndBarAgreeWithTheCounts) {
  const Scenario sc = turnover_scenario(0.7, 0.5);
  const RunResult r = test::run(sc, 6, true);
  ASSERT_FALSE(r.events.empty());
  double could[2][2] = {}, stayed_c[2][2] = {}, barred = 0, to_industry_rows = 0;
  for (const DecisionEvent& e : r.events) {
    ASSERT_GE(e.destination, -1);
    ASSERT_LT(e.destination, 2);
    ASSERT_NE(e.destination, e.from_firm);
    ASSERT_LE(e.barred, 1);
    if (e.barred) {
      ++barred;
      EXPECT_NE(e.choice, Choice::follow);
      EXPECT_GE(e.destination, 0) << "only a competitor join is barred";
    }
    if (e.destination < 0) {
      ++to_industry_rows;
      EXPECT_NE(e.choice, Choice::follow);
    }
    if (e.choice == Choice::follow) {
      EXPECT_EQ(e.to_firm, e.destination);
    }
    if (e.destination >= 0 && !e.barred) {
      ++could[e.from_firm][e.segment];
      if (e.choice == Choice::stay) ++stayed_c[e.from_firm][e.segment];
    }
  }
  EXPECT_GT(barred, 100.0);
  EXPECT_GT(to_industry_rows, 100.0);
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t s = 0; s < 2; ++s) {
      EXPECT_EQ(could[f][s], total(r, Total::could_follow, f, s));
      EXPECT_EQ(stayed_c[f][s], total(r, Total::stayed_when_contested, f, s));
    }
}

// pool_totals sums every count over the selected cells and recomputes the
// rates from the sums: a ratio of sums, not a mean of ratios.
TEST(Contested, PoolTotalsSumsCountsAndRecomputesRates) {
  const RunResult r = test::run(turnover_scenario(0.7, 0.5), 7);
  const RunResult all = pool_totals(r, {}, {});
  ASSERT_EQ(all.firms, 1u);
  ASSERT_EQ(all.segments, 1u);
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    if (summary_metrics[i].type != MetricType::count) continue;
    std::int64_t sum = 0;
    for (const std::int64_t v : r.totals.counts[i]) sum += v;
    EXPECT_EQ(all.totals.counts[i][0], sum) << summary_metrics[i].name;
  }
  const double followed = total(all, Total::followed, 0, 0), could = total(all, Total::could_follow, 0, 0);
  EXPECT_DOUBLE_EQ(total(all, Total::follow_rate_when_possible, 0, 0), followed / could);

  // Firm B, segment y only: that one cell (for per-firm metrics, firm B).
  const RunResult one = pool_totals(r, {false, true}, {false, true});
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    const std::size_t k = summary_metrics[i].shape == MetricShape::firm_segment ? 1 * 2 + 1 : 1;
    if (summary_metrics[i].type == MetricType::count) {
      EXPECT_EQ(one.totals.counts[i][0], r.totals.counts[i][k]) << summary_metrics[i].name;
    } else if (std::isnan(r.totals.reals[i][k])) {
      EXPECT_TRUE(std::isnan(one.totals.reals[i][0])) << summary_metrics[i].name;
    } else {
      EXPECT_DOUBLE_EQ(one.totals.reals[i][0], r.totals.reals[i][k]) << summary_metrics[i].name;
    }
  }
  // Firm A over both segments.
  const RunResult firm_a = pool_totals(r, {true, false}, {});
  EXPECT_EQ(total(firm_a, Total::could_follow, 0, 0),
            total(r, Total::could_follow, 0, 0) + total(r, Total::could_follow, 0, 1));
  EXPECT_DOUBLE_EQ(total(firm_a, Total::retention_when_contested, 0, 0),
                   (total(r, Total::stayed_when_contested, 0, 0) + total(r, Total::stayed_when_contested, 0, 1)) /
                       total(firm_a, Total::could_follow, 0, 0));
  EXPECT_THROW(pool_totals(r, {true}, {}), std::invalid_argument);
  EXPECT_THROW(pool_totals(r, {}, {true, true, true}), std::invalid_argument);
}

}  // namespace
}  // namespace loyalsim
