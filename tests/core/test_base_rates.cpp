// Emergent base rates (docs/MODEL.md section 7.8): realised rep turnover
// per firm, realised customer churn and the departure-triggered share per
// firm x segment, and the book revenue difference-in-differences. Each is
// checked against a closed form or, for the DiD's counts, against a brute
// force over every customer's month-by-month history.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rates.hpp"
#include "tiny_models.hpp"

namespace loyalsim {
namespace {

using test::total;
using test::value;

double count_of(const RunResult& r, Total t, std::size_t f) { return static_cast<double>(r.count(t, f)); }

// Band for an annual rate 1 - (1 - p)^12 estimated from a monthly
// proportion p over n exposures: 5 binomial standard errors of p, carried
// through the derivative 12 (1 - p)^11 (delta method).
double annual_tolerance(double p, double n) {
  return test::sigmas * 12.0 * std::pow(1.0 - p, 11.0) * std::sqrt(p * (1.0 - p) / n);
}

TEST(BaseRates, RepTurnoverRealisedMatchesTheAnnualRate) {
  Scenario sc = test::quiet_scenario(2000, 120);
  const double turnover[] = {0.1, 0.3, 0.6};
  for (std::size_t f = 0; f < 3; ++f) {
    FirmParams firm = test::quiet_firm(std::string(1, static_cast<char>('A' + f)), 150);
    firm.rep_turnover_annual = turnover[f];
    firm.to_competitor = 0.5;
    firm.vacancy_months = 1;
    sc.firms.push_back(firm);
  }
  sc.segments = {test::frozen_segment("x")};
  const RunResult r = test::run(sc, 11);
  for (std::size_t f = 0; f < 3; ++f) {
    SCOPED_TRACE(sc.firms[f].name);
    // Exact bookkeeping: departures as the timeseries has them; rep-months
    // as the initial headcount plus each month's end-of-month stock but the last.
    EXPECT_EQ(count_of(r, Total::rep_departures, f), test::series_sum(r, Series::rep_departures, f));
    double rep_months = static_cast<double>(sc.firms[f].reps);
    for (std::size_t m = 0; m + 1 < r.months; ++m) rep_months += value(r, Series::reps_active, m, f);
    EXPECT_EQ(count_of(r, Total::rep_months, f), rep_months);
    // Every departure is a Bernoulli trial at the monthly rate.
    const double p = 1.0 - std::pow(1.0 - turnover[f], 1.0 / 12.0);
    EXPECT_NEAR(r.real(Total::rep_turnover_realised, f), turnover[f], annual_tolerance(p, rep_months));
  }
  // Per-firm totals pool over the firms selected, whatever the segments.
  const RunResult bc = pool_totals(r, {false, true, true}, {true});
  EXPECT_EQ(count_of(bc, Total::rep_months, 0), count_of(r, Total::rep_months, 1) + count_of(r, Total::rep_months, 2));
  EXPECT_DOUBLE_EQ(
      bc.real(Total::rep_turnover_realised, 0),
      1.0 - std::pow(1.0 - count_of(bc, Total::rep_departures, 0) / count_of(bc, Total::rep_months, 0), 12.0));
}

// No departures and no loyalty in churn (brand_weight = rep_weight = 0):
// every attached customer churns with the monthly probability of
// churn_annual, and every loss is baseline churn.
TEST(BaseRates, CustomerChurnRealisedMatchesChurnAnnual) {
  Scenario sc = test::quiet_scenario(20000, 48);
  sc.market.acquisition_rate = 0.05;
  sc.market.initial_attached_share = 0.8;
  sc.firms = {test::quiet_firm("A", 10), test::quiet_firm("B", 30)};
  SegmentParams x = test::frozen_segment("x", 0.4);
  x.churn_annual = 0.12;
  SegmentParams y = test::frozen_segment("y", 0.6);
  y.churn_annual = 0.3;
  for (SegmentParams* s : {&x, &y}) s->brand_weight = s->rep_weight = 0.0;
  sc.segments = {x, y};
  const RunResult r = test::run(sc, 12);
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t s = 0; s < 2; ++s) {
      SCOPED_TRACE(sc.firms[f].name + " " + sc.segments[s].name);
      // customer_months = the stock at the start of month 1 (the end of
      // month 1 plus its losses minus its gains) and at each month's end but the last.
      double customer_months = value(r, Series::customers, 0, f, s) + value(r, Series::churned, 0, f, s) -
                               value(r, Series::acquired, 0, f, s);
      for (std::size_t m = 0; m + 1 < r.months; ++m) customer_months += value(r, Series::customers, m, f, s);
      EXPECT_EQ(total(r, Total::customer_months, f, s), customer_months);
      EXPECT_EQ(total(r, Total::churned, f, s), test::series_sum(r, Series::churned, f, s));
      EXPECT_EQ(total(r, Total::departure_triggered_share, f, s), 0.0);
      const double annual = sc.segments[s].churn_annual;
      const double p = 1.0 - std::pow(1.0 - annual, 1.0 / 12.0);
      EXPECT_NEAR(total(r, Total::customer_churn_realised, f, s), annual, annual_tolerance(p, customer_months));
    }
}

// Every departure triggers: with no baseline churn, all losses are follows
// and defects.
TEST(BaseRates, DepartureTriggeredShareCountsFollowsAndDefects) {
  Scenario sc = test::quiet_scenario(4000, 24);
  FirmParams a = test::quiet_firm("A", 20);
  a.rep_turnover_annual = 0.5;
  a.to_competitor = 1.0;
  FirmParams b = a;
  b.name = "B";
  sc.firms = {a, b};
  SegmentParams x = test::frozen_segment("x");
  x.churn_annual = 0.2;
  sc.segments = {x};
  const RunResult r = test::run(sc, 13);
  for (std::size_t f = 0; f < 2; ++f) {
    const double followed = total(r, Total::followed, f, 0), defected = total(r, Total::defected, f, 0);
    const double churned = total(r, Total::churned, f, 0);
    ASSERT_GT(followed + defected, 0.0);
    ASSERT_GT(churned, 0.0);
    EXPECT_DOUBLE_EQ(total(r, Total::departure_triggered_share, f, 0),
                     (followed + defected) / (followed + defected + churned));
    const double lost = followed + defected + churned, months = total(r, Total::customer_months, f, 0);
    EXPECT_DOUBLE_EQ(total(r, Total::customer_churn_realised, f, 0), 1.0 - std::pow(1.0 - lost / months, 12.0));
  }
}

// ---------------------------------------------------------------- the DiD

// A busy market: random and scripted departures, competitor joins (some
// barred), churn, acquisition and a burn-in, so that spells start and end
// in every way the engine knows.
Scenario busy_scenario() {
  Scenario sc = test::quiet_scenario(3000, 30);
  sc.market.burn_in_months = 5;
  sc.market.acquisition_rate = 0.08;
  sc.market.initial_attached_share = 0.8;
  FirmParams a = test::quiet_firm("A", 8);
  a.rep_turnover_annual = 0.5;
  a.to_competitor = 0.6;
  a.non_solicit = 0.3;
  a.vacancy_months = 2;
  a.handoff_quality = 0.5;
  FirmParams b = a;
  b.name = "B";
  b.reps = 12;
  sc.firms = {a, b};
  SegmentParams x;  // default growth, decay and churn
  x.name = "x";
  x.share = 0.5;
  x.churn_annual = 0.25;
  x.rep_weight = 2.0;
  SegmentParams y = x;
  y.name = "y";
  y.churn_annual = 0.1;
  y.brand_weight = 2.0;
  y.rep_weight = 0.5;
  sc.segments = {x, y};
  sc.departures = {test::departure(14, 3, "A", "B"), test::departure(3, 2, "B", "A", "random")};
  return sc;
}

struct DidCounts {
  double book_before = 0, book_after = 0, all_before = 0, all_after = 0;
};

// The four DiD counts straight from the definition, per (firm, segment):
// the run is re-simulated month by month, every customer's firm at the end
// of every month is kept (from the initial state on), and for each anchor
// (a month 1..months - 12 with a departure from the firm) the attached
// months before and after are counted customer by customer.
std::vector<DidCounts> brute_force_did(const Scenario& sc, std::uint64_t seed) {
  const Model model = make_model(sc, seed);
  State state;
  initialise(model, state, true);
  const std::int64_t first = model.month_of_step(0) - 1;  // the initial state's month
  const std::size_t n = static_cast<std::size_t>(model.customers), firms = model.firms();
  const auto months = static_cast<std::size_t>(model.months);
  std::vector<std::vector<std::int16_t>> firm_at;  // [month - first][customer], end of month
  firm_at.emplace_back(state.customers.firm.begin(), state.customers.firm.end());
  std::vector<std::vector<std::int64_t>> departures(months + 1, std::vector<std::int64_t>(firms, 0));
  std::vector<DecisionEvent> events;
  while (state.step < model.steps) {
    const std::int64_t month = model.month_of_step(state.step);
    step(model, state);
    firm_at.emplace_back(state.customers.firm.begin(), state.customers.firm.end());
    if (month >= 1) {
      for (std::size_t f = 0; f < firms; ++f) departures[as_index(month)][f] = state.departures[f];
      events.insert(events.end(), state.month_total.events.begin(), state.month_total.events.end());
    }
  }
  // Initially attached customers count as attached for the 12 months
  // before the first simulated month too (docs/MODEL.md section 8).
  const auto at = [&](std::int64_t month, std::size_t i) {
    return firm_at[as_index(std::max(month, first) - first)][i];
  };
  // Attached to f at the end of t - 1: months attached without a break
  // among t-12..t-1, and (attached from t - 1 through t on) among t+1..t+12.
  const auto before = [&](std::int64_t t, std::size_t i, std::int16_t f) {
    std::int64_t k = 0;
    while (k < 12 && at(t - 1 - k, i) == f) ++k;
    return static_cast<double>(k);
  };
  const auto after = [&](std::int64_t t, std::size_t i, std::int16_t f) {
    if (at(t, i) != f) return 0.0;
    std::int64_t k = 0;
    while (k < 12 && at(t + 1 + k, i) == f) ++k;
    return static_cast<double>(k);
  };
  std::vector<DidCounts> counts(firms * model.segments());
  for (std::int64_t t = 1; t + 12 <= model.months; ++t) {
    for (std::size_t f = 0; f < firms; ++f) {
      if (departures[as_index(t)][f] == 0) continue;
      const auto firm = static_cast<std::int16_t>(f);
      for (std::size_t i = 0; i < n; ++i) {
        if (at(t - 1, i) != firm) continue;
        DidCounts& c = counts[f * model.segments() + state.customers.segment[i]];
        c.all_before += before(t, i, firm);
        c.all_after += after(t, i, firm);
      }
      for (const DecisionEvent& e : events) {
        if (e.month != t || e.from_firm != firm) continue;
        DidCounts& c = counts[f * model.segments() + e.segment];
        c.book_before += before(t, as_index(e.customer), firm);
        c.book_after += after(t, as_index(e.customer), firm);
      }
    }
  }
  return counts;
}

TEST(BaseRates, DidCountsEqualABruteForceOverEveryCustomersHistory) {
  const Scenario sc = busy_scenario();
  for (const std::uint64_t seed : {21u, 22u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RunResult r = test::run(sc, seed);
    const std::vector<DidCounts> expected = brute_force_did(sc, seed);
    double books = 0.0;
    for (std::size_t f = 0; f < 2; ++f)
      for (std::size_t s = 0; s < 2; ++s) {
        SCOPED_TRACE("firm " + sc.firms[f].name + " segment " + sc.segments[s].name);
        const DidCounts& c = expected[f * 2 + s];
        EXPECT_EQ(total(r, Total::book_months_before, f, s), c.book_before);
        EXPECT_EQ(total(r, Total::book_months_after, f, s), c.book_after);
        EXPECT_EQ(total(r, Total::all_months_before, f, s), c.all_before);
        EXPECT_EQ(total(r, Total::all_months_after, f, s), c.all_after);
        books += c.book_before;
        const double did = c.book_after / c.book_before - (c.all_after - c.book_after) / (c.all_before - c.book_before);
        EXPECT_DOUBLE_EQ(total(r, Total::book_revenue_change_did, f, s), did);
      }
    EXPECT_GT(books, 1000.0) << "the scenario must give the DiD books to count";
  }
}

// Customers who can and want to follow their rep leave with it: the books
// of departing reps lose most of their months after the departure (all but
// those of reps who found no vacancy and left the industry). The
// other customers lose some too (their own reps leave within the 12 months
// after, a monthly probability of about 4%, and they follow), so the DiD is
// about -(1 - that loss), well below -0.5. With nobody following or leaving
// it is 0 up to the rare follow.
TEST(BaseRates, DidIsStronglyNegativeWhenBooksFollowTheirReps) {
  Scenario sc = test::quiet_scenario(6000, 36);
  FirmParams a = test::quiet_firm("A", 20);
  a.rep_turnover_annual = 0.4;
  a.to_competitor = 1.0;
  a.vacancy_months = 1;
  FirmParams b = a;
  b.name = "B";
  sc.firms = {a, b};
  SegmentParams x = test::frozen_segment("x");
  x.rep_weight = 6.0;
  x.brand_weight = 0.5;
  x.switching_cost = 0.0;
  x.initial_rep_loyalty = 0.9;
  x.initial_brand_loyalty = 0.2;
  x.outside_utility = -5.0;
  x.decision_noise = 0.5;
  sc.segments = {x};
  const RunResult r = test::run(sc, 31);
  for (std::size_t f = 0; f < 2; ++f) {
    ASSERT_GT(total(r, Total::book_months_before, f, 0), 500.0);
    EXPECT_LT(total(r, Total::book_revenue_change_did, f, 0), -0.5);
  }
  // The same market where staying is all but certain and nothing churns:
  // the books keep their months as the rest of the firm does.
  sc.segments[0].rep_weight = 0.0;
  sc.segments[0].brand_weight = 6.0;
  sc.segments[0].initial_brand_loyalty = 0.9;
  const RunResult calm = test::run(sc, 31);
  for (std::size_t f = 0; f < 2; ++f) EXPECT_NEAR(total(calm, Total::book_revenue_change_did, f, 0), 0.0, 0.01);
}

}  // namespace
}  // namespace loyalsim
