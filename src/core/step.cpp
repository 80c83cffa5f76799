#include "core/step.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/book_did.hpp"
#include "core/loyalty_pass.hpp"
#include "core/random.hpp"
#include "core/random_batch.hpp"
#include "core/reps.hpp"

namespace loyalsim {
namespace {

// Everything one customer's month reads but does not write.
struct PassContext {
  const Model& model;
  const State& state;
  RandomSource random;
  std::uint32_t step;
  std::int64_t month;  // recorded numbering
  bool record_events;
  std::uint32_t first_customer;  // global id of the first customer held (core/partition.hpp)
  LoyaltyPassTables tables;      // this month's, for loyalty_pass
  // The waits to the next candidate event, their logarithms computed once
  // a month: per segment for churn, and for acquisition.
  const GeometricWait* churn_wait;
  GeometricWait acquisition_wait;
};

// The global id of the i-th customer held: the key of its random streams
// and its id in the decision log, whichever process holds it.
inline std::uint32_t global_id(const PassContext& ctx, std::size_t i) {
  return ctx.first_customer + static_cast<std::uint32_t>(i);
}

// Where in an active-rep list (core/state.hpp) this month's draws pick a
// rep, from the words each draws: a decision to stay (from the reps active
// before hiring), an assignment and an acquisition (after hiring). The
// visits use them, and so does stage 1 (drawn_entry) to prefetch the same
// entries.
std::size_t stay_place(const ActiveReps& before_hiring, std::size_t firm, const RandomWords& decision) {
  return before_hiring.place_of_firm(firm, decision[1], decision[2]);
}
std::size_t assignment_place(const ActiveReps& after_hiring, std::size_t firm, const RandomWords& assignment) {
  return after_hiring.place_of_firm(firm, assignment[0], assignment[1]);
}
std::size_t acquisition_place(const ActiveReps& after_hiring, const RandomWords& monthly) {
  return after_hiring.place_of_all(monthly[1], monthly[2]);
}

// A rare-event customer's first draw of the month, made when the pass
// found it (stage 1, in customer_range) rather than at its visit two blocks
// later: the words, for `purpose`. A view of its customer's entries in the
// found lists (FoundCustomers), which hold them.
struct EarlyDraw {
  const RandomWords& words;
  Purpose purpose;
};

// The words customer i draws for `purpose` this month: the early ones if
// they are for that purpose (stage 1 sets them for every customer it
// visits), else drawn now. The same words either way:
// they are a function of the customer, the step and the purpose.
RandomWords draw(const PassContext& ctx, std::size_t i, Purpose purpose, const EarlyDraw& early) {
  if (early.purpose == purpose) return early.words;
  return ctx.random.words(global_id(ctx, i), ctx.step, purpose);
}

// Stay decisions whose 12-month mark is still ahead fail when the customer
// leaves the firm at `month` (follow, defect or churn; docs/MODEL.md
// section 8, "What is recorded").
std::int64_t broken_stays(std::uint16_t marks, std::int16_t last_stay, std::int64_t month) {
  if (marks == 0) return 0;
  const std::int64_t window = last_stay - (month - stay_window);  // bits 0..window are still pending
  if (window < 0) return 0;
  const std::uint32_t mask = window >= stay_window ? stay_marks_mask : ((1u << (window + 1)) - 1u);
  return std::popcount(static_cast<std::uint32_t>(marks) & mask);
}

// The months after(t) (core/book_did.hpp) that the broken stays among
// `marks` were attached: the customer leaves at `month`, so a stay at t
// counts month - t - 1 (none if it leaves in the month of the stay).
std::int64_t broken_stay_months(std::uint16_t marks, std::int16_t last_stay, std::int64_t month) {
  std::int64_t months = 0;
  for (std::uint32_t bits = marks; bits != 0; bits &= bits - 1) {
    const std::int64_t stay = last_stay - std::countr_zero(bits);
    if (stay >= month - stay_window) months += months_after(stay, month);
  }
  return months;
}

// The customer's spell at its firm ends at `month` (follow, defect or
// churn): its pending stays break, and the spell adds its customer-months
// around the firm's anchors to the DiD sums.
void leave_firm(const PassContext& ctx, CustomerArrays& c, std::size_t i, Tally& tally, std::size_t cell) {
  const std::int64_t month = ctx.month;
  tally.at(cell, Tally::stays_broken) += broken_stays(c.stay_marks[i], c.last_stay[i], month);
  tally.at(cell, Tally::stay_months_broken) += broken_stay_months(c.stay_marks[i], c.last_stay[i], month);
  const SpellMonths spell =
      spell_anchor_months(anchors_of(ctx.model, ctx.state, as_index(c.firm[i])), c.attached_since[i], month);
  tally.at(cell, Tally::all_before) += spell.before;
  tally.at(cell, Tally::all_after) += spell.after;
  c.stay_marks[i] = 0;
  c.last_stay[i] = no_stay;
}

// Defection and churn: the customer leaves its firm (breaking its pending
// stays), loses both loyalties, and waits for acquisition trials from next
// month on; `wait_word` draws that wait.
void become_unattached(const PassContext& ctx, CustomerArrays& c, std::size_t i, Tally& tally, std::size_t cell,
                       std::uint32_t wait_word) {
  leave_firm(ctx, c, i, tally, cell);
  c.firm[i] = no_firm;
  c.rep[i] = no_rep;
  c.brand_loyalty[i] = 0.0f;
  c.rep_loyalty[i] = 0.0f;
  c.next_event[i] = event_step(ctx.step, ctx.acquisition_wait(wait_word), ctx.model.steps);
}

// A choice's logit weight exp((u - top) / theta) against the top utility:
// exactly 1 for the top one, whose exp(0) is 1 (so skipping it changes no
// bit), an exp for the others.
inline double relative_weight(double u, double top, double theta) {
  return u == top ? 1.0 : std::exp((u - top) / theta);
}

// Step 2: a customer whose rep left this month chooses stay, follow or
// defect by multinomial logit.
[[gnu::noinline]] void decide(const PassContext& ctx, CustomerArrays& c, std::size_t i, Tally& tally,
                              const EarlyDraw& early) {
  const Model& model = ctx.model;
  const RepArrays& reps = ctx.state.reps;
  const std::int32_t rep = c.rep[i];
  const std::size_t s = c.segment[i];
  const std::size_t f = as_index(c.firm[i]);
  const auto& seg = model.scenario.segments[s];
  const auto& firm = model.scenario.firms[f];
  const std::size_t cell = f * model.segments() + s;
  const double B = c.brand_loyalty[i];
  const double R = c.rep_loyalty[i];

  const std::int16_t destination = reps.joined_firm[rep];
  const bool can_follow = destination != to_industry && !reps.barred[rep];
  const double u_stay = seg.brand_weight * B + seg.service_weight * firm.service_touchpoints;
  const double u_follow = seg.rep_weight * R - seg.switching_cost * (1.0 - model.scenario.market.substitutability);
  const double u_defect = seg.outside_utility;
  // Subtract the largest utility before dividing by theta, so that neither
  // exp() nor the division can overflow, however small theta is.
  const double top = std::max({u_stay, u_defect, can_follow ? u_follow : u_stay});
  const double theta = seg.decision_noise;
  const double e_stay = relative_weight(u_stay, top, theta);
  const double e_follow = can_follow ? relative_weight(u_follow, top, theta) : 0.0;
  const double e_defect = relative_weight(u_defect, top, theta);
  const double total = e_stay + e_follow + e_defect;

  const RandomWords w = draw(ctx, i, Purpose::decision, early);
  const double u = uniform01(w[0]) * total;
  const Choice choice = u < e_stay ? Choice::stay : (u < e_stay + e_follow ? Choice::follow : Choice::defect);

  ++tally.at(cell, Tally::orphaned);
  if (can_follow) ++tally.at(cell, Tally::could_follow);
  // Every decision month is a departure month of f: an anchor if in range.
  if (ctx.month >= 1 && ctx.month + did_window <= model.months)
    tally.at(cell, Tally::book_before) += months_before(ctx.month, c.attached_since[i]);
  std::int16_t to_firm = no_firm;
  switch (choice) {
    case Choice::stay: {
      ++tally.at(cell, Tally::stayed);
      if (can_follow) ++tally.at(cell, Tally::stayed_contested);
      const ActiveReps& active = ctx.state.before_hiring;
      c.rep[i] = active.count(f) > 0 ? active.ids[stay_place(active, f, w)] : no_rep;
      c.rep_loyalty[i] = static_cast<float>(firm.handoff_quality * R);
      to_firm = static_cast<std::int16_t>(f);
      // Only stays whose 12-month mark is recorded count for retained_12m_after_stay.
      if (ctx.month >= 1 && ctx.month + stay_window <= model.months) {
        ++tally.at(cell, Tally::stays_eligible);
        const std::int64_t gap = c.last_stay[i] == no_stay ? stay_marks_bits : ctx.month - c.last_stay[i];
        const std::uint32_t shifted =
            gap >= stay_marks_bits ? 0u : (static_cast<std::uint32_t>(c.stay_marks[i]) << gap);
        c.stay_marks[i] = static_cast<std::uint16_t>((shifted | 1u) & stay_marks_mask);
        c.last_stay[i] = static_cast<std::int16_t>(ctx.month);
      }
      break;
    }
    case Choice::follow:
      ++tally.at(cell, Tally::followed);
      ++tally.at(as_index(destination) * model.segments() + s, Tally::followers_gained);
      leave_firm(ctx, c, i, tally, cell);
      c.firm[i] = destination;
      c.attached_since[i] = static_cast<std::int16_t>(ctx.month);
      c.brand_loyalty[i] = static_cast<float>(seg.initial_brand_loyalty);
      to_firm = destination;
      break;
    case Choice::defect:
      ++tally.at(cell, Tally::defected);
      become_unattached(ctx, c, i, tally, cell, w[3]);
      break;
  }
  if (ctx.record_events && ctx.month >= 1) {
    tally.events.push_back({static_cast<std::int32_t>(ctx.month), static_cast<std::int32_t>(global_id(ctx, i)), rep,
                            static_cast<std::int16_t>(f), to_firm, destination, reps.barred[rep],
                            static_cast<std::uint8_t>(s), choice, static_cast<float>(B), static_cast<float>(R)});
  }
}

// 3. An attached customer without a rep gets one if its firm has any.
[[gnu::noinline]] void assign_rep(const PassContext& ctx, CustomerArrays& c, std::size_t i, const EarlyDraw& early) {
  const ActiveReps& active = ctx.state.after_hiring;
  const auto f = as_index(c.firm[i]);
  if (active.count(f) > 0) {
    const RandomWords w = draw(ctx, i, Purpose::assignment, early);
    c.rep[i] = active.ids[assignment_place(active, f, w)];
  }
}

// 5. Baseline churn, lowered by loyalty. Candidate events come at the
// zero-loyalty rate (a geometric wait, see geometric_wait); each is accepted
// with probability 1 - loyalty. This thinning gives exactly the monthly
// probability of docs/MODEL.md section 7.5 while drawing random numbers only
// at events.
[[gnu::noinline]] void churn_candidate(const PassContext& ctx, CustomerArrays& c, std::size_t i, Tally& tally,
                                       const EarlyDraw& early) {
  const Model& model = ctx.model;
  const std::size_t s = c.segment[i];
  const auto& seg = model.scenario.segments[s];
  const RandomWords w = draw(ctx, i, Purpose::monthly, early);
  const double weights = seg.brand_weight + seg.rep_weight;
  const double loyalty =
      weights > 0.0 ? (seg.brand_weight * c.brand_loyalty[i] + seg.rep_weight * c.rep_loyalty[i]) / weights : 0.0;
  if (uniform01(w[0]) < 1.0 - loyalty) {
    const std::size_t cell = as_index(c.firm[i]) * model.segments() + s;
    ++tally.at(cell, Tally::churned);
    become_unattached(ctx, c, i, tally, cell, w[3]);
  } else {
    c.next_event[i] = event_step(ctx.step, ctx.churn_wait[s](w[3]), model.steps);
  }
}

// 6. An acquisition trial of a customer unattached since before this month
// (a geometric wait at acquisition_rate). A firm in proportion to its active
// reps, then a uniform rep of it: a uniform draw over all active reps. While
// no firm has a rep, nobody is won.
[[gnu::noinline]] void acquisition_trial(const PassContext& ctx, CustomerArrays& c, std::size_t i, Tally& tally,
                                         const EarlyDraw& early) {
  const Model& model = ctx.model;
  const ActiveReps& active = ctx.state.after_hiring;
  const std::size_t s = c.segment[i];
  const auto& seg = model.scenario.segments[s];
  const RandomWords w = draw(ctx, i, Purpose::monthly, early);
  if (active.total() > 0) {
    const std::int32_t rep = active.ids[acquisition_place(active, w)];
    c.firm[i] = ctx.state.reps.firm[rep];
    c.rep[i] = rep;
    c.brand_loyalty[i] = static_cast<float>(seg.initial_brand_loyalty);
    c.rep_loyalty[i] = static_cast<float>(seg.initial_rep_loyalty);
    c.attached_since[i] = static_cast<std::int16_t>(ctx.month);
    ++tally.at(as_index(c.firm[i]) * model.segments() + s, Tally::acquired);
    c.next_event[i] = event_step(ctx.step, ctx.churn_wait[s](w[3]), model.steps);
  } else {
    c.next_event[i] = event_step(ctx.step, ctx.acquisition_wait(w[3]), model.steps);
  }
}

// 7. End-of-month stocks, needed only for recorded months. Loyalties are in
// [0, 1], so adding 0.5 and truncating rounds to nearest.
inline void add_stocks(Tally& tally, std::size_t cell, float brand_loyalty, float rep_loyalty) {
  std::int64_t* v = &tally.values[cell * Tally::field_count];
  ++v[Tally::customers];
  v[Tally::brand_sum] += static_cast<std::int64_t>(brand_loyalty * loyalty_fixed_point + 0.5);
  v[Tally::rep_sum] += static_cast<std::int64_t>(rep_loyalty * loyalty_fixed_point + 0.5);
}

// Steps 2-7 for one customer, in full: the path of a customer with an
// event this month (churn or acquisition candidate), without a rep, or
// whose rep left a firm this month. Every other customer takes the
// vectorised loyalty_pass, which does exactly this function's step 4 and 7.
[[gnu::noinline]] void scalar_customer(const PassContext& ctx, CustomerArrays& c, std::size_t i, Tally& tally,
                                       const EarlyDraw& early) {
  const Model& model = ctx.model;
  const std::size_t segments = model.segments();
  const std::uint16_t step = static_cast<std::uint16_t>(ctx.step);
  const bool recorded = ctx.month >= 1;

  if (c.firm[i] == no_firm) {
    if (c.next_event[i] != step) return;
    acquisition_trial(ctx, c, i, tally, early);
    if (recorded && c.firm[i] != no_firm)
      add_stocks(tally, as_index(c.firm[i]) * segments + c.segment[i], c.brand_loyalty[i], c.rep_loyalty[i]);
    return;
  }

  // 2. Decision, if this customer's rep left the firm this month.
  std::int32_t rep = c.rep[i];
  if (rep != no_rep && test_bit(ctx.state.reps.left_this_month.data(), rep)) {
    if (ctx.state.reps.left_firm[rep] == c.firm[i]) decide(ctx, c, i, tally, early);
    if (c.firm[i] == no_firm) return;  // defected
    rep = c.rep[i];
  }
  if (rep == no_rep) {
    assign_rep(ctx, c, i, early);
    rep = c.rep[i];
  }

  // 4. Loyalty growth and decay (R on the right of a_b is last month's).
  const std::size_t cell = as_index(c.firm[i]) * segments + c.segment[i];
  const CellConstants& k = model.cells[cell];
  const double R = c.rep_loyalty[i];
  const double B = c.brand_loyalty[i];
  // The skill from the pass's gain table where it holds it (the same
  // float, and likely in cache: the pass gathered it for this customer, and
  // stage 2 asked for a drawn rep's); a rep who left a firm this month (a
  // follower's) is -1 there.
  const float gain = ctx.tables.rep_gain[rep + 1];
  const double skill = rep == no_rep ? 0.0 : gain >= 0.0f ? gain : ctx.state.reps.skill[rep];
  c.rep_loyalty[i] = grown_loyalty(R, capped_growth(k.rep_growth * skill), k.rep_decay);
  c.brand_loyalty[i] =
      grown_loyalty(B, capped_growth(k.base_brand_growth + k.relationship_transfer * R), k.brand_decay);

  if (c.next_event[i] == step) {
    churn_candidate(ctx, c, i, tally, early);
    if (c.firm[i] == no_firm) return;
  }
  if (recorded) add_stocks(tally, cell, c.brand_loyalty[i], c.rep_loyalty[i]);
}

// End-of-month stocks of the fast customers, summed per cell in a worker's
// scratch before they reach the tally (loyalty_pass adds them): two words
// per cell, the first packing the count (bits 40 and up) with the brand
// sum (the low 40 bits, signed), the second the rep sum. Integers, so
// exact in any order. At most stock_flush_customers customers between
// flushes keep the packed brand sum within 40 bits: |sum| <= 2^24 * 2^14.
constexpr std::size_t stock_flush_customers = std::size_t{1} << 14;

void flush_stocks(Tally& tally, std::size_t cells) {
  std::int64_t* const acc = tally.stock_scratch.data();
  const std::size_t copy_stride = tally.stock_scratch.size() / stock_scratch_copies;
  for (std::size_t cell = 0; cell < cells; ++cell) {
    std::int64_t packed = 0, rep = 0;
    for (std::size_t copy = 0; copy < stock_scratch_copies; ++copy) {
      packed += acc[copy * copy_stride + 2 * cell];
      rep += acc[copy * copy_stride + 2 * cell + 1];
    }
    // Sign-extends the low 40 bits (arithmetic shifts, defined in C++20).
    const std::int64_t brand = static_cast<std::int64_t>(static_cast<std::uint64_t>(packed) << 24) >> 24;
    std::int64_t* v = &tally.values[cell * Tally::field_count];
    v[Tally::customers] += (packed - brand) >> 40;
    v[Tally::brand_sum] += brand;
    v[Tally::rep_sum] += rep;
  }
  std::fill(tally.stock_scratch.begin(), tally.stock_scratch.end(), 0);
}

// The rare-event customers are visited two blocks behind the loyalty
// pass, so that what they read far in memory has arrived by then: the
// columns only they touch (a cache miss each, the customers being far
// apart), the rep rows, and the reps their draws this month pick (the rep
// tables do not stay in cache while the pass streams the customers). The
// prefetches change no value; they only let the misses overlap.
//
// Stage 1, when the pass finds the customer: its first draw of the month
// (early_purpose, draw_batch, drawn_entry), then what its visit will read
// far in memory (prefetch_for_visit).
//
// Customer i's first draw of the month is made early (EarlyDraw), for
// the purpose of its visit's first draw (early_purpose): an acquisition
// trial (an unattached customer is visited only in the month of its
// trial), a decision (a customer whose rep left this month: rep_gain -1),
// an assignment (no rep), or else a churn candidate (an attached customer
// with a rep is visited only then). The blocks of a block's customers are
// drawn together (draw_batch). The visit uses the words only for the
// purpose they were drawn for (draw), so a wrong guess costs a Philox
// block, never a different result.
Purpose early_purpose(const PassContext& ctx, const CustomerArrays& c, std::size_t i) {
  const std::int32_t rep = c.rep[i];
  if (c.firm[i] == no_firm || (rep != no_rep && ctx.tables.rep_gain[rep + 1] >= 0.0f)) return Purpose::monthly;
  return rep != no_rep ? Purpose::decision : Purpose::assignment;
}

// The entry of an active-rep list that customer i's early words pick, if
// they pick a rep (a decision's if it is a stay), through the same places
// (acquisition_place, stay_place, assignment_place) as acquisition_trial,
// decide and assign_rep; null if none.
const std::int32_t* drawn_entry(const PassContext& ctx, const CustomerArrays& c, std::size_t i,
                                const EarlyDraw& early) {
  const std::int16_t firm = c.firm[i];
  if (firm == no_firm) {
    const ActiveReps& active = ctx.state.after_hiring;
    return active.total() > 0 ? &active.ids[acquisition_place(active, early.words)] : nullptr;
  }
  if (early.purpose == Purpose::monthly) return nullptr;  // a churn candidate picks no rep
  const std::size_t f = as_index(firm);
  const ActiveReps& active = early.purpose == Purpose::decision ? ctx.state.before_hiring : ctx.state.after_hiring;
  if (active.count(f) == 0) return nullptr;
  return &active.ids[early.purpose == Purpose::decision ? stay_place(active, f, early.words)
                                                        : assignment_place(active, f, early.words)];
}

// The columns only the rare path touches, one line each (the customers it
// visits are far apart): the spell's start and the pending stays, read when
// a customer decides, leaves its firm (leave_firm) or is acquired.
[[gnu::always_inline]] inline void prefetch_cold_columns(const CustomerArrays& c, std::size_t i) {
  __builtin_prefetch(&c.attached_since[i]);
  __builtin_prefetch(&c.last_stay[i]);
  __builtin_prefetch(&c.stay_marks[i]);
}

// What the visit of customer i will read far in memory, asked for now:
// the cold columns, and a decision's rep's row (whether the rep can be
// followed, and its skill if followed; a churn candidate's skill is read
// from the gain table, which the pass has just gathered). Asking for the
// cold columns of every visit measured faster than asking only for the
// visits that will read them (churns guessed from the draw, acquisitions'
// spell start only), which was 10% slower at 5x10^6 customers, side by
// side on the two cores (docs/PERFORMANCE.md, "Fourth round"). (Inlined on
// purpose: GCC 12 takes a function made only of prefetches for a pure one
// and deletes its calls.)
[[gnu::always_inline]] inline void prefetch_for_visit(const PassContext& ctx, const CustomerArrays& c, std::size_t i,
                                                      const EarlyDraw& early) {
  prefetch_cold_columns(c, i);
  const std::int32_t rep = c.rep[i];
  if (rep == no_rep || early.purpose != Purpose::decision) return;
  const RepArrays& reps = ctx.state.reps;
  __builtin_prefetch(&reps.skill[rep]);
  __builtin_prefetch(&reps.left_firm[rep]);
  __builtin_prefetch(&reps.joined_firm[rep]);
  __builtin_prefetch(&reps.barred[rep]);
}

// Stage 2, a block later: the drawn rep's row (its entry has arrived).
[[gnu::always_inline]] inline void prefetch_drawn_rep(const PassContext& ctx, const std::int32_t* entry) {
  if (entry == nullptr) return;
  const std::int32_t rep = *entry;
  __builtin_prefetch(&ctx.tables.rep_gain[rep + 1]);
  __builtin_prefetch(&ctx.state.reps.firm[rep]);
}

// The rare-event customers one block of the pass found, on their way
// through the stages: each one's first draw of the month (its words and
// their purpose, EarlyDraw) and the active-rep list entry they pick, if
// any (prefetched in stage 1, read in stage 2). Stage 1 sets every entry
// up to count.
struct FoundCustomers {
  static constexpr std::size_t capacity = 512;  // a block
  std::size_t customer[capacity];
  RandomWords words[capacity];
  Purpose purpose[capacity];
  const std::int32_t* entry[capacity];
  std::size_t count = 0;
};

// Steps 2-7 for a range of customers, a block at a time: the vectorised
// loyalty pass over the block, the fast customers' stocks, then the few
// other customers through scalar_customer, two blocks late (the stages
// above). Each customer's month depends only on its own columns and on
// values fixed for the month, so the order of visits gives the same state
// and counts.
void customer_range(const PassContext& ctx, CustomerArrays& c, std::size_t begin, std::size_t end, Tally& tally) {
  constexpr std::size_t block = FoundCustomers::capacity;
  static_assert(block <= stock_flush_customers && stock_flush_customers % block == 0 && block % 8 == 0 &&
                block <= loyalty_pass_max_customers);
  const LoyaltyPassTables& t = ctx.tables;
  const std::size_t cells = static_cast<std::size_t>(t.cells);
  const bool recorded = ctx.month >= 1;
  std::uint16_t found_offsets[block];
  FoundCustomers found[3];  // block k's in found[k % 3]
  std::uint32_t ids[block];  // stage 1's draws: the customers' global ids
  const StockScratch stocks{tally.stock_scratch.data(), tally.stock_scratch.size() / stock_scratch_copies};
  std::size_t pending = 0;  // customers added to the scratch since its last flush
  const auto visit = [&](FoundCustomers& stage) {
    for (std::size_t x = 0; x < stage.count; ++x)
      scalar_customer(ctx, c, stage.customer[x], tally, EarlyDraw{stage.words[x], stage.purpose[x]});
    stage.count = 0;
  };

  std::size_t k = 0;  // the block's number in this range
  for (std::size_t first = begin; first < end; first += block, ++k) {
    const std::size_t n = std::min(block, end - first);
    // The fast customers' stocks are summed in recorded months only.
    const std::size_t found_count =
        loyalty_pass(t, &c.segment[first], &c.firm[first], &c.rep[first], &c.next_event[first], &c.brand_loyalty[first],
                     &c.rep_loyalty[first], recorded ? &stocks : nullptr, found_offsets, n);
    if (recorded) pending += n;
    // Stage 1: the others.
    FoundCustomers& now = found[k % 3];
    now.count = found_count;
    for (std::size_t x = 0; x < found_count; ++x) now.customer[x] = first + found_offsets[x];
    for (std::size_t x = 0; x < now.count; ++x) {
      ids[x] = global_id(ctx, now.customer[x]);
      now.purpose[x] = early_purpose(ctx, c, now.customer[x]);
    }
    draw_batch(ctx.random, ctx.step, ids, now.purpose, now.words, now.count);
    for (std::size_t x = 0; x < now.count; ++x) {
      const EarlyDraw early{now.words[x], now.purpose[x]};
      now.entry[x] = drawn_entry(ctx, c, now.customer[x], early);
      prefetch_for_visit(ctx, c, now.customer[x], early);
      if (now.entry[x] != nullptr) __builtin_prefetch(now.entry[x]);
    }
    // Stage 2: block k - 1's drawn reps.
    if (k >= 1) {
      const FoundCustomers& before = found[(k - 1) % 3];
      for (std::size_t x = 0; x < before.count; ++x) prefetch_drawn_rep(ctx, before.entry[x]);
    }
    // Stage 3: block k - 2's customers.
    if (k >= 2) visit(found[(k - 2) % 3]);
    if (pending == stock_flush_customers) {
      flush_stocks(tally, cells);
      pending = 0;
    }
  }
  if (k >= 2) visit(found[(k - 2) % 3]);
  if (k >= 1) visit(found[(k - 1) % 3]);
  if (pending > 0) flush_stocks(tally, cells);
}

// This month's per-rep table of the loyalty pass: each rep's skill, or -1
// (the scalar path) for the reps who left a firm this month and for no_rep.
void build_rep_gain(State& state) {
  const RepArrays& reps = state.reps;
  float* const gain = state.rep_gain.data();
  gain[0] = -1.0f;
  const std::size_t used = static_cast<std::size_t>(reps.used);
  std::copy(reps.skill.begin(), reps.skill.begin() + static_cast<std::ptrdiff_t>(used), gain + 1);
  for (std::size_t word = 0; word < reps.left_this_month.size(); ++word)
    for (std::uint64_t bits = reps.left_this_month[word]; bits != 0; bits &= bits - 1)
      gain[word * 64 + static_cast<std::size_t>(std::countr_zero(bits)) + 1] = -1.0f;
}

// Sums the per-thread tallies in a fixed way: integer addition, so the
// order threads come in does not matter. Events are sorted by customer.
void merge_tallies(State& state) {
  Tally& total = state.month_total;
  std::fill(total.values.begin(), total.values.end(), 0);
  total.events.clear();
  for (Tally& t : state.tallies) {
    for (std::size_t k = 0; k < total.values.size(); ++k) total.values[k] += t.values[k];
    std::fill(t.values.begin(), t.values.end(), 0);
    total.events.insert(total.events.end(), t.events.begin(), t.events.end());
    t.events.clear();
  }
  std::sort(total.events.begin(), total.events.end(),
            [](const DecisionEvent& a, const DecisionEvent& b) { return a.customer < b.customer; });
}

// A month with a departure from firm f is an anchor of f's book DiD if it
// is recorded and its 12 months after are too.
void record_anchors(const Model& model, State& state) {
  const std::int64_t month = model.month_of_step(state.step);
  if (month < 1) return;
  const bool in_range = month + did_window <= model.months;
  for (std::size_t f = 0; f < model.firms(); ++f) {
    const std::size_t at = f * static_cast<std::size_t>(model.months + 1) + static_cast<std::size_t>(month);
    const bool anchor = in_range && state.departures[f] > 0;
    state.anchor_count[at] = state.anchor_count[at - 1] + (anchor ? 1 : 0);
    state.anchor_sum[at] = state.anchor_sum[at - 1] + (anchor ? month : 0);
  }
}

}  // namespace

AnchorPrefix anchors_of(const Model& model, const State& state, std::size_t firm) {
  const std::size_t at = firm * static_cast<std::size_t>(model.months + 1);
  return {state.anchor_count.data() + at, state.anchor_sum.data() + at, model.months};
}

void step(const Model& model, State& state) {
  std::copy(state.active_count.begin(), state.active_count.end(), state.reps_at_start.begin());
  depart_reps(model, state);
  record_anchors(model, state);
  hire_reps(model, state);

  build_rep_gain(state);
  const LoyaltyPassTables tables{state.rep_gain.data(),
                                 state.cell_base_brand_growth.data(),
                                 state.cell_relationship_transfer.data(),
                                 state.cell_rep_growth.data(),
                                 state.cell_rep_decay.data(),
                                 state.cell_brand_decay.data(),
                                 static_cast<std::int32_t>(model.segments()),
                                 static_cast<std::int32_t>(model.cells.size()),
                                 static_cast<std::uint16_t>(state.step),
                                 state.uniform_segment_rates,
                                 state.rep_gain.size() * sizeof(float) > prefetch_above_bytes,
                                 customer_bytes_held(state.customers) > prefetch_above_bytes};
  std::vector<GeometricWait> churn_wait;
  for (std::size_t s = 0; s < model.segments(); ++s) churn_wait.emplace_back(model.churn_probability[s]);
  const PassContext ctx{model,
                        state,
                        RandomSource(model.run_seed),
                        static_cast<std::uint32_t>(state.step),
                        model.month_of_step(state.step),
                        state.record_events,
                        static_cast<std::uint32_t>(state.partition.slice.first),
                        tables,
                        churn_wait.data(),
                        GeometricWait(model.scenario.market.acquisition_rate)};
  CustomerArrays& customers = state.customers;
  for_each_range(customers.size(), 4096, [&](std::size_t begin, std::size_t end) {
    customer_range(ctx, customers, begin, end, state.tallies.local());
  });
  merge_tallies(state);
  release_departed_slots(state);
  ++state.step;
}

}  // namespace loyalsim
