// The mutable state of one run, in structure-of-arrays form. Everything is
// sized once by initialise(); the monthly step never allocates (except the
// opt-in event log).
#pragma once

#include <cstdint>
#include <vector>

#include "core/column.hpp"
#include "core/customers.hpp"
#include "core/loyalty_pass.hpp"
#include "core/parallel.hpp"
#include "core/partition.hpp"
#include "core/random.hpp"
#include "core/run_result.hpp"

namespace loyalsim {

// The step `wait` months after `now` (wait from geometric_wait), or
// no_event if that is past the last step.
inline std::uint16_t event_step(std::int64_t now, std::int64_t wait, std::int64_t steps) {
  const std::int64_t at = step_after(now, wait);
  return at >= steps ? no_event : static_cast<std::uint16_t>(at);
}

// Bit i of a bitset stored in 64-bit words (i >= 0).
inline bool test_bit(const std::uint64_t* bits, std::int32_t i) {
  return (bits[as_index(i) >> 6] >> (as_index(i) & 63)) & 1u;
}
inline void set_bit(std::vector<std::uint64_t>& bits, std::int32_t i) {
  bits[as_index(i) >> 6] |= std::uint64_t{1} << (as_index(i) & 63);
}

// For memory estimates, next to customer_state_bytes (core/customers.hpp):
// an upper bound of the bytes per rep slot, over RepArrays, ActiveReps and
// the scratch arrays sized by slots.
inline constexpr std::size_t rep_slot_bytes_bound = 64;

// Memory a run of `customers` customers and `rep_slots` slots needs, with
// a fixed allowance for everything else (tallies, the results, the
// libraries' own buffers).
inline constexpr std::size_t run_memory_bytes(std::size_t customers, std::size_t rep_slots) {
  return customers * customer_state_bytes + rep_slots * rep_slot_bytes_bound + (std::size_t{32} << 20);
}

// Rep slots. A slot is freed when its rep leaves the industry and reused by
// a later hire, so slot ids are dense and bounded by Model::rep_capacity.
struct RepArrays {
  IdVector<std::int16_t> firm;       // current firm; no_firm = free slot (slots)
  IdVector<float> skill;             // k > 0, mean 1 (slots)
  IdVector<std::uint8_t> active;     // 1 = serving customers at `firm` (slots)
  IdVector<std::int32_t> left_step;  // step of the latest departure; -1 = none (slots)
  // Bit r set = rep r left this month. The customer pass tests this instead
  // of left_step: a bit per rep stays in cache where an int per rep does not.
  std::vector<std::uint64_t> left_this_month;  // (slots / 64 + 1)
  IdVector<std::int16_t> left_firm;            // firm left at that departure (slots)
  IdVector<std::int16_t> joined_firm;          // firm joined then; to_industry = left the industry (slots)
  IdVector<std::uint8_t> barred;               // 1 = that departure is barred by non-solicit (slots)
  IdVector<std::int64_t> next_departure;       // step of the rep's next random departure (slots)
  std::int32_t used = 0;                       // slots ever handed out
  std::vector<std::int32_t> free_slots;        // stack of reusable slots
  std::vector<std::int32_t> leaving_industry;  // freed after this month's customer pass
};

// Open vacancies of one firm, oldest first, in a fixed ring (open <= target).
struct VacancyQueue {
  std::vector<std::int32_t> opened_step;  // ring storage (capacity = max(target, 1))
  std::size_t head = 0;
  std::size_t count = 0;

  void push(std::int32_t step) { opened_step[(head + count++) % opened_step.size()] = step; }
  std::int32_t oldest() const { return opened_step[head]; }
  void pop() {
    head = (head + 1) % opened_step.size();
    --count;
  }
};

// Active reps per firm in ascending slot order (CSR), rebuilt when reps move.
struct ActiveReps {
  std::vector<std::int32_t> offsets;  // (firms + 1)
  IdVector<std::int32_t> ids;         // (rep capacity)
  std::int32_t count(std::size_t firm) const { return offsets[firm + 1] - offsets[firm]; }
  std::int32_t total() const { return offsets.back(); }
  // A uniformly drawn active rep of `firm`, which must have one, from two
  // words: its place in `ids`, and the rep.
  std::size_t place_of_firm(std::size_t firm, std::uint32_t high, std::uint32_t low) const {
    return as_index(offsets[firm]) + uniform_index(high, low, static_cast<std::uint32_t>(count(firm)));
  }
  std::int32_t uniform_of_firm(std::size_t firm, std::uint32_t high, std::uint32_t low) const {
    return ids[place_of_firm(firm, high, low)];
  }
  // A uniformly drawn active rep of any firm (total() > 0), from two words.
  std::size_t place_of_all(std::uint32_t high, std::uint32_t low) const {
    return uniform_index(high, low, static_cast<std::uint32_t>(total()));
  }
  std::int32_t uniform_of_all(std::uint32_t high, std::uint32_t low) const { return ids[place_of_all(high, low)]; }
};

// Per-thread counters of one month, (firm, segment)-indexed. Integers only,
// so merging them is exact and independent of how customers were split
// among threads; loyalty sums are fixed point for the same reason.
struct Tally {
  enum Field : std::size_t {
    customers,
    orphaned,
    stayed,
    followed,
    defected,
    followers_gained,
    churned,
    acquired,
    brand_sum,
    rep_sum,
    stays_eligible,
    stays_broken,
    could_follow,      // contestable decisions: the rep joined a competitor, unbarred
    stayed_contested,  // stays among them
    // The book revenue DiD (core/book_did.hpp), in customer-months:
    book_before,         // before(t) of each decision at an anchor month t
    stay_months_broken,  // after(t) of the eligible stays broken this month
    all_before,          // Σ before(t) over the anchors of each spell ended this month
    all_after,           // Σ after(t) likewise
    field_count
  };
  std::vector<std::int64_t> values;  // (firms * segments * field_count)
  std::vector<DecisionEvent> events;
  // The month step's per-cell stock sums before they reach `values`
  // (core/step.cpp, flush_stocks): a StockScratch (core/loyalty_pass.hpp),
  // 2 words per cell and 2 spare cells, in stock_scratch_copies copies.
  std::vector<std::int64_t> stock_scratch;  // (stock_scratch_copies * (firms * segments + 2) * 2)

  std::int64_t& at(std::size_t cell, Field field) { return values[cell * field_count + field]; }
};

inline constexpr double loyalty_fixed_point = 16777216.0;  // 2^24: a float's mantissa

struct State {
  std::int64_t step = 0;  // next step to simulate (0-based, burn-in included)
  CustomerArrays customers;
  RepArrays reps;
  IdVector<std::int32_t> active_count;  // active reps per firm
  IdVector<VacancyQueue> vacancies;     // per firm
  ActiveReps before_hiring;             // for stayers' new reps (step 2)
  ActiveReps after_hiring;              // for unserved customers and acquisition (steps 3, 6)
  // Scratch, one buffer per use, sized by initialise so the step never
  // allocates.
  IdVector<std::int32_t> book_size;               // customers per rep, for largest_book (slots)
  std::vector<std::int32_t> scripted_candidates;  // a scripted departure's candidates, then its pick (slots)
  std::vector<std::int32_t> random_leavers;       // this month's random leavers, rep-id order (slots)
  std::vector<std::int32_t> active_cursor;        // rebuild_active_reps' next position per firm (firms)
  // The loyalty pass's tables (core/loyalty_pass.hpp): the month's rep
  // gains, and the per-cell constants of Model::cells as columns.
  std::vector<float> rep_gain;  // (slots + 1)
  std::vector<double> cell_base_brand_growth, cell_relationship_transfer, cell_rep_growth, cell_rep_decay,
      cell_brand_decay;                // (firms * segments)
  bool uniform_segment_rates = false;  // LoyaltyPassTables::uniform_segment_rates

  // This month's rep counters, per firm.
  IdVector<std::int32_t> reps_at_start;  // active reps at the start of the month
  IdVector<std::int64_t> departures;
  IdVector<std::int64_t> departures_to_competitor;
  std::int64_t scripted_shortfall = 0;  // scripted leavers asked for but not available
  // Anchor months of the book DiD so far, per firm, as prefix sums over
  // recorded months 0..months (core/book_did.hpp): firm f's are at
  // f * (months + 1).
  std::vector<std::int64_t> anchor_count;
  std::vector<std::int64_t> anchor_sum;

  PerWorker<Tally> tallies;
  Tally month_total;  // merged tallies of the last step (this process's customers only)
  bool record_events = false;
  // The customers held: customers[i] is global customer partition.slice.first + i
  // (slice.count is always the number held); the reducer, if split.
  Partition partition;
};

}  // namespace loyalsim
