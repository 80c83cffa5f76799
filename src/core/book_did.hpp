// The book revenue difference-in-differences (docs/MODEL.md section 8,
// "book_revenue_change_did"): customer-months attached in the 12 months
// before and after each anchor month, for the books of departing reps and
// for every customer attached at the start of the anchor.
//
// An anchor of firm f is a recorded month t, 1 <= t <= months - 12, in which
// at least one rep left f. A customer's spell at f runs from month a (the
// first month it is attached at the end of) to month e (the first month it
// is not, months + 1 if it never leaves); it is attached at the start of
// every month t with a < t <= e, and there
//     before(t) = min(12, t - a),   after(t) = clamp(e - t - 1, 0, 12).
// Summing these over the anchors of a spell is O(1) with two prefix sums per
// firm, so a spell adds its sums once, when it ends: the customer pass pays
// nothing in the months between.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/model.hpp"

namespace loyalsim {

inline constexpr std::int64_t did_window = 12;  // months before and after an anchor

// attached_since of an initially attached customer: 12 months before the
// first simulated month, as if its relationship predated the run by at
// least the before-window, so that no anchor's before-window is cut short by
// the start of the simulation (docs/MODEL.md section 8).
inline std::int16_t initial_attached_since(const Model& model) {
  return static_cast<std::int16_t>(model.month_of_step(0) - 1 - did_window);
}

// Months attached in the 12 months before an anchor t, for a spell from a.
inline std::int64_t months_before(std::int64_t t, std::int64_t a) { return std::min(did_window, t - a); }

// Months attached in the 12 months after an anchor t, for a spell ending at e.
inline std::int64_t months_after(std::int64_t t, std::int64_t e) {
  return std::clamp<std::int64_t>(e - t - 1, 0, did_window);
}

// One firm's anchors as prefix sums over months 0..months: count[t] = the
// anchors <= t, sum[t] = their months added up.
struct AnchorPrefix {
  const std::int64_t* count;
  const std::int64_t* sum;
  std::int64_t months;
};

struct SpellMonths {
  std::int64_t before = 0;
  std::int64_t after = 0;
};

// Sum of before(t) and after(t) over the anchors t of a spell (a, e), for
// anchors known up to e. The customer is attached at the start of every
// month a < t <= e: at t = e it leaves during the month, and its after(e)
// is 0.
inline SpellMonths spell_anchor_months(const AnchorPrefix& p, std::int64_t a, std::int64_t e) {
  const auto count = [&](std::int64_t from, std::int64_t to) { return p.count[to] - p.count[from]; };  // (from, to]
  const auto sum = [&](std::int64_t from, std::int64_t to) { return p.sum[to] - p.sum[from]; };
  const std::int64_t lo = std::clamp<std::int64_t>(a, 0, p.months);  // anchors t > lo ...
  SpellMonths m;
  // before: t - a up to t = a + 12, then 12; anchors t <= e.
  const std::int64_t hi = std::clamp<std::int64_t>(e, 0, p.months);
  if (hi > lo) {
    const std::int64_t ramp_end = std::clamp(a + did_window, lo, hi);
    m.before = sum(lo, ramp_end) - a * count(lo, ramp_end) + did_window * count(ramp_end, hi);
  }
  // after: 12 up to t = e - 13, then e - 1 - t; anchors t <= e - 1 (t = e adds 0).
  const std::int64_t hi_after = std::clamp<std::int64_t>(e - 1, 0, p.months);
  if (hi_after > lo) {
    const std::int64_t full_end = std::clamp(e - 1 - did_window, lo, hi_after);
    m.after = did_window * count(lo, full_end) + (e - 1) * count(full_end, hi_after) - sum(full_end, hi_after);
  }
  return m;
}

}  // namespace loyalsim
