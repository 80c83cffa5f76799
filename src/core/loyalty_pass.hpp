// The common case of the month step as one branch-free loop over contiguous
// customers (docs/PERFORMANCE.md, "The month step"): the loyalty update of
// docs/MODEL.md section 7.4 for every attached customer with no event this
// month, and a tag per customer saying what the rest of the pass does with
// it. The loop has no calls and no branches, so the compiler vectorises it
// (gathers of the per-rep and per-cell values); the arithmetic is the scalar
// update's, operation for operation, in double precision, so every build
// (vectorised or not, any instruction set) gives the same bits.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace loyalsim {

// Values the pass reads but does not write, rebuilt once a month.
struct LoyaltyPassTables {
  // Per rep slot r at r + 1 (so no_rep = -1 reads entry 0): the rep's skill,
  // or -1 where the customer needs the full, scalar path this month (no
  // rep, or a rep who left a firm this month).
  const float* rep_gain;
  // Per (firm, segment) cell, firm-major (Model::cells as columns).
  const double* base_brand_growth;
  const double* relationship_transfer;
  const double* rep_growth;
  const double* rep_decay;
  const double* brand_decay;
  std::int32_t segments;
  std::int32_t cells;        // firms * segments
  std::uint16_t step;        // this month's step, compared with next_event
};

// The tag of a customer: its cell if the pass updated it (fast), else one
// of these two (never a cell).
inline std::int32_t idle_tag(const LoyaltyPassTables& t) { return t.cells; }     // unattached, no event
inline std::int32_t slow_tag(const LoyaltyPassTables& t) { return t.cells + 1; }  // needs the scalar path

// `replacement` if `replace`, else `old`, as a bitwise select.
inline float keep_or_replace(float old, float replacement, bool replace) {
  const std::uint32_t take = replace ? ~0u : 0u;
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(replacement) & take) |
                              (std::bit_cast<std::uint32_t>(old) & ~take));
}

// Over customers [0, n) of the given columns: updates B and R of the fast
// customers, leaves the others' untouched, and writes each one's tag and,
// for fast ones, the fixed-point stocks of its new loyalties (2^24 units,
// rounded to nearest as the scalar path does: loyalties are in [0, 1]).
inline void loyalty_pass(const LoyaltyPassTables& t, const std::uint8_t* __restrict segment,
                         const std::int16_t* __restrict firm, const std::int32_t* __restrict rep,
                         const std::uint16_t* __restrict next_event, float* __restrict brand_loyalty,
                         float* __restrict rep_loyalty, std::int32_t* __restrict tag,
                         std::int32_t* __restrict brand_fixed, std::int32_t* __restrict rep_fixed, std::size_t n) {
  const float* __restrict gain = t.rep_gain;
  const double* __restrict base = t.base_brand_growth;
  const double* __restrict transfer = t.relationship_transfer;
  const double* __restrict growth = t.rep_growth;
  const double* __restrict rep_decay = t.rep_decay;
  const double* __restrict brand_decay = t.brand_decay;
  const std::int32_t idle = idle_tag(t), slow = slow_tag(t);
  for (std::size_t j = 0; j < n; ++j) {
    const std::int32_t f = firm[j];
    const float g = gain[rep[j] + 1];
    const bool attached = f >= 0;
    const bool event = next_event[j] == t.step;
    const bool usable = g >= 0.0f;
    const bool fast = attached & !event & usable;
    const bool needs_scalar = event | (attached & !usable);
    const std::int32_t cell = (attached ? f : 0) * t.segments + segment[j];

    // docs/MODEL.md section 7.4 (R on the right of a_b is last month's),
    // exactly as the scalar path writes it.
    const double R = rep_loyalty[j];
    const double B = brand_loyalty[j];
    const double x_r = growth[cell] * static_cast<double>(g);
    const double a_r = x_r < 1.0 ? x_r : 1.0;
    const double x_b = base[cell] + transfer[cell] * R;
    const double a_b = x_b < 1.0 ? x_b : 1.0;
    const float new_R = static_cast<float>(R + a_r * (1.0 - R) - rep_decay[cell] * R);
    const float new_B = static_cast<float>(B + a_b * (1.0 - B) - brand_decay[cell] * B);
    // The others keep their values (a loyalty, so the conversion below is
    // in range whatever the discarded update gave). A select of the bits:
    // GCC turns a select of floats into a branch, which stops vectorisation.
    const float out_R = keep_or_replace(rep_loyalty[j], new_R, fast);
    const float out_B = keep_or_replace(brand_loyalty[j], new_B, fast);
    rep_loyalty[j] = out_R;
    brand_loyalty[j] = out_B;
    tag[j] = fast ? cell : (needs_scalar ? slow : idle);
    brand_fixed[j] = static_cast<std::int32_t>(static_cast<double>(out_B) * 16777216.0 + 0.5);
    rep_fixed[j] = static_cast<std::int32_t>(static_cast<double>(out_R) * 16777216.0 + 0.5);
  }
}

}  // namespace loyalsim
