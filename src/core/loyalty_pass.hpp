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
  std::int32_t cells;  // firms * segments
  std::uint16_t step;  // this month's step, compared with next_event
  // Whether rep_growth, rep_decay and brand_decay (segment parameters) are
  // each the same in every cell, as when the segments leave them at their
  // defaults: the pass then reads them once instead of per customer.
  bool uniform_segment_rates;
  // Whether rep_gain is too large to stay in the nearer caches while the
  // customers stream through (many reps), so that the pass asks for the
  // gains it will gather ahead of time; with few reps the asking costs
  // more than it saves. It changes no value.
  bool prefetch_gains;
  // Whether the customers' columns are too large to stay in the nearer
  // caches from one month to the next, so that the pass asks for them
  // ahead of time; a small run's stay in cache. It changes no value.
  bool prefetch_columns;
};

// The size of rep_gain, and of the customers' columns,
// above which loyalty_pass prefetches them (a quarter of a typical per-core
// L2 cache).
inline constexpr std::size_t prefetch_above_bytes = std::size_t{256} << 10;

// Where a customer's stocks go in a worker's per-cell scratch
// (core/step.cpp): two words per cell, at 2 * cell for a fast customer;
// every other customer adds to the spare pair after the cells.
inline std::int32_t spare_slot(const LoyaltyPassTables& t) { return 2 * t.cells; }

// The two words a fast customer adds to its cell's pair: the first packs a
// count of one (bit 40) with the brand stock, the second is the rep stock.
inline constexpr std::int64_t stock_count_unit = std::int64_t{1} << 40;

// A worker's per-cell stock sums, the end-of-month stocks of the fast
// customers (docs/MODEL.md section 7.7) that loyalty_pass adds: in
// stock_scratch_copies copies (2 words per cell and a spare pair each,
// copy_stride words apart) that neighbouring customers add to in turn, so
// that a customer's add need not wait for its neighbour's to the same
// cell. Integers, so the sum is exact in any order; core/step.cpp reads
// them (flush_stocks) before the packed brand sums can pass 40 bits.
inline constexpr std::size_t stock_scratch_copies = 4;
struct StockScratch {
  std::int64_t* words;
  std::size_t copy_stride;
};

// One month of a loyalty's growth and decay (docs/MODEL.md section 7.4):
// the growth rate capped at 1, then the update. The vector pass and the
// scalar path (step.cpp) both call these, so they compute the same bits.
inline double capped_growth(double rate) { return rate < 1.0 ? rate : 1.0; }
inline float grown_loyalty(double loyalty, double growth, double decay) {
  return static_cast<float>(loyalty + growth * (1.0 - loyalty) - decay * loyalty);
}

// `replacement` if `replace`, else `old`, as a bitwise select. The
// compiler's builtin rather than std::bit_cast: emscripten 3.1.6's libc++
// (the WebAssembly page's build) has no std::bit_cast.
inline float keep_or_replace(float old, float replacement, bool replace) {
  const std::uint32_t take = replace ? ~0u : 0u;
  return __builtin_bit_cast(float, (__builtin_bit_cast(std::uint32_t, replacement) & take) |
                                       (__builtin_bit_cast(std::uint32_t, old) & ~take));
}

// Over customers [0, n) of the given columns: updates B and R of the fast
// customers and leaves the others' untouched; writes for each customer its
// stock slot and the two words it adds there, side by side in stock_words
// (2 per customer, so that one 16-byte add does both; fixed point, 2^24
// units, rounded to nearest as the scalar path does: loyalties are in [0, 1]),
// and whether it needs the scalar path (1) or not (0). `Uniform` must equal
// t.uniform_segment_rates (loyalty_pass below chooses).
template <bool Uniform>
[[gnu::always_inline]] inline void loyalty_pass_of(
    const LoyaltyPassTables& t, const std::uint8_t* __restrict segment, const std::int16_t* __restrict firm,
    const std::int32_t* __restrict rep, const std::uint16_t* __restrict next_event, float* __restrict brand_loyalty,
    float* __restrict rep_loyalty, std::int32_t* __restrict slot, std::int64_t* __restrict stock_words,
    std::uint8_t* __restrict scalar, std::size_t n) {
  const float* __restrict gain = t.rep_gain;
  const double* __restrict base = t.base_brand_growth;
  const double* __restrict transfer = t.relationship_transfer;
  const double* __restrict growth = t.rep_growth;
  const double* __restrict rep_decay = t.rep_decay;
  const double* __restrict brand_decay = t.brand_decay;
  const double growth_0 = growth[0], rep_decay_0 = rep_decay[0], brand_decay_0 = brand_decay[0];
  const std::int32_t spare = spare_slot(t);
  for (std::size_t j = 0; j < n; ++j) {
    const std::int32_t f = firm[j];
    const float g = gain[rep[j] + 1];
    const bool attached = f >= 0;
    const bool event = next_event[j] == t.step;
    const bool usable = g >= 0.0f;
    const bool fast = attached & !event & usable;
    const bool needs_scalar = event | (attached & !usable);
    const std::int32_t cell = (attached ? f : 0) * t.segments + segment[j];

    // docs/MODEL.md section 7.4 (R in the brand's growth is last month's),
    // through the same two functions as the scalar path.
    const double R = rep_loyalty[j];
    const double B = brand_loyalty[j];
    const double g_r = Uniform ? growth_0 : growth[cell];
    const double d_r = Uniform ? rep_decay_0 : rep_decay[cell];
    const double d_b = Uniform ? brand_decay_0 : brand_decay[cell];
    const float new_R = grown_loyalty(R, capped_growth(g_r * static_cast<double>(g)), d_r);
    const float new_B = grown_loyalty(B, capped_growth(base[cell] + transfer[cell] * R), d_b);
    // The others keep their values (a loyalty, so the conversion below is
    // in range whatever the discarded update gave). A select of the bits:
    // GCC turns a select of floats into a branch, which stops vectorisation.
    const float out_R = keep_or_replace(rep_loyalty[j], new_R, fast);
    const float out_B = keep_or_replace(brand_loyalty[j], new_B, fast);
    rep_loyalty[j] = out_R;
    brand_loyalty[j] = out_B;
    slot[j] = fast ? 2 * cell : spare;
    const std::int32_t brand_fixed = static_cast<std::int32_t>(static_cast<double>(out_B) * 16777216.0 + 0.5);
    const std::int32_t rep_fixed = static_cast<std::int32_t>(static_cast<double>(out_R) * 16777216.0 + 0.5);
    stock_words[2 * j] = stock_count_unit + brand_fixed;
    stock_words[2 * j + 1] = rep_fixed;
    scalar[j] = needs_scalar ? 1 : 0;
  }
}

// The most customers one call of loyalty_pass takes (its list holds 16-bit
// offsets).
inline constexpr std::size_t loyalty_pass_max_customers = 4096;

// loyalty_pass_of for t.uniform_segment_rates over customers [0, n), in the
// best instruction set the running processor has (core/loyalty_pass.cpp):
// the AVX-512 pass (core/loyalty_pass_avx512.hpp) for runs of at most 16
// cells, sixteen customers at a time, and the portable loop for the rest,
// compiled once per instruction set and chosen once at load time. Every
// version gives the same bits. Instead of its per-customer outputs:
// - the fast customers' stocks are added to `stocks` (none if null, as in
//   the months not recorded);
// - the customers that need the scalar path are listed: their offsets,
//   ascending, in found[0, k) (found has room for n entries); returns k.
// n <= loyalty_pass_max_customers.
std::size_t loyalty_pass(const LoyaltyPassTables& t, const std::uint8_t* segment, const std::int16_t* firm,
                         const std::int32_t* rep, const std::uint16_t* next_event, float* brand_loyalty,
                         float* rep_loyalty, const StockScratch* stocks, std::uint16_t* found, std::size_t n);

}  // namespace loyalsim
