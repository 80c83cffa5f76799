#include "core/simulate.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <span>

#include "core/parallel.hpp"
#include "core/state.hpp"
#include "core/step.hpp"
#include "core/tally_metrics.hpp"

namespace loyalsim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double ratio(double numerator, double denominator) { return denominator > 0.0 ? numerator / denominator : nan; }

// In a split run (core/partition.hpp), sums `values` over the processes:
// every scan of the customers below counts the customers held, and the
// sums make the counts of the whole population.
void sum_over_processes(const State& state, std::span<std::int64_t> values) {
  if (state.partition.reducer != nullptr) state.partition.reducer->sum(values);
}

// `width` integer sums over the customers held, add(i, sums) adding
// customer i's terms: in parallel, like the month step, so that these
// once-a-run scans do not become the serial part of a run on many threads.
// Integers, so the sums are the same in any order.
template <class Add>
std::vector<std::int64_t> sum_over_customers(const State& state, std::size_t width, const Add& add) {
  PerWorker<std::vector<std::int64_t>> partial([width] { return std::vector<std::int64_t>(width, 0); });
  for_each_range(state.customers.size(), std::size_t{1} << 16, [&](std::size_t begin, std::size_t end) {
    std::vector<std::int64_t>& sums = partial.local();
    for (std::size_t i = begin; i < end; ++i) add(i, sums);
  });
  std::vector<std::int64_t> total(width, 0);
  for (const std::vector<std::int64_t>& sums : partial)
    for (std::size_t k = 0; k < width; ++k) total[k] += sums[k];
  sum_over_processes(state, total);
  return total;
}

// Attached customers per (firm, segment) cell now: the stock at the start
// of the first recorded month (later ones are the previous month's end).
std::vector<std::int64_t> attached_per_cell(const Model& model, const State& state) {
  const CustomerArrays& c = state.customers;
  return sum_over_customers(state, model.firms() * model.segments(), [&](std::size_t i, std::vector<std::int64_t>& counts) {
    if (c.firm[i] != no_firm) ++counts[as_index(c.firm[i]) * model.segments() + c.segment[i]];
  });
}

// A split run's month: the tallies of every process summed (exact: they
// are integers), the decision events gathered on the root in process
// order, which is customer order (slices are contiguous and ascending).
void combine_month(State& state) {
  if (state.partition.reducer == nullptr) return;
  state.partition.reducer->sum(std::span<std::int64_t>(state.month_total.values));
  if (state.record_events) state.partition.reducer->gather(state.month_total.events);
}

// Copies the merged counters of the month just simulated into the result:
// the tallies the tables of core/tally_metrics.hpp copy or sum, then the
// metrics computed here (listed there as series_computed / totals_computed).
// `at_start` holds the attached customers per cell at the start of the
// month, and is left holding them at its end.
void record_month(const Model& model, const State& state, std::size_t m, std::vector<std::int64_t>& at_start,
                  RunResult& result) {
  const Tally& t = state.month_total;
  const std::size_t segments = model.segments();
  for (std::size_t f = 0; f < model.firms(); ++f) {
    result.count(Series::reps_active, m, f) = state.active_count[f];
    result.count(Series::rep_departures, m, f) = state.departures[f];
    result.count(Series::rep_departures_to_competitor, m, f) = state.departures_to_competitor[f];
    result.count(Total::rep_departures, f) += state.departures[f];
    result.count(Total::rep_months, f) += state.reps_at_start[f];
    for (std::size_t s = 0; s < segments; ++s) {
      const std::size_t cell = f * segments + s;
      const auto n = [&](Tally::Field field) { return t.values[cell * Tally::field_count + field]; };
      const auto v = [&](Tally::Field field) { return static_cast<double>(n(field)); };
      for (const auto& [field, metric] : series_from_tally) result.count(metric, m, f, s) = n(field);
      for (const auto& [field, metric] : totals_from_tally) result.count(metric, f, s) += n(field);

      const double customers = v(Tally::customers);
      result.real(Series::revenue, m, f, s) = customers * model.scenario.segments[s].monthly_value;
      result.real(Series::brand_loyalty_mean, m, f, s) = ratio(v(Tally::brand_sum) / loyalty_fixed_point, customers);
      result.real(Series::rep_loyalty_mean, m, f, s) = ratio(v(Tally::rep_sum) / loyalty_fixed_point, customers);
      // Broken stays are counted when they break; the retained ones are the rest.
      result.count(Total::stays_12m_retained, f, s) += n(Tally::stays_eligible) - n(Tally::stays_broken);
      result.count(Total::customer_months, f, s) += at_start[cell];
      at_start[cell] = n(Tally::customers);
      // A stay's months after: 12 if retained, its partial months if broken.
      result.count(Total::book_months_after, f, s) +=
          did_window * (n(Tally::stays_eligible) - n(Tally::stays_broken)) + n(Tally::stay_months_broken);
      result.count(Total::all_months_before, f, s) += n(Tally::all_before);
      result.count(Total::all_months_after, f, s) += n(Tally::all_after);
    }
  }
  result.events.insert(result.events.end(), t.events.begin(), t.events.end());
}

template <class... Vectors>
std::size_t bytes_of(const Vectors&... v) {
  return (... + (v.capacity() * sizeof(typename Vectors::value_type)));
}

std::size_t state_bytes(const State& state) {
  const RepArrays& r = state.reps;
  return customer_bytes_held(state.customers) +
         bytes_of(r.firm, r.skill, r.active, r.left_step, r.left_this_month, r.left_firm, r.joined_firm, r.barred,
                  r.next_departure, r.free_slots, r.leaving_industry, state.book_size, state.scripted_candidates,
                  state.random_leavers, state.active_cursor, state.before_hiring.ids, state.after_hiring.ids);
}

// Spells still open after the last month add their DiD sums as if they
// ended after it (e = months + 1: every anchor's 12 months after are full).
// A spell's sums depend only on its firm and start, so the customers are
// first counted per (cell, start), one increment each, and each start's
// sums are computed once and multiplied by its count: the same integers as
// summing per customer. Every start at or before -did_window gives the
// same sums (no anchor lies before month 1, so the 12 months before each
// are all attached), so those are counted at -did_window: the counts span
// -did_window to the last month, whatever the burn-in. A start after the
// last month (none the model makes) has its sums added directly, after
// the counts.
void close_open_spells(const Model& model, const State& state, RunResult& result) {
  const CustomerArrays& c = state.customers;
  const std::size_t segments = model.segments(), cells = model.firms() * segments;
  const std::int64_t first_start = -did_window;
  const std::size_t starts = static_cast<std::size_t>(model.months - first_start + 1);
  const std::size_t direct = cells * starts;  // then before and after per cell
  const auto count_spell = [&](std::size_t i, std::vector<std::int64_t>& counts) {
    if (c.firm[i] == no_firm) return;
    const std::size_t cell = as_index(c.firm[i]) * segments + c.segment[i];
    const std::int64_t a = std::max<std::int64_t>(c.attached_since[i], first_start);
    if (a <= model.months) {
      counts[cell * starts + static_cast<std::size_t>(a - first_start)] += 1;
    } else {
      const SpellMonths spell = spell_anchor_months(anchors_of(model, state, as_index(c.firm[i])), a, model.months + 1);
      counts[direct + 2 * cell] += spell.before;
      counts[direct + 2 * cell + 1] += spell.after;
    }
  };
  const std::vector<std::int64_t> counts = sum_over_customers(state, direct + 2 * cells, count_spell);
  for (std::size_t f = 0; f < model.firms(); ++f) {
    const AnchorPrefix anchors = anchors_of(model, state, f);
    for (std::size_t s = 0; s < segments; ++s) {
      const std::size_t cell = f * segments + s;
      result.count(Total::all_months_before, f, s) += counts[direct + 2 * cell];
      result.count(Total::all_months_after, f, s) += counts[direct + 2 * cell + 1];
      for (std::size_t k = 0; k < starts; ++k) {
        const std::int64_t n = counts[cell * starts + k];
        if (n == 0) continue;
        const SpellMonths spell =
            spell_anchor_months(anchors, first_start + static_cast<std::int64_t>(k), model.months + 1);
        result.count(Total::all_months_before, f, s) += n * spell.before;
        result.count(Total::all_months_after, f, s) += n * spell.after;
      }
    }
  }
}

}  // namespace

RunResult simulate(const Model& model, const SimulationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  result.allocate(static_cast<std::size_t>(model.months), model.firms(), model.segments());

  State state;
  initialise(model, state, options.record_events, options.partition);
  // Split: the memory of every process (each holds the reps in full).
  std::int64_t bytes = static_cast<std::int64_t>(state_bytes(state));
  sum_over_processes(state, std::span<std::int64_t>(&bytes, 1));
  result.state_bytes = static_cast<std::size_t>(bytes);
  std::vector<std::int64_t> at_start;
  while (state.step < model.steps) {
    const std::int64_t month = model.month_of_step(state.step);
    if (month == 1) at_start = attached_per_cell(model, state);
    step(model, state);
    if (month >= 1) combine_month(state);
    if (month >= 1) record_month(model, state, static_cast<std::size_t>(month - 1), at_start, result);
    if (options.on_month) options.on_month(state.step, model.steps);
  }
  close_open_spells(model, state, result);
  compute_rates(result);

  result.customer_months = model.customers * model.steps;
  result.scripted_shortfall = state.scripted_shortfall;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace loyalsim
