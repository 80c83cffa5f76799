// Tiny scenarios written inline (MuJoCo style) and the few helpers the core
// tests share: reading a RunResult, summing series, and the statistical
// tolerances every stochastic check derives from its sample size.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/run_result.hpp"
#include "core/scenario.hpp"
#include "core/simulate.hpp"
#include "core/state.hpp"
#include "core/step.hpp"

namespace loyalsim::test {

// Every stochastic check allows this many standard deviations. At 5 sigma a
// correct engine fails a single check with probability below 6e-7, so the
// whole suite (a few hundred checks, fixed seeds) stays green, while a wrong
// probability of the sizes tested below is far outside the band.
inline constexpr double sigmas = 5.0;

// Half-width of the band around n*p for a Binomial(n, p) count.
inline double binomial_tolerance(double n, double p) { return sigmas * std::sqrt(n * p * (1.0 - p)); }

// A firm with everything that moves switched off: no rep turnover, reps
// stay put, nothing transfers into brand loyalty.
inline FirmParams quiet_firm(const std::string& name, std::int64_t reps) {
  FirmParams f;
  f.name = name;
  f.reps = reps;
  f.brand_strength = 0.0;
  f.service_touchpoints = 0.0;
  f.relationship_transfer = 0.0;
  f.handoff_quality = 1.0;
  f.non_solicit = 0.0;
  f.rep_turnover_annual = 0.0;
  f.to_competitor = 0.0;
  f.vacancy_months = 0;
  return f;
}

// A segment whose loyalties never move and which never churns: B and R stay
// at their initial values unless a decision changes them.
inline SegmentParams frozen_segment(const std::string& name, double share = 1.0) {
  SegmentParams s;
  s.name = name;
  s.share = share;
  s.brand_growth = 0.0;
  s.service_growth = 0.0;
  s.rep_growth = 0.0;
  s.brand_decay = 0.0;
  s.rep_decay = 0.0;
  s.churn_annual = 0.0;
  return s;
}

// A market with no burn-in, everybody attached, no acquisition, skill 1.
inline Scenario quiet_scenario(std::int64_t customers, std::int64_t months) {
  Scenario sc;
  sc.seed = 1;
  sc.market.customers = customers;
  sc.market.months = months;
  sc.market.burn_in_months = 0;
  sc.market.substitutability = 0.5;
  sc.market.acquisition_rate = 0.0;
  sc.market.initial_attached_share = 1.0;
  sc.market.rep_skill_sd = 0.0;
  return sc;
}

inline ScriptedDeparture departure(std::int64_t month, std::int64_t count, const std::string& firm,
                                   const std::string& to, const std::string& which = "largest_book") {
  ScriptedDeparture d;
  d.month = month;
  d.count = count;
  d.firm = firm;
  d.to = to;
  d.which = which;
  return d;
}

inline RunResult run(const Scenario& scenario, std::uint64_t seed = 1, bool events = false) {
  SimulationOptions options;
  options.record_events = events;
  return simulate(make_model(scenario, seed), options);
}

// Read-only access to a RunResult, counts and reals alike as doubles (the
// tests' counts are far below 2^53); m is the 0-based recorded month (month m + 1).
inline double element(const MetricArrays& a, const MetricInfo& info, std::size_t metric, std::size_t k) {
  return info.type == MetricType::count ? static_cast<double>(a.counts[metric][k]) : a.reals[metric][k];
}
inline double value(const RunResult& r, Series s, std::size_t m, std::size_t f, std::size_t seg) {
  return element(r.series, series_metrics[index_of(s)], index_of(s), (m * r.firms + f) * r.segments + seg);
}
inline double value(const RunResult& r, Series s, std::size_t m, std::size_t f) {
  return element(r.series, series_metrics[index_of(s)], index_of(s), m * r.firms + f);
}
inline double total(const RunResult& r, Total t, std::size_t f, std::size_t seg) {
  return element(r.totals, summary_metrics[index_of(t)], index_of(t), f * r.segments + seg);
}

// Sum of a (firm, segment) series over all recorded months.
inline double series_sum(const RunResult& r, Series s, std::size_t f, std::size_t seg) {
  double sum = 0.0;
  for (std::size_t m = 0; m < r.months; ++m) sum += value(r, s, m, f, seg);
  return sum;
}
// Sum of a firm series over all recorded months.
inline double series_sum(const RunResult& r, Series s, std::size_t f) {
  double sum = 0.0;
  for (std::size_t m = 0; m < r.months; ++m) sum += value(r, s, m, f);
  return sum;
}
// Sum over every firm and segment and month.
inline double series_sum_all(const RunResult& r, Series s) {
  double sum = 0.0;
  for (std::size_t f = 0; f < r.firms; ++f)
    for (std::size_t seg = 0; seg < r.segments; ++seg) sum += series_sum(r, s, f, seg);
  return sum;
}

// Multinomial-logit probabilities P_k = exp(U_k/theta) / sum_j exp(U_j/theta).
inline std::vector<double> logit(const std::vector<double>& utilities, double theta) {
  double top = utilities.front();
  for (double u : utilities) top = std::max(top, u);
  std::vector<double> p;
  double total = 0.0;
  for (double u : utilities) {
    p.push_back(std::exp((u - top) / theta));
    total += p.back();
  }
  for (double& x : p) x /= total;
  return p;
}

inline double monthly_from_annual(double annual) { return 1.0 - std::pow(1.0 - annual, 1.0 / 12.0); }

// A state initialised and ready to step, for tests that look inside it.
struct Stepper {
  Model model;
  State state;
  Stepper(const Scenario& scenario, std::uint64_t seed, bool events = false) : model(make_model(scenario, seed)) {
    initialise(model, state, events);
  }
  void advance() { step(model, state); }
};

}  // namespace loyalsim::test
