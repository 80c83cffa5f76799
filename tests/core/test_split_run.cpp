// One run split across processes (core/partition.hpp, SPEC section 8),
// without MPI: K threads play the K processes, joined by a shared-memory
// reducer, and the split run must equal the unsplit one bit for bit, events
// and scripted largest_book departures included (book sizes are then summed
// over the parts before the pick). The MPI layer's tests (tests/mpi/) check
// the same through mpirun; this one runs everywhere, sanitizers included.
#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "core/partition.hpp"
#include "same_results.hpp"
#include "tiny_models.hpp"

namespace loyalsim {
namespace {

// The processes of a split run, as threads: each part's calls meet the
// others' at a barrier, like MPI's collectives.
class SharedMemoryReducer {
 public:
  explicit SharedMemoryReducer(int parts)
      : barrier_(parts), int64s_(as_size(parts)), int32s_(as_size(parts)), events_(as_size(parts)) {
    for (int k = 0; k < parts; ++k) parts_.emplace_back(*this, k);
  }
  MonthReducer& part(int k) { return parts_[as_size(k)]; }

 private:
  static std::size_t as_size(int k) { return static_cast<std::size_t>(k); }

  class Part final : public MonthReducer {
   public:
    Part(SharedMemoryReducer& shared, int k) : shared_(shared), k_(as_size(k)) {}
    void sum(std::span<std::int64_t> values) override { shared_.sum(shared_.int64s_, k_, values); }
    void sum(std::span<std::int32_t> values) override { shared_.sum(shared_.int32s_, k_, values); }
    void gather(std::vector<DecisionEvent>& events) override {
      shared_.events_[k_] = &events;
      shared_.barrier_.arrive_and_wait();
      if (k_ == 0)
        for (std::size_t j = 1; j < shared_.events_.size(); ++j)
          events.insert(events.end(), shared_.events_[j]->begin(), shared_.events_[j]->end());
      shared_.barrier_.arrive_and_wait();  // the root has read everyone's
      if (k_ != 0) events.clear();
    }

   private:
    SharedMemoryReducer& shared_;
    std::size_t k_;
  };

  // Publish, wait for all, each sums every part's span, wait until all have
  // read, then each overwrites its own.
  template <class T>
  void sum(std::vector<std::span<T>>& spans, std::size_t k, std::span<T> values) {
    spans[k] = values;
    barrier_.arrive_and_wait();
    std::vector<T> total(values.size(), 0);
    for (const std::span<T>& other : spans) {
      EXPECT_EQ(other.size(), values.size());
      for (std::size_t i = 0; i < total.size() && i < other.size(); ++i) total[i] += other[i];
    }
    barrier_.arrive_and_wait();
    std::copy(total.begin(), total.end(), values.begin());
  }

  std::barrier<> barrier_;
  std::vector<std::span<std::int64_t>> int64s_;
  std::vector<std::span<std::int32_t>> int32s_;
  std::vector<std::vector<DecisionEvent>*> events_;
  std::vector<Part> parts_;
};

// Everything that moves, and scripted largest_book departures in burn-in
// and in recorded months, two of them in the same month, so that the pick
// depends on books spread over every part.
Scenario split_scenario() {
  Scenario sc;
  sc.seed = 11;
  sc.market.customers = 12001;  // not a multiple of 2 or 3: uneven slices
  sc.market.months = 24;
  sc.market.burn_in_months = 4;
  sc.market.substitutability = 0.6;
  sc.market.acquisition_rate = 0.03;
  sc.market.initial_attached_share = 0.75;
  sc.market.rep_skill_sd = 0.4;
  const char* names[] = {"Incumbent", "Challenger", "Boutique"};
  const std::int64_t heads[] = {30, 20, 5};
  for (int f = 0; f < 3; ++f) {
    FirmParams firm;
    firm.name = names[f];
    firm.reps = heads[f];
    firm.relationship_transfer = 0.1 * f;
    firm.non_solicit = 0.3;
    firm.rep_turnover_annual = 0.25 + 0.1 * f;
    firm.to_competitor = 0.6;
    firm.vacancy_months = f;
    sc.firms.push_back(firm);
  }
  for (int s = 0; s < 2; ++s) {
    SegmentParams seg;
    seg.name = s == 0 ? "complex" : "simple";
    seg.share = s == 0 ? 0.4 : 0.6;
    seg.rep_weight = 1.0 + s;
    seg.churn_annual = 0.1 + 0.05 * s;
    sc.segments.push_back(seg);
  }
  sc.departures = {test::departure(-1, 3, "Incumbent", "Challenger"), test::departure(5, 4, "Incumbent", "Boutique"),
                   test::departure(5, 2, "Challenger", "industry"),
                   test::departure(9, 1, "Boutique", "Incumbent", "random")};
  return sc;
}

// The run split into `parts` threads: every part's result.
std::vector<RunResult> run_split(const Model& model, int parts, bool events) {
  SharedMemoryReducer reducer(parts);
  std::vector<RunResult> results(static_cast<std::size_t>(parts));
  std::vector<std::thread> threads;
  for (int k = 0; k < parts; ++k)
    threads.emplace_back([&, k] {
      SimulationOptions options;
      options.record_events = events;
      options.partition = {slice_of(model.customers, k, parts), &reducer.part(k)};
      results[static_cast<std::size_t>(k)] = simulate(model, options);
    });
  for (std::thread& t : threads) t.join();
  return results;
}

TEST(SplitRun, SlicesAreContiguousAndCoverThePopulation) {
  for (const std::int64_t customers : {0, 1, 2, 7, 12001}) {
    for (const int parts : {1, 2, 3, 5}) {
      std::int64_t next = 0;
      for (int k = 0; k < parts; ++k) {
        const CustomerSlice s = slice_of(customers, k, parts);
        EXPECT_EQ(s.first, next);
        EXPECT_LE(s.count, customers / parts + 1);
        EXPECT_GE(s.count, customers / parts);
        next += s.count;
      }
      EXPECT_EQ(next, customers);
    }
  }
  EXPECT_THROW(slice_of(10, 2, 2), std::invalid_argument);
}

TEST(SplitRun, TwoAndThreePartsEqualOneProcessWithEventsAndLargestBook) {
  const Model model = make_model(split_scenario(), 11);
  SimulationOptions whole;
  whole.record_events = true;
  const RunResult one = simulate(model, whole);
  // The scenario really has decisions after largest_book departures.
  ASSERT_GT(one.events.size(), 200u);
  ASSERT_GT(test::series_sum_all(one, Series::followed), 0.0);
  for (const int parts : {2, 3}) {
    SCOPED_TRACE("parts = " + std::to_string(parts));
    const std::vector<RunResult> split = run_split(model, parts, true);
    for (std::size_t k = 0; k < split.size(); ++k) {
      SCOPED_TRACE("part " + std::to_string(k));
      test::expect_same_metrics(one, split[k]);  // every part holds the whole run's metrics
      if (k > 0) {
        EXPECT_TRUE(split[k].events.empty());
      }
    }
    ASSERT_EQ(split[0].events.size(), one.events.size());
    for (std::size_t e = 0; e < one.events.size(); ++e)
      ASSERT_TRUE(test::same_event(one.events[e], split[0].events[e])) << "event " << e;
  }
}

// More parts than would ever be sensible, some holding no customer at all.
TEST(SplitRun, EmptySlicesChangeNothing) {
  Scenario sc = split_scenario();
  sc.market.customers = 3;
  const Model model = make_model(sc, 5);
  SimulationOptions whole;
  whole.record_events = true;
  const RunResult one = simulate(model, whole);
  const std::vector<RunResult> split = run_split(model, 5, true);
  test::expect_same_metrics(one, split[0]);
  ASSERT_EQ(split[0].events.size(), one.events.size());
  for (std::size_t e = 0; e < one.events.size(); ++e) EXPECT_TRUE(test::same_event(one.events[e], split[0].events[e]));
}

// A slice without a reducer would silently be a smaller market.
TEST(SplitRun, PartialSliceNeedsAReducer) {
  const Model model = make_model(split_scenario(), 11);
  SimulationOptions options;
  options.partition.slice = slice_of(model.customers, 0, 2);
  EXPECT_THROW(simulate(model, options), std::invalid_argument);
}

}  // namespace
}  // namespace loyalsim
