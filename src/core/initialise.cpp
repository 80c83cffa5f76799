#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "core/random_batch.hpp"
#include "core/reps.hpp"
#include "core/step.hpp"

namespace loyalsim {

void initialise(const Model& model, State& state, bool record_events, const Partition& partition) {
  CustomerSlice slice = partition.slice;
  if (slice.count < 0) slice = {0, model.customers};
  if (slice.first < 0 || slice.first + slice.count > model.customers ||
      (partition.reducer == nullptr && slice.count != model.customers))
    throw std::invalid_argument("initialise: customers " + std::to_string(slice.first) + " + " +
                                std::to_string(slice.count) + " of " + std::to_string(model.customers));
  const std::size_t n = static_cast<std::size_t>(slice.count);
  // Random streams are keyed by the global customer id.
  const auto first = static_cast<std::uint32_t>(slice.first);
  const std::size_t slots = static_cast<std::size_t>(model.rep_capacity);
  const std::size_t firms = model.firms();
  const RandomSource random(model.run_seed);

  state = State{};
  state.record_events = record_events;
  state.partition = {slice, partition.reducer};

  // Reps: each firm's initial headcount in consecutive slots.
  RepArrays& reps = state.reps;
  reps.firm.assign(slots, no_firm);
  reps.skill.assign(slots, 0.0f);
  reps.active.assign(slots, 0);
  reps.left_step.assign(slots, -1);
  reps.left_this_month.assign(slots / 64 + 1, 0);
  reps.left_firm.assign(slots, no_firm);
  reps.joined_firm.assign(slots, to_industry);
  reps.barred.assign(slots, 0);
  reps.next_departure.assign(slots, never);
  reps.free_slots.reserve(slots);
  reps.leaving_industry.reserve(slots);
  state.active_count.assign(firms, 0);
  for (std::size_t f = 0; f < firms; ++f) {
    for (std::int64_t i = 0; i < model.scenario.firms[f].reps; ++i) {
      const std::int32_t slot = reps.used++;
      const auto w = random.words(static_cast<std::uint32_t>(slot), 0, Purpose::rep_skill, 1);
      reps.firm[slot] = static_cast<std::int16_t>(f);
      reps.skill[slot] = static_cast<float>(lognormal_skill(model.scenario.market.rep_skill_sd, w[0], w[1]));
      reps.active[slot] = 1;
      // Eligible to leave from step 0 on.
      const auto wait = random.words(static_cast<std::uint32_t>(slot), 0, Purpose::rep_departure, 1);
      reps.next_departure[slot] = step_after(-1, geometric_wait(model.departure_probability[f], wait[0]));
      ++state.active_count[f];
    }
    state.vacancies.push_back(VacancyQueue{
        std::vector<std::int32_t>(static_cast<std::size_t>(std::max<std::int64_t>(model.scenario.firms[f].reps, 1))), 0,
        0});
  }
  for (ActiveReps* list : {&state.before_hiring, &state.after_hiring}) {
    list->offsets.assign(firms + 1, 0);
    list->ids.assign(slots, no_rep);
  }
  state.book_size.assign(slots, 0);
  state.scripted_candidates.reserve(slots);
  state.random_leavers.reserve(slots);
  state.active_cursor.reserve(firms);
  state.rep_gain.assign(slots + 1, -1.0f);
  for (const CellConstants& k : model.cells) {
    state.cell_base_brand_growth.push_back(k.base_brand_growth);
    state.cell_relationship_transfer.push_back(k.relationship_transfer);
    state.cell_rep_growth.push_back(k.rep_growth);
    state.cell_rep_decay.push_back(k.rep_decay);
    state.cell_brand_decay.push_back(k.brand_decay);
  }
  const auto uniform = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
  };
  state.uniform_segment_rates =
      uniform(state.cell_rep_growth) && uniform(state.cell_rep_decay) && uniform(state.cell_brand_decay);
  rebuild_active_reps(state, state.after_hiring);
  state.reps_at_start.assign(firms, 0);
  state.departures.assign(firms, 0);
  state.anchor_count.assign(firms * static_cast<std::size_t>(model.months + 1), 0);
  state.anchor_sum.assign(firms * static_cast<std::size_t>(model.months + 1), 0);
  state.departures_to_competitor.assign(firms, 0);

  // Customers: segment by share; attached with initial_attached_share to a
  // firm chosen as in acquisition (a uniformly drawn active rep).
  // Sized without initialisation: the parallel loop below writes every
  // column of every customer (first its initial value from the list, then
  // its draws), and so spreads the first touch of the memory.
  CustomerArrays& c = state.customers;
  for_each_customer_column([&](const auto& column) { (c.*column.member).resize(n); });
  const ActiveReps& active = state.after_hiring;
  const double attached_share = model.scenario.market.initial_attached_share;
  const double acquisition_rate = model.scenario.market.acquisition_rate;
  // Each segment's churn wait and the acquisition wait, with their
  // logarithms computed once rather than per customer.
  std::vector<GeometricWait> churn_wait;
  for (std::size_t s = 0; s < model.segments(); ++s) churn_wait.emplace_back(model.churn_probability[s]);
  const GeometricWait acquisition_wait(acquisition_rate);
  const bool any_reps = active.total() > 0;
  std::array<Purpose, 256> init_customer_purposes, init_wait_purposes;
  init_customer_purposes.fill(Purpose::init_customer);
  init_wait_purposes.fill(Purpose::init_wait);
  for_each_range(n, 4096, [&](std::size_t begin, std::size_t end) {
    // The range's initial values a column at a time (a fill the compiler
    // vectorises), then each customer's draws.
    for_each_customer_column([&](const auto& column) {
      auto& data = c.*column.member;
      std::fill(data.begin() + static_cast<std::ptrdiff_t>(begin), data.begin() + static_cast<std::ptrdiff_t>(end),
                column.initial);
    });
    // The draws a batch at a time, in passes of one kind of work each: the
    // Philox blocks (core/random_batch.hpp); the segment and the drawn rep
    // (a load far in memory: the active-rep list's entry); the attachment
    // (another: the rep's firm); the waits (a log and a division each).
    // Short loops of independent customers let the processor overlap the
    // loads and the long latencies that one loop of everything per customer
    // serialised (docs/PERFORMANCE.md, "Fourth round"). The same values
    // either way.
    constexpr std::size_t batch = 256;
    RandomWords customer_words[batch], wait_words[batch];
    std::uint32_t ids[batch];
    std::int32_t drawn_rep[batch];
    for (std::size_t from = begin; from < end; from += batch) {
      const std::size_t m = std::min(batch, end - from);
      for (std::size_t k = 0; k < m; ++k) ids[k] = first + static_cast<std::uint32_t>(from + k);
      draw_batch(random, 0, ids, init_customer_purposes.data(), customer_words, m);
      draw_batch(random, 0, ids, init_wait_purposes.data(), wait_words, m);
      for (std::size_t k = 0; k < m; ++k) {
        const RandomWords& w = customer_words[k];
        const double u = uniform01(w[0]);
        std::size_t s = 0;
        while (u >= model.segment_cumulative[s]) ++s;
        c.segment[from + k] = static_cast<std::uint8_t>(s);
        drawn_rep[k] = any_reps && uniform01(w[1]) < attached_share ? active.uniform_of_all(w[2], w[3]) : no_rep;
      }
      for (std::size_t k = 0; k < m; ++k) {
        const std::int32_t rep = drawn_rep[k];
        if (rep == no_rep) continue;
        const std::size_t i = from + k;
        const auto& seg = model.scenario.segments[c.segment[i]];
        c.firm[i] = reps.firm[rep];
        c.rep[i] = rep;
        c.brand_loyalty[i] = static_cast<float>(seg.initial_brand_loyalty);
        c.rep_loyalty[i] = static_cast<float>(seg.initial_rep_loyalty);
        c.attached_since[i] = initial_attached_since(model);
      }
      // The first candidate churn (attached) or acquisition (unattached)
      // event, from step 0 on.
      for (std::size_t k = 0; k < m; ++k) {
        const std::size_t i = from + k;
        const GeometricWait& wait_of = c.firm[i] != no_firm ? churn_wait[c.segment[i]] : acquisition_wait;
        c.next_event[i] = event_step(-1, wait_of(wait_words[k][0]), model.steps);
      }
    }
  });

  const std::size_t cells = firms * model.segments();
  state.month_total.values.assign(cells * Tally::field_count, 0);
  state.tallies = PerWorker<Tally>([cells] {
    Tally t;
    t.values.assign(cells * Tally::field_count, 0);
    t.stock_scratch.assign(stock_scratch_copies * (cells + 2) * 2, 0);
    return t;
  });
}

}  // namespace loyalsim
