// Loyalty dynamics (docs/MODEL.md section 7.4) against closed forms and a
// direct double-precision recurrence.
//
// Tolerance: the engine stores B and R as float, rounding each month's value
// with absolute error at most u = 2^-24 (values lie in [0, 1]). The update
// x <- x + a(1 - x) - d x multiplies an existing error by (1 - a - d), so the
// accumulated error stays below u / (a + d) (geometric series). The recorded
// mean adds at most 2^-25 (fixed-point sum). The tests allow 4u / (a + d),
// a few times that bound, and nothing more.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tiny_models.hpp"

namespace loyalsim {
namespace {

using test::value;

constexpr double u = 0x1p-24;

double closed_form(double x0, double a, double d, double t) {
  const double star = a / (a + d);
  return star + (x0 - star) * std::pow(1.0 - a - d, t);
}

// Two firms x two segments with different rates, so each (firm, segment)
// cell has its own fixed point and a mixed-up index shows. Burn-in months
// are simulated: recorded month m has had burn_in + m updates.
Scenario uncoupled_scenario() {
  Scenario sc = test::quiet_scenario(2000, 60);
  sc.market.burn_in_months = 3;
  FirmParams a = test::quiet_firm("A", 5);
  a.brand_strength = 0.6;
  a.service_touchpoints = 0.3;
  FirmParams b = test::quiet_firm("B", 7);
  b.brand_strength = 0.2;
  b.service_touchpoints = 0.9;
  sc.firms = {a, b};

  SegmentParams x = test::frozen_segment("rising", 0.5);
  x.brand_growth = 0.04;
  x.service_growth = 0.02;
  x.rep_growth = 0.08;
  x.brand_decay = 0.01;
  x.rep_decay = 0.03;
  x.initial_brand_loyalty = 0.1;
  x.initial_rep_loyalty = 0.05;
  SegmentParams y = test::frozen_segment("falling", 0.5);
  y.brand_growth = 0.1;
  y.service_growth = 0.05;
  y.rep_growth = 0.2;
  y.brand_decay = 0.3;
  y.rep_decay = 0.25;
  y.initial_brand_loyalty = 0.9;
  y.initial_rep_loyalty = 0.95;
  sc.segments = {x, y};
  return sc;
}

TEST(Loyalty, BrandAndRepLoyaltyFollowClosedFormWithoutCoupling) {
  const Scenario sc = uncoupled_scenario();
  const RunResult r = test::run(sc, 11);
  const double burn_in = static_cast<double>(sc.market.burn_in_months);

  for (std::size_t f = 0; f < sc.firms.size(); ++f) {
    for (std::size_t s = 0; s < sc.segments.size(); ++s) {
      const auto& firm = sc.firms[f];
      const auto& seg = sc.segments[s];
      // kappa = 0, so a_b is constant; skill is 1, so a_r = g_r.
      const double a_b = seg.brand_growth * firm.brand_strength + seg.service_growth * firm.service_touchpoints;
      const double a_r = seg.rep_growth;
      const double tol_b = 4 * u / (a_b + seg.brand_decay);
      const double tol_r = 4 * u / (a_r + seg.rep_decay);
      ASSERT_GT(value(r, Series::customers, 0, f, s), 0.0) << "every cell needs customers";
      for (std::size_t m = 0; m < r.months; ++m) {
        const double t = burn_in + static_cast<double>(m + 1);
        EXPECT_NEAR(value(r, Series::brand_loyalty_mean, m, f, s),
                    closed_form(static_cast<float>(seg.initial_brand_loyalty), a_b, seg.brand_decay, t), tol_b)
            << "firm " << f << " segment " << s << " month " << m + 1;
        EXPECT_NEAR(value(r, Series::rep_loyalty_mean, m, f, s),
                    closed_form(static_cast<float>(seg.initial_rep_loyalty), a_r, seg.rep_decay, t), tol_r)
            << "firm " << f << " segment " << s << " month " << m + 1;
        // Nothing moves customers in this scenario.
        EXPECT_EQ(value(r, Series::customers, m, f, s), value(r, Series::customers, 0, f, s));
      }
    }
  }
}

// The closed form is only a useful check if an off-by-one month (or
// ignoring burn-in) would break it: make sure it would, in this scenario.
TEST(Loyalty, ClosedFormCheckWouldCatchAnOffByOneMonth) {
  const Scenario sc = uncoupled_scenario();
  const auto& firm = sc.firms[0];
  const auto& seg = sc.segments[0];
  const double a_b = seg.brand_growth * firm.brand_strength + seg.service_growth * firm.service_touchpoints;
  const double tol_b = 4 * u / (a_b + seg.brand_decay);
  const double t = static_cast<double>(sc.market.burn_in_months) + 1.0;
  EXPECT_GT(std::abs(closed_form(seg.initial_brand_loyalty, a_b, seg.brand_decay, t) -
                     closed_form(seg.initial_brand_loyalty, a_b, seg.brand_decay, t - 1)),
            100 * tol_b);
}

// With kappa > 0 brand growth depends on last month's R; the clamp
// min(1, .) engages once R is large. Compared with section 7.4's update written
// out in double precision. Error bound: R's error eR <= u / (a_r + d_r);
// B's error grows by at most kappa * eR per month (min is 1-Lipschitz) and
// contracts by (1 - a_b - d_b) with a_b >= g_b*brand + g_s*service, so
// eB <= (u + kappa * eR) / (a_b_min + d_b). Four times these bounds.
TEST(Loyalty, CoupledBrandLoyaltyMatchesDoubleRecurrenceIncludingClamp) {
  Scenario sc = test::quiet_scenario(500, 48);
  sc.market.burn_in_months = 0;
  FirmParams f = test::quiet_firm("A", 3);
  f.brand_strength = 1.0;
  f.service_touchpoints = 0.2;
  f.relationship_transfer = 1.0;
  sc.firms = {f};
  SegmentParams s = test::frozen_segment("coupled");
  s.brand_growth = 0.35;  // a_b = 0.37 + R: clamps once R > 0.63 (R* = 0.75)
  s.service_growth = 0.1;
  s.rep_growth = 0.3;
  s.rep_decay = 0.1;
  s.brand_decay = 0.05;
  s.initial_brand_loyalty = 0.0;
  s.initial_rep_loyalty = 0.1;
  sc.segments = {s};
  const RunResult r = test::run(sc, 5);

  const double a_r = s.rep_growth;  // skill 1
  const double base = s.brand_growth * f.brand_strength + s.service_growth * f.service_touchpoints;
  const double err_r = 4 * u / (a_r + s.rep_decay);
  const double err_b = 4 * (u + f.relationship_transfer * err_r) / (base + s.brand_decay);

  double B = static_cast<float>(s.initial_brand_loyalty);
  double R = static_cast<float>(s.initial_rep_loyalty);
  bool clamped = false, unclamped = false;
  for (std::size_t m = 0; m < r.months; ++m) {
    const double raw = base + f.relationship_transfer * R;  // R before this month's update
    const double a_b = std::min(1.0, raw);
    (raw > 1.0 ? clamped : unclamped) = true;
    const double next_r = R + a_r * (1.0 - R) - s.rep_decay * R;
    B = B + a_b * (1.0 - B) - s.brand_decay * B;
    R = next_r;
    EXPECT_NEAR(value(r, Series::rep_loyalty_mean, m, 0, 0), R, err_r) << "month " << m + 1;
    EXPECT_NEAR(value(r, Series::brand_loyalty_mean, m, 0, 0), B, err_b) << "month " << m + 1;
  }
  // Both regimes of the clamp were exercised.
  EXPECT_TRUE(clamped);
  EXPECT_TRUE(unclamped);
}

// Using this month's updated R in a_b (instead of last month's, as section
// 7.4 says) would be a different trajectory; check the scenario tells them apart.
TEST(Loyalty, CoupledCheckDistinguishesOldFromNewRepLoyalty) {
  const double g = 0.1, kappa = 0.5, a_r = 0.3, d_r = 0.1, d_b = 0.05;
  double b_old = 0.0, b_new = 0.0, R = 0.1;
  double gap = 0.0;
  for (int m = 0; m < 6; ++m) {
    const double next_r = R + a_r * (1 - R) - d_r * R;
    b_old = b_old + std::min(1.0, g + kappa * R) * (1 - b_old) - d_b * b_old;
    b_new = b_new + std::min(1.0, g + kappa * next_r) * (1 - b_new) - d_b * b_new;
    R = next_r;
    gap = std::max(gap, std::abs(b_old - b_new));
  }
  EXPECT_GT(gap, 1e-3);  // far above the 1e-5-scale tolerance used above
}

// An unserved customer has k = 0: R only decays, R_t = R_0 (1 - d_r)^t.
// Here the firm's only rep leaves at month 1 (to the industry), everybody
// stays (the outside option is hopeless), stayers' R becomes h R, and the
// vacancy is filled at month 1 + vacancy_months; from then on the new rep
// (skill 1) makes R grow again along the closed form.
TEST(Loyalty, RepLoyaltyOnlyDecaysWhileUnservedAndGrowsAgainAfterHire) {
  Scenario sc = test::quiet_scenario(300, 30);
  FirmParams f = test::quiet_firm("A", 1);
  f.handoff_quality = 0.8;
  f.vacancy_months = 6;
  sc.firms = {f};
  SegmentParams s = test::frozen_segment("s");
  s.outside_utility = -1000.0;  // P(defect) = exp(-1000/theta): never
  s.rep_growth = 0.1;
  s.rep_decay = 0.05;
  s.initial_rep_loyalty = 0.6;
  sc.segments = {s};
  sc.departures = {test::departure(1, 1, "A", "industry")};
  const RunResult r = test::run(sc, 3);

  ASSERT_EQ(test::series_sum(r, Series::stayed, 0, 0), 300.0);
  const double tol = 4 * u / s.rep_decay;
  // Month 1: the rep left before this month's update, so the stayer is
  // unserved and R = h R0 (1 - d_r); by month 6 still unserved.
  double R = static_cast<float>(static_cast<float>(s.initial_rep_loyalty) * f.handoff_quality);
  for (std::size_t m = 0; m < 6; ++m) {
    R *= 1.0 - s.rep_decay;
    EXPECT_NEAR(value(r, Series::rep_loyalty_mean, m, 0, 0), R, tol) << "month " << m + 1;
    EXPECT_EQ(value(r, Series::reps_active, m, 0), 0.0) << "month " << m + 1;
  }
  // Month 7 on: hired in step 3 of month 7, served in step 4 of month 7.
  const double tol_grow = 4 * u / (s.rep_growth + s.rep_decay) + tol;
  for (std::size_t m = 6; m < r.months; ++m) {
    EXPECT_EQ(value(r, Series::reps_active, m, 0), 1.0) << "month " << m + 1;
    EXPECT_NEAR(value(r, Series::rep_loyalty_mean, m, 0, 0),
                closed_form(R, s.rep_growth, s.rep_decay, static_cast<double>(m + 1 - 6)), tol_grow)
        << "month " << m + 1;
  }
}

// Loyalties stay in [0, 1] in a busy scenario (extreme rates, turnover,
// followers, churn, acquisition): a basic invariant of the update.
TEST(Loyalty, MeansStayInUnitIntervalUnderExtremeRates) {
  Scenario sc = test::quiet_scenario(3000, 36);
  sc.market.acquisition_rate = 0.3;
  sc.market.rep_skill_sd = 2.0;  // skills far above 1: the min(1, g_r k) clamp matters
  FirmParams a = test::quiet_firm("A", 10);
  a.rep_turnover_annual = 0.9;
  a.to_competitor = 1.0;
  a.brand_strength = 1.0;
  a.service_touchpoints = 1.0;
  a.relationship_transfer = 1.0;
  FirmParams b = a;
  b.name = std::string("B");  // not = "B": a GCC 12 -Wrestrict false positive
  sc.firms = {a, b};
  SegmentParams s = test::frozen_segment("s");
  s.brand_growth = 1.0;
  s.service_growth = 1.0;
  s.rep_growth = 1.0;
  s.brand_decay = 0.0;
  s.rep_decay = 0.0;
  s.churn_annual = 0.5;
  s.rep_weight = 5.0;
  sc.segments = {s};
  const RunResult r = test::run(sc, 9);
  for (const Series metric : {Series::brand_loyalty_mean, Series::rep_loyalty_mean}) {
    for (std::size_t m = 0; m < r.months; ++m) {
      for (std::size_t f = 0; f < 2; ++f) {
        const double x = value(r, metric, m, f, 0);
        if (value(r, Series::customers, m, f, 0) == 0) {
          EXPECT_TRUE(std::isnan(x));  // mean over no customers
        } else {
          EXPECT_GE(x, 0.0);
          EXPECT_LE(x, 1.0);
        }
      }
    }
  }
}

}  // namespace
}  // namespace loyalsim
