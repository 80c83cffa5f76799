// Rep dynamics (docs/MODEL.md sections 3, 5, 7.1 and 7.7):
// departure counts, destinations, vacancies and hiring, scripted departures,
// rep skill, and who customers are attached to.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tiny_models.hpp"

namespace loyalsim {
namespace {

using test::value;

// Each rep active at the start of month t leaves with probability
// m = 1 - (1 - annual)^(1/12), independently. Summed over months, the count
// has mean m * sum_t n_t and variance m (1 - m) sum_t n_t, where n_t is the
// headcount at the start of month t (the previous month's reps_active; reps
// who join this month are not at risk until next month). Checked to 5 sigma.
TEST(Reps, RandomDeparturesAreBinomialWithMonthlyProbability) {
  Scenario sc = test::quiet_scenario(1000, 60);
  const std::vector<double> annual{0.1, 0.3, 0.6};
  const std::vector<std::int64_t> heads{100, 200, 600};
  for (std::size_t f = 0; f < 3; ++f) {
    FirmParams firm = test::quiet_firm(std::string(1, static_cast<char>('A' + f)), heads[f]);
    firm.rep_turnover_annual = annual[f];
    firm.to_competitor = 0.5;
    firm.vacancy_months = 2;
    sc.firms.push_back(firm);
  }
  sc.segments = {test::frozen_segment("s")};
  const RunResult r = test::run(sc, 31);

  for (std::size_t f = 0; f < 3; ++f) {
    const double m = test::monthly_from_annual(annual[f]);
    double at_risk = 0.0;
    for (std::size_t t = 0; t < r.months; ++t)
      at_risk += t == 0 ? static_cast<double>(heads[f]) : value(r, Series::reps_active, t - 1, f);
    const double departures = test::series_sum(r, Series::rep_departures, f);
    EXPECT_NEAR(departures, at_risk * m, test::binomial_tolerance(at_risk, m)) << "firm " << f;
    if (f == 2) {
      // Discriminating: the naive annual/12 would miss the band by far.
      EXPECT_GT(std::abs(at_risk * (m - annual[f] / 12.0)), 2 * test::binomial_tolerance(at_risk, m));
    }
  }
}

// A firm A whose leavers always find vacancies elsewhere: B and C lose every
// rep to the industry at the start of month 1 (scripted departures come
// before the random ones) and never hire (vacancy_months 1200), leaving 3000
// and 1000 open vacancies, far more than A's leavers can fill; B and C never
// lose a rep themselves.
Scenario vacancy_pool_scenario(double to_competitor) {
  Scenario sc = test::quiet_scenario(2000, 24);
  FirmParams a = test::quiet_firm("A", 600);
  a.rep_turnover_annual = 0.5;
  a.to_competitor = to_competitor;
  a.vacancy_months = 1200;
  FirmParams b = test::quiet_firm("B", 3000);
  b.vacancy_months = 1200;
  FirmParams c = test::quiet_firm("C", 1000);
  c.vacancy_months = 1200;
  sc.firms = {a, b, c};
  sc.segments = {test::frozen_segment("s")};
  sc.departures = {test::departure(1, 3000, "B", "industry"), test::departure(1, 1000, "C", "industry")};
  return sc;
}

// Given D departures from A, each is bound for a competitor with
// probability to_competitor: Binomial(D, to_competitor).
TEST(Reps, LeaversJoinCompetitorsWithProbabilityToCompetitor) {
  const Scenario sc = vacancy_pool_scenario(0.3);
  const RunResult r = test::run(sc, 32);
  const double departures = test::series_sum(r, Series::rep_departures, 0);
  const double joined = test::series_sum(r, Series::rep_departures_to_competitor, 0);
  ASSERT_GT(departures, 200.0);
  EXPECT_NEAR(joined, departures * 0.3, test::binomial_tolerance(departures, 0.3));
  // Every joiner is now active at B or C (which never lose or hire reps).
  const std::size_t last = r.months - 1;
  EXPECT_EQ(value(r, Series::reps_active, last, 1) + value(r, Series::reps_active, last, 2), joined);
}

// Each joiner picks a firm in proportion to its open vacancies and takes
// one: J joiners drawn from 3000 (B) + 1000 (C) vacancies without
// replacement, so joins to B are Hypergeometric(J; 3000, 4000): mean
// 0.75 J, variance J 0.75 0.25 (4000 - J) / 3999. Uniform choice among
// firms (0.5 J) is far outside the band.
TEST(Reps, CompetitorIsChosenInProportionToOpenVacancies) {
  const Scenario sc = vacancy_pool_scenario(1.0);
  const RunResult r = test::run(sc, 33);
  const std::size_t last = r.months - 1;
  const double to_b = value(r, Series::reps_active, last, 1);
  const double to_c = value(r, Series::reps_active, last, 2);
  const double joined = to_b + to_c;
  EXPECT_EQ(joined, test::series_sum(r, Series::rep_departures_to_competitor, 0));
  EXPECT_EQ(joined, test::series_sum(r, Series::rep_departures, 0));  // to_competitor = 1
  ASSERT_GT(joined, 350.0);
  const double sd = std::sqrt(joined * 0.75 * 0.25 * (4000.0 - joined) / 3999.0);
  EXPECT_NEAR(to_b, 0.75 * joined, test::sigmas * sd);
  EXPECT_GT(0.25 * joined, 2 * test::sigmas * sd);  // the check can tell 0.75 from 0.5
}

// A firm's reps is its target: without scripted departures no firm ever has
// more active reps, whatever the turnover and competitor moves.
TEST(Reps, HeadcountNeverExceedsTargetWithoutScriptedDepartures) {
  Scenario sc = test::quiet_scenario(3000, 120);
  sc.market.burn_in_months = 6;
  const std::vector<std::int64_t> vacancy{0, 2, 5};
  for (std::size_t f = 0; f < 3; ++f) {
    FirmParams firm =
        test::quiet_firm(std::string(1, static_cast<char>('A' + f)), 8 + 4 * static_cast<std::int64_t>(f));
    firm.rep_turnover_annual = 0.4 + 0.2 * static_cast<double>(f);
    firm.to_competitor = 0.9;
    firm.vacancy_months = vacancy[f];
    sc.firms.push_back(firm);
  }
  sc.segments = {test::frozen_segment("s")};
  const RunResult r = test::run(sc, 34);
  double moves = 0.0;
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t m = 0; m < r.months; ++m) {
      EXPECT_LE(value(r, Series::reps_active, m, f), static_cast<double>(sc.firms[f].reps)) << "month " << m + 1;
      EXPECT_GE(value(r, Series::reps_active, m, f), 0.0);
    }
    moves += test::series_sum(r, Series::rep_departures_to_competitor, f);
  }
  EXPECT_GT(moves, 20.0);  // competitor joins, the way a firm could overshoot, happened
}

// With to_competitor = 0 nobody joins a firm except its own hires, so a
// vacancy opened in month t is filled in month t + vacancy_months exactly:
// at the end of month t the open vacancies are the departures of months
// t - v + 1 .. t, and reps_active = target - (those departures).
TEST(Reps, VacanciesAreFilledExactlyVacancyMonthsLater) {
  Scenario sc = test::quiet_scenario(1000, 48);
  const std::vector<std::int64_t> vacancy{0, 1, 3, 7};
  for (std::size_t f = 0; f < vacancy.size(); ++f) {
    FirmParams firm = test::quiet_firm(std::string(1, static_cast<char>('A' + f)), 30);
    firm.rep_turnover_annual = 0.5;
    firm.vacancy_months = vacancy[f];
    sc.firms.push_back(firm);
  }
  sc.segments = {test::frozen_segment("s")};
  const RunResult r = test::run(sc, 35);
  for (std::size_t f = 0; f < vacancy.size(); ++f) {
    const auto v = static_cast<std::size_t>(vacancy[f]);
    double total = 0.0;
    for (std::size_t m = 0; m < r.months; ++m) {
      double open = 0.0;
      for (std::size_t k = 0; k < v && k <= m; ++k) open += value(r, Series::rep_departures, m - k, f);
      EXPECT_EQ(value(r, Series::reps_active, m, f), 30.0 - open) << "firm " << f << " month " << m + 1;
      EXPECT_EQ(value(r, Series::rep_departures_to_competitor, m, f), 0.0);
      total += value(r, Series::rep_departures, m, f);
    }
    EXPECT_GT(total, 20.0) << "firm " << f;
  }
}

// Scripted departures (docs/MODEL.md section 6: they open vacancies and join `to` even above
// its target). A loses 10 reps to B at month 3; A's vacancies are filled at
// month 3 + 4 = 7; B sits at 30 (target 20) for good, since nobody leaves B.
TEST(Reps, ScriptedJoinTakesFirmAboveTargetAndVacanciesRefillOnTime) {
  Scenario sc = test::quiet_scenario(500, 12);
  FirmParams a = test::quiet_firm("A", 50);
  a.vacancy_months = 4;
  sc.firms = {a, test::quiet_firm("B", 20)};
  sc.segments = {test::frozen_segment("s")};
  sc.departures = {test::departure(3, 10, "A", "B", "random")};
  const RunResult r = test::run(sc, 36);
  for (std::size_t m = 0; m < r.months; ++m) {
    const int month = static_cast<int>(m) + 1;
    EXPECT_EQ(value(r, Series::reps_active, m, 0), month >= 3 && month < 7 ? 40.0 : 50.0) << "month " << month;
    EXPECT_EQ(value(r, Series::reps_active, m, 1), month >= 3 ? 30.0 : 20.0) << "month " << month;
    EXPECT_EQ(value(r, Series::rep_departures, m, 0), month == 3 ? 10.0 : 0.0);
    EXPECT_EQ(value(r, Series::rep_departures_to_competitor, m, 0), month == 3 ? 10.0 : 0.0);
    EXPECT_EQ(value(r, Series::rep_departures, m, 1), 0.0);
  }
  EXPECT_EQ(r.scripted_shortfall, 0);
}

// Scripted departures asking for more reps than the firm has take them all
// and count the rest as shortfall.
TEST(Reps, ScriptedShortfallIsCounted) {
  Scenario sc = test::quiet_scenario(100, 3);
  sc.firms = {test::quiet_firm("A", 5)};
  sc.firms[0].vacancy_months = 12;
  sc.segments = {test::frozen_segment("s")};
  sc.departures = {test::departure(2, 8, "A", "industry")};
  const RunResult r = test::run(sc, 37);
  EXPECT_EQ(value(r, Series::rep_departures, 1, 0), 5.0);
  EXPECT_EQ(value(r, Series::reps_active, 1, 0), 0.0);
  EXPECT_EQ(r.scripted_shortfall, 3);
}

// "largest_book" takes the reps with the most customers, ties to the lowest
// id. Books are set by hand: rep 0: 10, reps 1, 2, 4: 30 each, rep 3: 5.
// Taking two must pick reps 1 and 2.
TEST(Reps, LargestBookTakesBiggestBooksWithTiesToLowestId) {
  Scenario sc = test::quiet_scenario(105, 1);
  sc.firms = {test::quiet_firm("A", 5)};
  sc.segments = {test::frozen_segment("s")};
  sc.departures = {test::departure(1, 2, "A", "industry")};
  test::Stepper run(sc, 38);
  const std::vector<int> books{10, 30, 30, 5, 30};
  std::size_t i = 0;
  for (std::size_t rep = 0; rep < books.size(); ++rep)
    for (int k = 0; k < books[rep]; ++k, ++i) {
      run.state.customers.firm[i] = 0;
      run.state.customers.rep[i] = static_cast<std::int32_t>(rep);
    }
  ASSERT_EQ(i, run.state.customers.size());
  run.advance();
  std::vector<int> left;
  for (int rep = 0; rep < 5; ++rep)
    if (run.state.reps.left_step[static_cast<std::size_t>(rep)] == 0) left.push_back(rep);
  EXPECT_EQ(left, (std::vector<int>{1, 2}));
}

// "random" takes `count` distinct reps, each equally likely: over many
// seeds each of 10 reps is taken Binomial(seeds, 3/10) times.
TEST(Reps, RandomScriptedDepartureTakesEachRepEquallyOften) {
  Scenario sc = test::quiet_scenario(10, 1);
  sc.firms = {test::quiet_firm("A", 10)};
  sc.firms[0].vacancy_months = 5;
  sc.segments = {test::frozen_segment("s")};
  sc.departures = {test::departure(1, 3, "A", "industry", "random")};
  const int seeds = 1000;
  std::vector<int> taken(10, 0);
  for (int seed = 1; seed <= seeds; ++seed) {
    test::Stepper run(sc, static_cast<std::uint64_t>(seed));
    run.advance();
    int count = 0;
    for (std::size_t rep = 0; rep < 10; ++rep)
      if (run.state.reps.left_step[rep] == 0) {
        ++taken[rep];
        ++count;
      }
    ASSERT_EQ(count, 3) << "seed " << seed;
  }
  for (std::size_t rep = 0; rep < 10; ++rep)
    EXPECT_NEAR(taken[rep], seeds * 0.3, test::binomial_tolerance(seeds, 0.3)) << "rep " << rep;
}

// No customer follows a rep whose departure is barred (non_solicit = 1),
// though reps do join competitors; the same scenario with non_solicit = 0
// has followers, so the check is not vacuous.
TEST(Reps, NoFollowersWhenNonSolicitIsOne) {
  Scenario sc = test::quiet_scenario(4000, 24);
  for (const char* name : {"A", "B"}) {
    FirmParams f = test::quiet_firm(name, 15);
    f.rep_turnover_annual = 0.6;
    f.to_competitor = 1.0;
    f.vacancy_months = 1;
    f.non_solicit = 1.0;
    sc.firms.push_back(f);
  }
  SegmentParams s = test::frozen_segment("s");
  s.rep_weight = 4.0;
  s.initial_rep_loyalty = 0.8;
  sc.segments = {s};
  const RunResult barred = test::run(sc, 39);
  EXPECT_EQ(test::series_sum_all(barred, Series::followed), 0.0);
  EXPECT_EQ(test::series_sum_all(barred, Series::followers_gained), 0.0);
  EXPECT_GT(test::series_sum(barred, Series::rep_departures_to_competitor, 0), 0.0);
  EXPECT_GT(test::series_sum_all(barred, Series::orphaned), 0.0);

  for (auto& f : sc.firms) f.non_solicit = 0.0;
  const RunResult free = test::run(sc, 39);
  EXPECT_GT(test::series_sum_all(free, Series::followed), 0.0);
  EXPECT_EQ(test::series_sum_all(free, Series::followed), test::series_sum_all(free, Series::followers_gained));
}

// to_competitor = 0: every leaver leaves the industry, so nobody follows.
TEST(Reps, NoFollowersWhenToCompetitorIsZero) {
  Scenario sc = test::quiet_scenario(4000, 24);
  for (const char* name : {"A", "B"}) {
    FirmParams f = test::quiet_firm(name, 15);
    f.rep_turnover_annual = 0.6;
    f.to_competitor = 0.0;
    f.vacancy_months = 1;
    sc.firms.push_back(f);
  }
  SegmentParams s = test::frozen_segment("s");
  s.rep_weight = 4.0;
  s.initial_rep_loyalty = 0.8;
  sc.segments = {s};
  const RunResult r = test::run(sc, 40);
  EXPECT_EQ(test::series_sum_all(r, Series::followed), 0.0);
  EXPECT_EQ(test::series_sum(r, Series::rep_departures_to_competitor, 0), 0.0);
  EXPECT_EQ(test::series_sum(r, Series::rep_departures_to_competitor, 1), 0.0);
  EXPECT_GT(test::series_sum_all(r, Series::orphaned), 0.0);
}

// Rep skill is lognormal with mean 1 and sd rep_skill_sd. Over n reps: the
// sample mean is within 5 sd / sqrt(n) of 1; the sample variance within
// 5 sqrt((mu4 - sd^4) / n) of sd^2, with mu4 the lognormal's fourth central
// moment; and the share below the lognormal median exp(-sigma^2 / 2) is
// Binomial(n, 1/2) (a normal with mean 1 would put the median at 1).
TEST(Reps, RepSkillIsLognormalWithMeanOneAndGivenSd) {
  const double sd = 0.5;
  const std::int64_t n = 20000;
  Scenario sc = test::quiet_scenario(1, 1);
  sc.market.rep_skill_sd = sd;
  sc.firms = {test::quiet_firm("A", n)};
  sc.segments = {test::frozen_segment("s")};
  const test::Stepper run(sc, 41);
  const double sigma2 = std::log1p(sd * sd);
  const double median = std::exp(-sigma2 / 2);
  double sum = 0.0, below = 0.0;
  for (std::int64_t r = 0; r < n; ++r) {
    const double k = run.state.reps.skill[static_cast<std::size_t>(r)];
    EXPECT_GT(k, 0.0);
    sum += k;
    below += k < median ? 1.0 : 0.0;
  }
  const double nn = static_cast<double>(n);
  const double mean = sum / nn;
  double ss = 0.0;
  for (std::int64_t r = 0; r < n; ++r) ss += std::pow(run.state.reps.skill[static_cast<std::size_t>(r)] - mean, 2);
  const double variance = ss / (nn - 1);
  const double w = std::exp(sigma2);
  const double mu4 = std::pow(sd, 4) * (w * w * w * w + 2 * w * w * w + 3 * w * w - 3);
  EXPECT_NEAR(mean, 1.0, test::sigmas * sd / std::sqrt(nn));
  EXPECT_NEAR(variance, sd * sd, test::sigmas * std::sqrt((mu4 - std::pow(sd, 4)) / nn));
  EXPECT_NEAR(below, nn / 2, test::binomial_tolerance(nn, 0.5));
}

TEST(Reps, RepSkillIsExactlyOneWhenSdIsZero) {
  Scenario sc = test::quiet_scenario(1, 1);
  sc.firms = {test::quiet_firm("A", 100)};
  sc.segments = {test::frozen_segment("s")};
  const test::Stepper run(sc, 42);
  for (std::size_t r = 0; r < 100; ++r) EXPECT_EQ(run.state.reps.skill[r], 1.0f);
}

// The initial population: segment by share (Binomial(N, share)), attached
// with initial_attached_share (Binomial(N, share)), to a firm in proportion
// to its reps (Binomial(attached, reps_f / total)), with the segment's
// initial loyalties; every attached customer has an active rep of its firm.
TEST(Reps, InitialPopulationFollowsSharesAndHeadcounts) {
  Scenario sc = test::quiet_scenario(50000, 1);
  sc.market.initial_attached_share = 0.6;
  sc.firms = {test::quiet_firm("A", 10), test::quiet_firm("B", 30)};
  SegmentParams x = test::frozen_segment("x", 0.2);
  x.initial_brand_loyalty = 0.25;
  x.initial_rep_loyalty = 0.35;
  SegmentParams y = test::frozen_segment("y", 0.8);
  y.initial_brand_loyalty = 0.55;
  y.initial_rep_loyalty = 0.65;
  sc.segments = {x, y};
  const test::Stepper run(sc, 43);
  const auto& c = run.state.customers;
  double in_x = 0.0, attached = 0.0, at_a = 0.0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto& seg = sc.segments[c.segment[i]];
    in_x += c.segment[i] == 0 ? 1.0 : 0.0;
    if (c.firm[i] == no_firm) {
      EXPECT_EQ(c.rep[i], no_rep);
      continue;
    }
    attached += 1.0;
    at_a += c.firm[i] == 0 ? 1.0 : 0.0;
    ASSERT_NE(c.rep[i], no_rep);
    EXPECT_EQ(run.state.reps.firm[static_cast<std::size_t>(c.rep[i])], c.firm[i]);
    EXPECT_EQ(c.brand_loyalty[i], static_cast<float>(seg.initial_brand_loyalty));
    EXPECT_EQ(c.rep_loyalty[i], static_cast<float>(seg.initial_rep_loyalty));
  }
  EXPECT_NEAR(in_x, 50000 * 0.2, test::binomial_tolerance(50000, 0.2));
  EXPECT_NEAR(attached, 50000 * 0.6, test::binomial_tolerance(50000, 0.6));
  EXPECT_NEAR(at_a, attached * 0.25, test::binomial_tolerance(attached, 0.25));
}

// Acquisition: each customer unattached at the start of month t is won with
// probability acquisition_rate; summed over months the count has mean
// rate * sum_t U_t and variance rate (1 - rate) sum_t U_t, U_t unattached at
// the start of month t. The winning firm is drawn in proportion to active
// reps: Binomial(acquired, 10/40) go to A. Newly won customers start at the
// segment's initial loyalties (frozen here, so the means equal them).
TEST(Reps, AcquisitionWinsUnattachedAtRateInProportionToActiveReps) {
  Scenario sc = test::quiet_scenario(20000, 12);
  sc.market.initial_attached_share = 0.0;
  sc.market.acquisition_rate = 0.05;
  sc.firms = {test::quiet_firm("A", 10), test::quiet_firm("B", 30)};
  SegmentParams s = test::frozen_segment("s");
  s.initial_brand_loyalty = 0.3;
  s.initial_rep_loyalty = 0.4;
  sc.segments = {s};
  const RunResult r = test::run(sc, 44);
  double exposure = 0.0, unattached = 20000.0;
  for (std::size_t m = 0; m < r.months; ++m) {
    exposure += unattached;
    unattached = 20000.0 - value(r, Series::customers, m, 0, 0) - value(r, Series::customers, m, 1, 0);
    for (std::size_t f = 0; f < 2; ++f) {
      EXPECT_NEAR(value(r, Series::brand_loyalty_mean, m, f, 0), static_cast<float>(0.3), 1e-7);
      EXPECT_NEAR(value(r, Series::rep_loyalty_mean, m, f, 0), static_cast<float>(0.4), 1e-7);
    }
  }
  const double acquired = test::series_sum_all(r, Series::acquired);
  EXPECT_NEAR(acquired, 0.05 * exposure, test::binomial_tolerance(exposure, 0.05));
  EXPECT_NEAR(test::series_sum(r, Series::acquired, 0, 0), 0.25 * acquired, test::binomial_tolerance(acquired, 0.25));
}

// Only customers unattached since before the month can be won: with
// acquisition_rate 1, the customers who defect at month 1 (after the only
// rep of A leaves the industry) are all won back in month 2, none in month 1.
TEST(Reps, CustomersWhoDefectThisMonthAreWonOnlyFromNextMonth) {
  Scenario sc = test::quiet_scenario(2000, 3);
  sc.market.acquisition_rate = 1.0;
  sc.firms = {test::quiet_firm("A", 1)};
  SegmentParams s = test::frozen_segment("s");
  s.outside_utility = 0.0;  // U_S = w_b B = 0.2 vs U_D = 0: both choices common
  sc.segments = {s};
  sc.departures = {test::departure(1, 1, "A", "industry")};
  const RunResult r = test::run(sc, 46);
  const double defected = value(r, Series::defected, 0, 0, 0);
  ASSERT_GT(defected, 500.0);
  EXPECT_EQ(value(r, Series::acquired, 0, 0, 0), 0.0);
  EXPECT_EQ(value(r, Series::acquired, 1, 0, 0), defected);
  EXPECT_EQ(value(r, Series::customers, 1, 0, 0), 2000.0);
}

// Invariants of the state after every month of a busy run (heavy turnover,
// competitor moves, scripted joins above target, slot reuse): every
// attached customer's rep is an active rep of its firm (or none), unattached
// customers have no rep, loyalties lie in [0, 1]; per-firm active counts
// match the rep arrays; rep slots stay within the capacity reserved up front.
TEST(Reps, StateInvariantsHoldEveryMonthUnderHeavyTurnover) {
  Scenario sc = test::quiet_scenario(3000, 60);
  sc.market.burn_in_months = 2;
  sc.market.acquisition_rate = 0.1;
  sc.market.rep_skill_sd = 0.5;
  for (const char* name : {"A", "B", "C"}) {
    FirmParams f = test::quiet_firm(name, 6);
    f.rep_turnover_annual = 0.95;
    f.to_competitor = 0.8;
    f.non_solicit = 0.3;
    f.vacancy_months = 1;
    sc.firms.push_back(f);
  }
  sc.firms[2].reps = 1;
  SegmentParams s = test::frozen_segment("s");
  s.churn_annual = 0.3;
  s.rep_growth = 0.2;
  s.brand_growth = 0.1;
  s.rep_weight = 3.0;
  s.switching_cost = 0.0;
  sc.segments = {s};
  sc.departures = {test::departure(5, 4, "A", "C"), test::departure(20, 3, "B", "C", "random"),
                   test::departure(30, 10, "C", "A")};
  test::Stepper run(sc, 47);
  const auto& c = run.state.customers;
  const auto& reps = run.state.reps;
  double followers = 0.0;
  while (run.state.step < run.model.steps) {
    run.advance();
    SCOPED_TRACE("step " + std::to_string(run.state.step - 1));
    ASSERT_LE(reps.used, run.model.rep_capacity);
    std::vector<std::int32_t> active(3, 0);
    for (std::int32_t r = 0; r < reps.used; ++r)
      if (reps.active[static_cast<std::size_t>(r)])
        ++active[static_cast<std::size_t>(reps.firm[static_cast<std::size_t>(r)])];
    for (std::size_t f = 0; f < 3; ++f) ASSERT_EQ(active[f], run.state.active_count[f]);
    for (std::size_t i = 0; i < c.size(); ++i) {
      ASSERT_TRUE(c.brand_loyalty[i] >= 0.0f && c.brand_loyalty[i] <= 1.0f) << "customer " << i;
      ASSERT_TRUE(c.rep_loyalty[i] >= 0.0f && c.rep_loyalty[i] <= 1.0f) << "customer " << i;
      if (c.firm[i] == no_firm) {
        ASSERT_EQ(c.rep[i], no_rep) << "customer " << i;
      } else if (c.rep[i] != no_rep) {
        const auto r = static_cast<std::size_t>(c.rep[i]);
        ASSERT_TRUE(reps.active[r]) << "customer " << i << " rep " << r;
        ASSERT_EQ(reps.firm[r], c.firm[i]) << "customer " << i << " rep " << r;
      }
    }
    for (std::size_t cell = 0; cell < 3; ++cell)
      followers += static_cast<double>(run.state.month_total.values[cell * Tally::field_count + Tally::followed]);
  }
  EXPECT_GT(followers, 50.0);  // reps really moved with their books
}

// Nobody is won while no firm has an active rep.
TEST(Reps, NobodyIsAcquiredWhileNoFirmHasActiveReps) {
  Scenario sc = test::quiet_scenario(2000, 6);
  sc.market.initial_attached_share = 0.0;
  sc.market.acquisition_rate = 0.5;
  sc.firms = {test::quiet_firm("A", 0), test::quiet_firm("B", 0)};
  sc.segments = {test::frozen_segment("s")};
  const RunResult r = test::run(sc, 45);
  EXPECT_EQ(test::series_sum_all(r, Series::acquired), 0.0);
}

}  // namespace
}  // namespace loyalsim
