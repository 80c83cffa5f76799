// Google Benchmark of the month step alone (no I/O, no initialisation in
// the timed loop): customer-months per second at several population sizes,
// for comparing versions of step() with perf or callgrind.
//
//   build/bench/month_step_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include "core/model.hpp"
#include "core/state.hpp"
#include "core/step.hpp"

namespace {

// Three firms and two segments with turnover, churn and acquisition on, so
// every branch of the step is exercised at realistic rates.
loyalsim::Scenario bench_scenario(std::int64_t customers) {
  loyalsim::Scenario s;
  s.market.customers = customers;
  s.market.months = 12000;
  s.market.burn_in_months = 0;
  for (const char* name : {"A", "B", "C"}) {
    loyalsim::FirmParams f;
    f.name = name;
    f.reps = std::max<std::int64_t>(10, customers / 100);
    s.firms.push_back(f);
  }
  loyalsim::SegmentParams complex, simple;
  complex.name = "complex";
  complex.share = 0.4;
  complex.rep_weight = 3.0;
  simple.name = "simple";
  simple.share = 0.6;
  simple.brand_weight = 2.0;
  s.segments = {complex, simple};
  return s;
}

void BM_MonthStep(benchmark::State& bench) {
  const loyalsim::Model model = loyalsim::make_model(bench_scenario(bench.range(0)), 42);
  loyalsim::State state;
  loyalsim::initialise(model, state, false);
  for (auto _ : bench) {
    if (state.step >= model.steps) {
      bench.PauseTiming();
      loyalsim::initialise(model, state, false);
      bench.ResumeTiming();
    }
    loyalsim::step(model, state);
  }
  bench.SetItemsProcessed(bench.iterations() * bench.range(0));
  bench.counters["bytes_per_customer"] = static_cast<double>(loyalsim::customer_state_bytes);
}

BENCHMARK(BM_MonthStep)->Arg(10000)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
