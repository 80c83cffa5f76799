// Determinism (docs/MODEL.md section 8, "Random streams and seeds"): a run is a pure function of (scenario,
// seed), bit for bit, whatever the number of threads; a different seed gives
// a different run; run seeds derived for a sweep are stable and distinct.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "core/random.hpp"
#include "same_results.hpp"
#include "tiny_models.hpp"

namespace loyalsim {
namespace {

// Everything on: several firms and segments, burn-in, turnover, competitor
// moves, non-solicit, scripted departures of both kinds, churn,
// acquisition, skill spread, kappa. Enough customers (30000) that the
// customer pass is split into many chunks among threads.
Scenario busy_scenario() {
  Scenario sc;
  sc.seed = 7;
  sc.market.customers = 30000;
  sc.market.months = 30;
  sc.market.burn_in_months = 6;
  sc.market.substitutability = 0.6;
  sc.market.acquisition_rate = 0.03;
  sc.market.initial_attached_share = 0.75;
  sc.market.rep_skill_sd = 0.4;
  const char* names[] = {"Incumbent", "Challenger", "Boutique"};
  const std::int64_t heads[] = {40, 25, 6};
  for (int f = 0; f < 3; ++f) {
    FirmParams firm;
    firm.name = names[f];
    firm.reps = heads[f];
    firm.brand_strength = 0.3 + 0.2 * f;
    firm.service_touchpoints = 0.7 - 0.2 * f;
    firm.relationship_transfer = 0.1 * f;
    firm.handoff_quality = 0.5;
    firm.non_solicit = 0.3;
    firm.rep_turnover_annual = 0.25 + 0.1 * f;
    firm.to_competitor = 0.6;
    firm.vacancy_months = f;
    sc.firms.push_back(firm);
  }
  const char* segs[] = {"complex_solution", "simple_product", "personal_service"};
  for (int s = 0; s < 3; ++s) {
    SegmentParams seg;
    seg.name = segs[s];
    seg.share = s == 0 ? 0.3 : (s == 1 ? 0.5 : 0.2);
    seg.rep_weight = 1.0 + s;
    seg.brand_weight = 2.0 - 0.5 * s;
    seg.churn_annual = 0.1 + 0.05 * s;
    sc.segments.push_back(seg);
  }
  sc.departures = {
      test::departure(-2, 3, "Incumbent", "Challenger"), test::departure(4, 5, "Incumbent", "Boutique", "random"),
      test::departure(10, 2, "Challenger", "industry"), test::departure(10, 1, "Boutique", "Incumbent", "random")};
  return sc;
}

RunResult run_with_threads(const Scenario& sc, std::uint64_t seed, int threads) {
  // global_control caps the workers; the arena asks for that many, so more
  // threads than cores still run concurrently.
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  RunResult r;
  arena.execute([&] { r = test::run(sc, seed, /*events=*/true); });
  return r;
}

void expect_identical(const RunResult& a, const RunResult& b) {
  for (const RunResult* r : {&a, &b}) {
    ASSERT_EQ(r->series.counts.size(), series_metrics.size());
    ASSERT_EQ(r->series.reals.size(), series_metrics.size());
    ASSERT_EQ(r->totals.counts.size(), summary_metrics.size());
    ASSERT_EQ(r->totals.reals.size(), summary_metrics.size());
  }
  test::expect_same_metrics(a, b);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t k = 0; k < a.events.size(); ++k)
    ASSERT_TRUE(test::same_event(a.events[k], b.events[k])) << "event " << k;
}

TEST(Determinism, RunIsBitIdenticalAcrossThreadCounts) {
  const Scenario sc = busy_scenario();
  const RunResult one = run_with_threads(sc, 101, 1);
  // The scenario really exercises what could go wrong in parallel.
  ASSERT_GT(one.events.size(), 1000u);
  ASSERT_GT(test::series_sum_all(one, Series::followed), 0.0);
  ASSERT_GT(test::series_sum_all(one, Series::churned), 0.0);
  ASSERT_GT(test::series_sum_all(one, Series::acquired), 0.0);
  for (const int threads : {2, 3}) {
    SCOPED_TRACE("threads = " + std::to_string(threads));
    expect_identical(one, run_with_threads(sc, 101, threads));
  }
}

// Running other runs in between (a sweep's run order) changes nothing.
TEST(Determinism, RunDoesNotDependOnRunOrder) {
  const Scenario sc = busy_scenario();
  const RunResult first = test::run(sc, 202, true);
  (void)test::run(sc, 203, true);
  expect_identical(first, test::run(sc, 202, true));
}

// A different seed gives a different run: the identity above is not
// because nothing is random.
TEST(Determinism, DifferentSeedGivesDifferentRun) {
  const Scenario sc = busy_scenario();
  const RunResult a = test::run(sc, 301, false);
  const RunResult b = test::run(sc, 302, false);
  std::size_t differing = 0;
  for (std::size_t k = 0; k < series_metrics.size(); ++k)
    differing +=
        a.series.counts[k] == b.series.counts[k] && test::same_bits(a.series.reals[k], b.series.reals[k]) ? 0 : 1;
  EXPECT_GE(differing, 10u);  // every stochastic flow differs
}

// A results file records the scenario seed; rerunning it with a later
// loyalsim must give the same run seeds. The constants were computed once
// from the definition (Philox4x32-10 keyed by the scenario seed, low word
// first, counter (point low, point high, replicate low, 0x5eed ^ (replicate
// high << 16)), output words 1:0) by an independent implementation checked
// against Random123's known answers. If this fails, every existing file's
// runs changed: bump the file format version rather than the constants.
TEST(Determinism, DerivedRunSeedIsStable) {
  struct Known {
    std::uint64_t scenario_seed, point, replicate, run_seed;
  };
  const std::uint64_t high = std::uint64_t{1} << 32;
  const Known known[] = {
      {7, 0, 0, 0x98b6a5dea63556eeu},
      {7, 0, 1, 0xd4a1e265f76f46a8u},
      {7, 1, 0, 0x46460e6ee8036542u},
      {7, 4, 4, 0xcad4503c3b4da38bu},
      {2024, 3, 2, 0x99494f658b9cb921u},
      {high + 1, 0, 0, 0x00e6c7d704d0f6ceu},
      {7, high, 0, 0xafe7adfa5a8ce711u},
      {7, 0, high, 0x84c8ae77c3dd8a0cu},
      {~std::uint64_t{0}, ~std::uint64_t{0}, ~std::uint64_t{0}, 0xed74eadab41cd51bu},
  };
  for (const Known& k : known)
    EXPECT_EQ(derive_run_seed(k.scenario_seed, k.point, k.replicate), k.run_seed)
        << "scenario seed " << k.scenario_seed << ", point " << k.point << ", replicate " << k.replicate;
}

// The same definition through the simulation's own (known-answer tested)
// Philox stream: the run seed is the first two words of the stream keyed by
// the scenario seed at that counter, for any point and replicate.
TEST(Determinism, DerivedRunSeedIsThePhiloxWordsOfItsCounter) {
  for (const std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{0x0123456789abcdefu}})
    for (const std::uint64_t p : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{0x100000003u}})
      for (const std::uint64_t r : {std::uint64_t{0}, std::uint64_t{9}, std::uint64_t{0x200000001u}}) {
        const RandomWords w = RandomSource(seed).words(
            static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(p >> 32), static_cast<Purpose>(r & 0xffffffffu),
            0x5eedu ^ (static_cast<std::uint32_t>(r >> 32) << 16));
        EXPECT_EQ(derive_run_seed(seed, p, r), (std::uint64_t{w[1]} << 32) | w[0]);
      }
}

// Distinct (scenario seed, point, replicate) give distinct run seeds,
// including swapped point and replicate and the high halves of the words.
// A collision among 2500 random 64-bit values has probability ~3e-13.
TEST(Determinism, DerivedRunSeedsAreDistinct) {
  std::set<std::uint64_t> seen;
  std::size_t made = 0;
  for (const std::uint64_t scenario_seed : {std::uint64_t{1}, std::uint64_t{7}})
    for (std::uint64_t p = 0; p < 35; ++p)
      for (std::uint64_t r = 0; r < 35; ++r, ++made) seen.insert(derive_run_seed(scenario_seed, p, r));
  const std::uint64_t high = std::uint64_t{1} << 32;
  for (const auto& [p, r] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {high, 0}, {0, high}, {high + 1, 0}, {0, high + 1}, {high, high}})
    for (const std::uint64_t scenario_seed : {std::uint64_t{1}, std::uint64_t{7}}) {
      seen.insert(derive_run_seed(scenario_seed, p, r));
      ++made;
    }
  EXPECT_EQ(seen.size(), made);
  EXPECT_NE(derive_run_seed(7, 0, 1), derive_run_seed(7, 1, 0));
  EXPECT_NE(derive_run_seed(7, 0, 0), derive_run_seed(8, 0, 0));
}

// The streams are the published Philox4x32-10 (Random123's known-answer
// vectors, tests/kat_vectors: counter, key -> output), keyed by the run seed
// (low word first) with counter (entity, step, purpose, index). So a run's
// numbers do not depend on the platform or compiler, only on its seed.
TEST(Determinism, RandomStreamsArePhilox4x32KnownAnswers) {
  EXPECT_EQ(RandomSource(0).words(0, 0, static_cast<Purpose>(0), 0),
            (RandomWords{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(
      RandomSource(~std::uint64_t{0}).words(0xffffffffu, 0xffffffffu, static_cast<Purpose>(0xffffffffu), 0xffffffffu),
      (RandomWords{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(
      RandomSource(0x299f31d0a4093822u).words(0x243f6a88u, 0x85a308d3u, static_cast<Purpose>(0x13198a2eu), 0x03707344u),
      (RandomWords{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

// The maps from words to numbers stay inside their ranges at the extremes.
TEST(Determinism, UniformMapsStayInsideTheirRanges) {
  EXPECT_GT(uniform01(0), 0.0);
  EXPECT_LT(uniform01(0xffffffffu), 1.0);
  for (const std::uint32_t n : {1u, 2u, 7u, 1000u, 0xffffffffu}) {
    EXPECT_EQ(uniform_index(0, 0, n), 0u);
    EXPECT_EQ(uniform_index(0xffffffffu, 0xffffffffu, n), n - 1);
  }
}

// Scenario seeds differing only in their high 32 bits give different runs.
TEST(Determinism, DerivedRunSeedUsesAllScenarioSeedBits) {
  EXPECT_NE(derive_run_seed(1, 0, 0), derive_run_seed(1 + (std::uint64_t{1} << 32), 0, 0));
}

}  // namespace
}  // namespace loyalsim
