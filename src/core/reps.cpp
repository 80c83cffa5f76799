#include "core/reps.hpp"

#include <algorithm>
#include <span>

#include "core/random.hpp"

namespace loyalsim {
namespace {

// A rep leaves firm f: it stops serving, and f opens a vacancy unless f is
// above its target (a scripted join may have put it there), so a firm's
// active reps plus open vacancies never exceed its target.
void leave(const Model& model, State& state, std::int32_t rep) {
  RepArrays& reps = state.reps;
  const std::int16_t f = reps.firm[rep];
  reps.active[rep] = 0;
  reps.left_step[rep] = static_cast<std::int32_t>(state.step);
  set_bit(reps.left_this_month, rep);
  reps.left_firm[rep] = f;
  reps.joined_firm[rep] = to_industry;
  reps.barred[rep] = 0;
  --state.active_count[f];
  ++state.departures[f];
  VacancyQueue& open = state.vacancies[f];
  if (state.active_count[f] + static_cast<std::int64_t>(open.count) < model.scenario.firms[as_index(f)].reps)
    open.push(static_cast<std::int32_t>(state.step));
}

// The leaver joins firm `to`, taking its oldest open vacancy if it has one.
void join(const Model& model, State& state, std::int32_t rep, std::int16_t to, double barred_draw) {
  RepArrays& reps = state.reps;
  const std::int16_t from = reps.left_firm[rep];
  if (state.vacancies[to].count > 0) state.vacancies[to].pop();
  reps.firm[rep] = to;
  reps.active[rep] = 1;
  reps.joined_firm[rep] = to;
  reps.barred[rep] = barred_draw < model.scenario.firms[as_index(from)].non_solicit ? 1 : 0;
  // A new firm, a new turnover rate: the wait to the next departure starts
  // afresh (waits are memoryless, so this changes no distribution).
  const RandomSource random(model.run_seed);
  const auto w =
      random.words(static_cast<std::uint32_t>(rep), static_cast<std::uint32_t>(state.step), Purpose::rep_departure);
  reps.next_departure[rep] = step_after(state.step, geometric_wait(model.departure_probability[as_index(to)], w[0]));
  ++state.active_count[to];
  ++state.departures_to_competitor[from];
}

void leave_industry(State& state, std::int32_t rep) {
  state.reps.firm[rep] = no_firm;
  state.reps.leaving_industry.push_back(rep);
}

// Customers per rep, for "largest_book" scripted departures. In a split
// run each process holds some of a rep's customers: the counts are summed
// over the processes (slots in use only), so every process picks the same
// reps, as one process would.
void count_books(State& state) {
  std::fill(state.book_size.begin(), state.book_size.end(), 0);
  for (const std::int32_t rep : state.customers.rep)
    if (rep != no_rep) ++state.book_size[rep];
  if (state.partition.reducer != nullptr)
    state.partition.reducer->sum(std::span<std::int32_t>(state.book_size.data(), as_index(state.reps.used)));
}

void scripted_departures(const Model& model, State& state) {
  const RandomSource random(model.run_seed);
  bool books_counted = false;
  for (std::size_t i = 0; i < model.scripted.size(); ++i) {
    const ScriptedDepartureStep& d = model.scripted[i];
    if (d.step != state.step) continue;

    // Candidates: the firm's active reps, ascending ids.
    std::vector<std::int32_t>& picks = state.scripted_candidates;
    picks.clear();
    for (std::int32_t r = 0; r < state.reps.used; ++r)
      if (state.reps.active[r] && state.reps.firm[r] == d.firm && state.reps.left_step[r] != state.step)
        picks.push_back(r);
    const auto take =
        static_cast<std::size_t>(std::min<std::int64_t>(d.count, static_cast<std::int64_t>(picks.size())));
    state.scripted_shortfall += d.count - static_cast<std::int64_t>(take);

    if (d.largest_book) {
      if (!books_counted) count_books(state);
      books_counted = true;
      std::stable_sort(picks.begin(), picks.end(), [&](std::int32_t a, std::int32_t b) {
        return state.book_size[a] > state.book_size[b];  // ties keep the lower id first
      });
    } else {
      // Partial Fisher-Yates: the first `take` entries are a uniform sample.
      for (std::size_t k = 0; k < take; ++k) {
        const auto w = random.words(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(state.step),
                                    Purpose::scripted_pick, static_cast<std::uint32_t>(k));
        const std::size_t j = k + uniform_index(w[0], w[1], static_cast<std::uint32_t>(picks.size() - k));
        std::swap(picks[k], picks[j]);
      }
    }
    for (std::size_t k = 0; k < take; ++k) {
      const std::int32_t rep = picks[k];
      leave(model, state, rep);
      const auto w = random.words(static_cast<std::uint32_t>(rep), static_cast<std::uint32_t>(state.step),
                                  Purpose::rep_destination);
      if (d.to == to_industry) leave_industry(state, rep);
      else join(model, state, rep, d.to, uniform01(w[3]));
    }
  }
}

}  // namespace

void rebuild_active_reps(State& state, ActiveReps& list) {
  const std::size_t firms = state.active_count.size();
  std::fill(list.offsets.begin(), list.offsets.end(), 0);
  for (std::int32_t r = 0; r < state.reps.used; ++r)
    if (state.reps.active[r]) ++list.offsets[as_index(state.reps.firm[r]) + 1];
  for (std::size_t f = 0; f < firms; ++f) list.offsets[f + 1] += list.offsets[f];
  // Fill in ascending slot order.
  std::vector<std::int32_t>& cursor = state.active_cursor;
  cursor.assign(list.offsets.begin(), list.offsets.end() - 1);
  for (std::int32_t r = 0; r < state.reps.used; ++r)
    if (state.reps.active[r]) list.ids[cursor[as_index(state.reps.firm[r])]++] = r;
}

void depart_reps(const Model& model, State& state) {
  std::fill(state.reps.left_this_month.begin(), state.reps.left_this_month.end(), 0);
  std::fill(state.departures.begin(), state.departures.end(), 0);
  std::fill(state.departures_to_competitor.begin(), state.departures_to_competitor.end(), 0);
  const RandomSource random(model.run_seed);
  const auto step = static_cast<std::uint32_t>(state.step);
  RepArrays& reps = state.reps;

  scripted_departures(model, state);

  // Random departures: every rep active at its firm and not already moved
  // this month leaves with the firm's monthly probability, simulated as a
  // geometric wait drawn when the rep arrived (see geometric_wait).
  std::vector<std::int32_t>& leavers = state.random_leavers;
  leavers.clear();
  for (std::int32_t r = 0; r < reps.used; ++r) {
    if (reps.active[r] && reps.next_departure[r] == state.step && reps.left_step[r] != state.step) {
      leave(model, state, r);
      leavers.push_back(r);
    }
  }

  // Destinations, in rep-id order: a competitor in proportion to its open
  // vacancies, or the industry.
  const std::size_t firms = model.firms();
  for (const std::int32_t r : leavers) {
    const std::int16_t from = reps.left_firm[r];
    const auto w = random.words(static_cast<std::uint32_t>(r), step, Purpose::rep_destination);
    std::int64_t open_elsewhere = 0;
    for (std::size_t f = 0; f < firms; ++f)
      if (f != as_index(from)) open_elsewhere += static_cast<std::int64_t>(state.vacancies[f].count);
    const bool to_competitor = uniform01(w[0]) < model.scenario.firms[as_index(from)].to_competitor;
    if (!to_competitor || open_elsewhere == 0) {
      leave_industry(state, r);
      continue;
    }
    auto pick = static_cast<std::int64_t>(uniform_index(w[1], w[2], static_cast<std::uint32_t>(open_elsewhere)));
    std::int16_t to = 0;
    for (std::size_t f = 0; f < firms; ++f) {
      if (f == as_index(from)) continue;
      pick -= static_cast<std::int64_t>(state.vacancies[f].count);
      if (pick < 0) {
        to = static_cast<std::int16_t>(f);
        break;
      }
    }
    join(model, state, r, to, uniform01(w[3]));
  }
  rebuild_active_reps(state, state.before_hiring);
}

void hire_reps(const Model& model, State& state) {
  const RandomSource random(model.run_seed);
  RepArrays& reps = state.reps;
  bool hired = false;
  for (std::size_t f = 0; f < model.firms(); ++f) {
    const auto& firm = model.scenario.firms[f];
    VacancyQueue& open = state.vacancies[f];
    while (open.count > 0 && open.oldest() <= state.step - firm.vacancy_months && state.active_count[f] < firm.reps) {
      open.pop();
      std::int32_t slot;
      if (!reps.free_slots.empty()) {
        slot = reps.free_slots.back();
        reps.free_slots.pop_back();
      } else {
        slot = reps.used++;
      }
      const auto w =
          random.words(static_cast<std::uint32_t>(slot), static_cast<std::uint32_t>(state.step), Purpose::rep_skill);
      reps.firm[slot] = static_cast<std::int16_t>(f);
      reps.skill[slot] = static_cast<float>(lognormal_skill(model.scenario.market.rep_skill_sd, w[0], w[1]));
      reps.active[slot] = 1;
      reps.left_step[slot] = -1;
      reps.next_departure[slot] = step_after(state.step, geometric_wait(model.departure_probability[f], w[2]));
      ++state.active_count[f];
      hired = true;
    }
  }
  if (hired) rebuild_active_reps(state, state.after_hiring);
  else state.after_hiring = state.before_hiring;
}

void release_departed_slots(State& state) {
  for (const std::int32_t rep : state.reps.leaving_industry) state.reps.free_slots.push_back(rep);
  state.reps.leaving_industry.clear();
}

}  // namespace loyalsim
