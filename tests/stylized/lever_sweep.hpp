// The harness of the stylized facts: a baseline market where every lever
// has room to act, a sweep of one lever over a few levels with replicates
// (in-process, through the sweep executor the CLI uses), the
// measures the facts read from a run, and the assertion of a monotone trend.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/parameters.hpp"
#include "core/rates.hpp"
#include "core/run_result.hpp"
#include "core/scenario.hpp"
#include "core/sweep_spec.hpp"
#include "io/results_file.hpp"
#include "replicate_statistics.hpp"
#include "sweep/check_points.hpp"
#include "sweep/design.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::stylized {

// Two equal firms, A and B, and one segment, S. Reps turn over fast and
// every leaver heads for the competitor (to_competitor = 1), so a run has
// many decisions, nine in ten of them contested (the rep joins the other
// firm, which has a vacancy, and is not barred). Loyalties settle during
// the burn-in: B and R approach their equilibria a/(a + d) within about a
// year; the fast brand decay (0.06) keeps B near 0.5 without relationship
// transfer, so transfer has room to raise it. A contested decision follows
// with probability about 0.18 (stay is the likeliest choice, defect next),
// so every lever can move the rate either way. 6000 customers, 2 x 50 reps
// (books of about 50), 12 + 48 months: about 8,000 decisions from about
// 160 departures a run, a few milliseconds of engine time in Release.
// Many small books rather than few large ones: the replicate spread comes
// mostly from which reps leave, so more departures make it smaller.
inline Scenario baseline() {
  Scenario sc;
  sc.seed = 20261203;
  sc.market.customers = 6000;
  sc.market.months = 48;
  sc.market.burn_in_months = 12;
  sc.market.substitutability = 0.5;
  sc.market.acquisition_rate = 0.05;
  sc.market.initial_attached_share = 0.9;
  sc.market.rep_skill_sd = 0.3;
  for (const char* name : {"A", "B"}) {
    FirmParams f;
    f.name = name;
    f.reps = 50;
    f.brand_strength = 0.5;
    f.service_touchpoints = 0.5;
    f.relationship_transfer = 0.1;
    f.handoff_quality = 0.5;
    f.non_solicit = 0.0;
    f.rep_turnover_annual = 0.4;
    f.to_competitor = 1.0;
    f.vacancy_months = 3;
    sc.firms.push_back(f);
  }
  SegmentParams s;
  s.name = "S";
  s.share = 1.0;
  s.brand_weight = 1.0;
  s.rep_weight = 1.0;
  s.service_weight = 1.0;
  s.switching_cost = 0.5;
  s.outside_utility = 0.0;
  s.decision_noise = 0.5;
  s.brand_decay = 0.06;
  s.churn_annual = 0.1;
  sc.segments = {s};
  return sc;
}

// A lever: one parameter, set to the same value at every path (both firms'
// copies of a firm parameter, say), so the decisions at both firms see it.
struct Lever {
  std::string name;
  std::vector<std::string> paths;
};

using Measure = std::function<double(const RunResult&)>;

// Runs `base` with the lever at each level, `replicates` runs per level, as
// `loyalsim run` runs a [sweep] table: a "list" design (point k sets every
// path of the lever to levels[k]) expanded by make_design, checked by
// check_every_point, and executed by execute_runs, runs side by side on
// every core. Run (point k, replicate r) has the seed
// derive_run_seed(base.seed, k, r): fixed, and distinct across levels and
// replicates, so the levels' samples are independent.
inline std::vector<Sample> sweep(const Scenario& base, const Lever& lever, const std::vector<double>& levels,
                                 const Measure& measure) {
  SweepSpec spec;
  spec.design = DesignType::list;
  spec.replicates = static_cast<std::int64_t>(replicates);
  for (const std::string& path : lever.paths) {
    // The range check io/sweep_table makes when it reads a [sweep] table.
    const ParameterPath resolved = resolve_parameter_path(base, path);
    for (double level : levels)
      if (const auto problem = resolved.info->check(level)) ADD_FAILURE() << path << " = " << level << ": " << *problem;
    SweepParameter parameter;
    parameter.path = path;
    parameter.values = levels;
    parameter.integer = resolved.info->kind == ValueKind::integer;  // as io/sweep_table sets it
    spec.parameters.push_back(parameter);
  }
  const Design design = make_design(spec, base.seed);
  check_every_point(base, design);
  std::vector<std::int64_t> runs(static_cast<std::size_t>(design.runs()));
  std::iota(runs.begin(), runs.end(), std::int64_t{0});

  std::vector<Sample> samples(levels.size());
  for (Sample& sample : samples) sample.values.assign(replicates, std::numeric_limits<double>::quiet_NaN());
  execute_runs(base, design, runs, ExecutorOptions{}, [&](const io::RunRecord& record, const RunResult& result) {
    const auto point = static_cast<std::size_t>(record.point);
    const auto replicate = static_cast<std::size_t>(record.replicate);
    samples[point].values[replicate] = measure(result);
  });
  for (std::size_t k = 0; k < levels.size(); ++k)
    for (std::size_t r = 0; r < replicates; ++r)
      EXPECT_TRUE(std::isfinite(samples[k].values[r])) << lever.name << " = " << levels[k] << ", replicate " << r;
  return samples;
}

enum class Trend { rises, falls };

inline std::string level_text(double level) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", level);
  return text;
}

// The fact: the measure moves in `trend`'s direction between every pair of
// adjacent levels, by more than welch_threshold Welch standard errors.
inline void expect_trend(const std::string& fact, const Lever& lever, const std::vector<double>& levels,
                         const std::vector<Sample>& samples, Trend trend) {
  const bool rises = trend == Trend::rises;
  for (std::size_t k = 0; k + 1 < levels.size(); ++k) {
    const Comparison c = compare(samples[k], samples[k + 1], rises);
    const std::string before = lever.name + " = " + level_text(levels[k]);
    const std::string after = lever.name + " = " + level_text(levels[k + 1]);
    const std::string line = describe(c, before, after);
    std::cout << "[ fact     ] " << fact << (rises ? " rises" : " falls") << " with " << lever.name << "; " << line
              << '\n';
    EXPECT_TRUE(c.significant()) << fact << " should " << (rises ? "rise" : "fall") << " from " << before << " to "
                                 << after << " by more than " << welch_threshold << " Welch standard errors: " << line;
  }
}

// --- Measures. Rates pool both firms: pool_totals sums the count totals
// of every firm x segment cell and computes the summary rates from the sums
// (core/rates.hpp), so a pooled rate is the engine's own definition. ---

inline double pooled_rate(const RunResult& r, Total rate) { return pool_totals(r, {}, {}).real(rate, 0, 0); }
inline double pooled_count(const RunResult& r, Total count) {
  return static_cast<double>(pool_totals(r, {}, {}).count(count, 0, 0));
}

// A count series summed over the recorded months: a firm metric, or a
// firm x segment one in every segment.
inline double series_sum(const RunResult& r, Series metric, std::size_t firm) {
  const bool by_segment = series_metrics[index_of(metric)].shape == MetricShape::firm_segment;
  const std::size_t cells = by_segment ? r.segments : 1;
  double sum = 0.0;
  for (std::size_t m = 0; m < r.months; ++m)
    for (std::size_t s = 0; s < cells; ++s)
      sum += static_cast<double>(r.series.counts[index_of(metric)][(m * r.firms + firm) * cells + s]);
  return sum;
}

// follow_rate_when_possible = followed / could_follow: among the customers
// whose departing rep joined a competitor and was not barred, the share
// who followed.
inline double contested_follow_rate(const RunResult& r) { return pooled_rate(r, Total::follow_rate_when_possible); }

// follow_rate = followed / orphaned: every decision, barred or not.
inline double follow_rate(const RunResult& r) { return pooled_rate(r, Total::follow_rate); }

// could_follow / orphaned: the share of decisions in which following was possible.
inline double contestable_share(const RunResult& r) {
  return pooled_count(r, Total::could_follow) / pooled_count(r, Total::orphaned);
}

// retained_12m_after_stay = stays_12m_retained / stays_12m_eligible.
inline double retained_after_stay(const RunResult& r) { return pooled_rate(r, Total::retained_12m_after_stay); }

// Of firm `from`'s leavers, the share who joined another firm.
inline double leavers_to_competitor_share(const RunResult& r, std::size_t from) {
  return series_sum(r, Series::rep_departures_to_competitor, from) / series_sum(r, Series::rep_departures, from);
}

}  // namespace loyalsim::stylized
