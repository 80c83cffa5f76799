// The loyalty pass written for AVX-512 (docs/PERFORMANCE.md, "The AVX-512
// pass"): the loop of loyalty_pass_of, sixteen customers at a time, with the
// two things no compiler makes of the portable loop. The rep's gain is one
// hardware gather of sixteen floats, and the per-cell constants come from
// registers (a permute of a table of up to sixteen cells) instead of a load
// per customer. The arithmetic is the portable loop's, operation for
// operation and in the same order, in double precision without fused
// multiply-adds (-ffp-contract=off), so every lane computes the bits the
// scalar update computes; tests/core/test_loyalty_pass.cpp compares the two.
#include "core/loyalty_pass_avx512.hpp"

#if LOYALSIM_HAVE_AVX512_PASS

#include <immintrin.h>

#include <bit>
#include <cstdint>

// GCC 12's AVX-512 headers trip its own -Wmaybe-uninitialized (GCC bug
// 105593, fixed in 13): the "uninitialised" value is the undefined
// pass-through operand of an unmasked intrinsic.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LOYALSIM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

namespace loyalsim {
namespace {

// Up to sixteen doubles per (firm, segment) cell, held in two registers.
struct CellTable {
  __m512d low, high;
};

LOYALSIM_AVX512 CellTable load_cells(const double* values, std::int32_t cells) {
  const __mmask8 low_mask = static_cast<__mmask8>(cells >= 8 ? 0xff : (1u << cells) - 1u);
  const __mmask8 high_mask = static_cast<__mmask8>(cells >= 16 ? 0xff : cells > 8 ? (1u << (cells - 8)) - 1u : 0u);
  return {_mm512_maskz_loadu_pd(low_mask, values), _mm512_maskz_loadu_pd(high_mask, values + 8)};
}

// The values of eight cells (indices 0..15 in `cell`, 64-bit lanes).
LOYALSIM_AVX512 inline __m512d of_cells(const CellTable& table, __m512i cell) {
  return _mm512_permutex2var_pd(table.low, cell, table.high);
}

// One month of a loyalty's growth and decay for eight customers: the
// scalar grown_loyalty(loyalty, capped_growth(rate), decay) with the same
// operations in the same order (min(rate, 1) is rate < 1 ? rate : 1).
LOYALSIM_AVX512 inline __m256 grown(__m512d loyalty, __m512d rate, __m512d decay) {
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d growth = _mm512_min_pd(rate, one);
  const __m512d grown = _mm512_add_pd(loyalty, _mm512_mul_pd(growth, _mm512_sub_pd(one, loyalty)));
  return _mm512_cvtpd_ps(_mm512_sub_pd(grown, _mm512_mul_pd(decay, loyalty)));
}

// The fixed-point stocks of sixteen loyalties, (int)((double)loyalty * 2^24
// + 0.5) as the portable loop computes them, in single precision with the
// same result for loyalties in [0, 1] (the update keeps them there: every
// rate is in [0, 1] and each rounding is monotone): x = loyalty * 2^24 is
// exact in a float (a power-of-two scale), its integer part t and fraction
// x - t are exact too, and x + 0.5 truncates to t + 1 exactly when the
// fraction is at least 0.5 (-0 and a tiny negative x give 0 both ways).
// Half the work of going through doubles.
LOYALSIM_AVX512 inline __m512i fixed_point(__m512 loyalty) {
  const __m512 x = _mm512_mul_ps(loyalty, _mm512_set1_ps(16777216.0f));
  const __m512i t = _mm512_cvttps_epi32(x);
  const __m512 fraction = _mm512_sub_ps(x, _mm512_cvtepi32_ps(t));
  const __mmask16 round_up = _mm512_cmp_ps_mask(fraction, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
  return _mm512_mask_add_epi32(t, round_up, t, _mm512_set1_epi32(1));
}

// table[index] in each of sixteen lanes. (Unoptimised, GCC expands the
// intrinsic as a macro whose all-lanes mask converts to a signed type.)
LOYALSIM_AVX512 inline __m512 gather(const float* table, __m512i index) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
  return _mm512_i32gather_ps(index, table, 4);
#pragma GCC diagnostic pop
}

// How many customers ahead the pass prefetches its columns.
constexpr std::size_t prefetch_ahead = 1024;
// How many customers ahead it prefetches the rep gains they will gather.
constexpr std::size_t gain_ahead = 64;

// Asks for column[j + prefetch_ahead]'s line. The address is computed as an
// integer: it may lie past the column's end, where a pointer may not point
// (a prefetch of any address is harmless).
template <class T>
inline void prefetch_ahead_of(const T* column, std::size_t j) {
  const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(column) + (j + prefetch_ahead) * sizeof(T);
  _mm_prefetch(reinterpret_cast<const char*>(at), _MM_HINT_T0);
}

// What the pass does with the fast customers' stocks: nothing (a month not
// recorded), per-customer words for the caller to add, or per-cell sums in
// registers for runs of at most 4 or 8 cells (StockSums::cells_4, cells_8).
enum class StockSums : int { none = -1, words = 0, cells_4 = 4, cells_8 = 8 };

// Per-cell sums of the fixed-point stocks in registers: lane l of cell c's
// brand and rep registers sums the stocks of the fast customers of cell c
// in lane l, and counts[c] how many there were. A lane adds at most 2^24
// per iteration, so the registers are emptied into the scratch's first
// copy every 64 iterations, before a lane can pass 2^30.
template <std::size_t Cells>
struct CellSums {
  static constexpr std::size_t flush_every = 64;
  __m512i brand[Cells];
  __m512i rep[Cells];
  std::int64_t counts[Cells];
};

template <std::size_t Cells>
LOYALSIM_AVX512 inline void clear(CellSums<Cells>& sums) {
#pragma GCC unroll 8
  for (std::size_t c = 0; c < Cells; ++c) {
    sums.brand[c] = _mm512_setzero_si512();
    sums.rep[c] = _mm512_setzero_si512();
    sums.counts[c] = 0;
  }
}

template <std::size_t Cells>
LOYALSIM_AVX512 inline void add(CellSums<Cells>& sums, __m512i cell, __mmask16 fast, __m512i brand_fixed,
                                __m512i rep_fixed) {
#pragma GCC unroll 8
  for (std::size_t c = 0; c < Cells; ++c) {
    const __mmask16 in_cell = _mm512_mask_cmpeq_epi32_mask(fast, cell, _mm512_set1_epi32(static_cast<std::int32_t>(c)));
    sums.brand[c] = _mm512_mask_add_epi32(sums.brand[c], in_cell, sums.brand[c], brand_fixed);
    sums.rep[c] = _mm512_mask_add_epi32(sums.rep[c], in_cell, sums.rep[c], rep_fixed);
    sums.counts[c] += std::popcount(static_cast<unsigned>(in_cell));
  }
}

// The sixteen lanes' total, in 64 bits (lanes up to 2^30 each).
LOYALSIM_AVX512 inline std::int64_t total(__m512i lanes) {
  return _mm512_reduce_add_epi64(_mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(lanes)),
                                                  _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(lanes, 1))));
}

// Adds the sums of the run's cells to the scratch's first copy, packed as
// the words are (count at bit 40 with the brand sum; the rep sum), and
// clears them.
template <std::size_t Cells>
LOYALSIM_AVX512 inline void empty_into(CellSums<Cells>& sums, std::int32_t cells, std::int64_t* scratch) {
  for (std::size_t c = 0; c < Cells && c < static_cast<std::size_t>(cells); ++c) {
    scratch[2 * c] += sums.counts[c] * stock_count_unit + total(sums.brand[c]);
    scratch[2 * c + 1] += total(sums.rep[c]);
  }
  clear(sums);
}

template <bool Uniform, StockSums Stocks>
LOYALSIM_AVX512 std::size_t pass_of(const LoyaltyPassTables& t, const std::uint8_t* segment, const std::int16_t* firm,
                                    const std::int32_t* rep, const std::uint16_t* next_event, float* brand_loyalty,
                                    float* rep_loyalty, std::int32_t* slot, std::int64_t* stock_words,
                                    std::int64_t* scratch, std::uint16_t* found, std::size_t* count, std::size_t n) {
  constexpr std::size_t sum_cells = Stocks == StockSums::cells_4 ? 4 : 8;
  constexpr bool in_registers = Stocks == StockSums::cells_4 || Stocks == StockSums::cells_8;
  CellSums<sum_cells> sums;
  if constexpr (in_registers) clear(sums);
  const CellTable base = load_cells(t.base_brand_growth, t.cells);
  const CellTable transfer = load_cells(t.relationship_transfer, t.cells);
  const CellTable growth = load_cells(t.rep_growth, t.cells);
  const CellTable rep_decay = load_cells(t.rep_decay, t.cells);
  const CellTable brand_decay = load_cells(t.brand_decay, t.cells);
  // The same in every cell (t.uniform_segment_rates): cell 0's, in every lane.
  const __m512d growth_0 = _mm512_set1_pd(t.rep_growth[0]);
  const __m512d rep_decay_0 = _mm512_set1_pd(t.rep_decay[0]);
  const __m512d brand_decay_0 = _mm512_set1_pd(t.brand_decay[0]);
  const __m512i segments = _mm512_set1_epi32(t.segments);
  const __m512i step = _mm512_set1_epi32(t.step);
  const __m512i spare = _mm512_set1_epi32(spare_slot(t));
  const __m512i count_unit = _mm512_set1_epi64(stock_count_unit);
  const __m512i offsets = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  std::size_t listed = *count;
  // Interleave eight brand words (0-7) with eight rep words (8-15).
  const __m512i first_four = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
  const __m512i last_four = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);

  std::size_t j = 0;
  for (; j + 16 <= n; j += 16) {
    // The columns stream from memory; the hardware prefetchers lose them
    // at every page boundary and between the blocks the month step hands
    // in, so ask for them ahead (past the end too: a prefetch never faults).
    if (t.prefetch_columns) {
      prefetch_ahead_of(rep, j);
      prefetch_ahead_of(rep_loyalty, j);
      prefetch_ahead_of(brand_loyalty, j);
      prefetch_ahead_of(firm, j);
      prefetch_ahead_of(next_event, j);
      prefetch_ahead_of(segment, j);
    }
    const __m512i f = _mm512_cvtepi16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(firm + j)));
    const __m512i s = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(segment + j)));
    const __m512i e = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(next_event + j)));
    // The gains a few iterations ahead: a gather waits for the slowest of
    // its sixteen loads, and the table (4 bytes per rep) is often out of
    // the nearer caches while the pass streams the customers.
    if (t.prefetch_gains && j + gain_ahead + 16 <= n) {
      alignas(64) std::int32_t ahead[16];
      _mm512_store_si512(ahead, _mm512_loadu_si512(rep + j + gain_ahead));
      for (const std::int32_t r_ahead : ahead)
        _mm_prefetch(reinterpret_cast<const char*>(t.rep_gain + r_ahead + 1), _MM_HINT_T0);
    }
    const __m512i r = _mm512_add_epi32(_mm512_loadu_si512(rep + j), _mm512_set1_epi32(1));
    const __m512 g = gather(t.rep_gain, r);
    const __m512 R = _mm512_loadu_ps(rep_loyalty + j);
    const __m512 B = _mm512_loadu_ps(brand_loyalty + j);

    const __mmask16 attached = _mm512_cmpge_epi32_mask(f, _mm512_setzero_si512());
    const __mmask16 event = _mm512_cmpeq_epi32_mask(e, step);
    const __mmask16 usable = _mm512_cmp_ps_mask(g, _mm512_setzero_ps(), _CMP_GE_OQ);
    const __mmask16 fast = static_cast<__mmask16>(attached & ~event & usable);
    const __mmask16 needs_scalar = static_cast<__mmask16>(event | (attached & ~usable));
    // f * segments in the low 16 bits of each lane (both below 2^15, the
    // product below 2^16 with at most 16 cells; the high halves are 0 x 0):
    // a 16-bit multiply is one instruction, a 32-bit one two.
    const __m512i cell = _mm512_add_epi32(_mm512_mullo_epi16(_mm512_maskz_mov_epi32(attached, f), segments), s);

    __m256 new_R[2], new_B[2];
    for (std::size_t half = 0; half < 2; ++half) {
      const __m512i c = _mm512_cvtepi32_epi64(half == 0 ? _mm512_castsi512_si256(cell)
                                                        : _mm512_extracti64x4_epi64(cell, 1));
      const __m256 R8 = half == 0 ? _mm512_castps512_ps256(R) : _mm512_extractf32x8_ps(R, 1);
      const __m256 B8 = half == 0 ? _mm512_castps512_ps256(B) : _mm512_extractf32x8_ps(B, 1);
      const __m256 g8 = half == 0 ? _mm512_castps512_ps256(g) : _mm512_extractf32x8_ps(g, 1);
      const __m512d Rd = _mm512_cvtps_pd(R8);
      const __m512d Bd = _mm512_cvtps_pd(B8);
      const __m512d g_r = Uniform ? growth_0 : of_cells(growth, c);
      const __m512d d_r = Uniform ? rep_decay_0 : of_cells(rep_decay, c);
      const __m512d d_b = Uniform ? brand_decay_0 : of_cells(brand_decay, c);
      new_R[half] = grown(Rd, _mm512_mul_pd(g_r, _mm512_cvtps_pd(g8)), d_r);
      new_B[half] = grown(Bd, _mm512_add_pd(of_cells(base, c), _mm512_mul_pd(of_cells(transfer, c), Rd)), d_b);
    }
    const __m512 out_R = _mm512_mask_blend_ps(
        fast, R, _mm512_insertf32x8(_mm512_castps256_ps512(new_R[0]), new_R[1], 1));
    const __m512 out_B = _mm512_mask_blend_ps(
        fast, B, _mm512_insertf32x8(_mm512_castps256_ps512(new_B[0]), new_B[1], 1));
    _mm512_storeu_ps(rep_loyalty + j, out_R);
    _mm512_storeu_ps(brand_loyalty + j, out_B);
    if constexpr (Stocks == StockSums::words) {
      _mm512_storeu_si512(slot + j, _mm512_mask_blend_epi32(fast, spare, _mm512_add_epi32(cell, cell)));
      const __m512i brand_fixed = fixed_point(out_B);
      const __m512i rep_fixed = fixed_point(out_R);
      for (std::size_t half = 0; half < 2; ++half) {
        const __m512i brand_8 = _mm512_cvtepi32_epi64(half == 0 ? _mm512_castsi512_si256(brand_fixed)
                                                                : _mm512_extracti64x4_epi64(brand_fixed, 1));
        const __m512i rep_8 = _mm512_cvtepi32_epi64(half == 0 ? _mm512_castsi512_si256(rep_fixed)
                                                              : _mm512_extracti64x4_epi64(rep_fixed, 1));
        // Customer by customer, the brand word (with the count) then the rep word.
        const __m512i brand_words = _mm512_add_epi64(count_unit, brand_8);
        std::int64_t* const out = stock_words + 2 * (j + 8 * half);
        _mm512_storeu_si512(out, _mm512_permutex2var_epi64(brand_words, first_four, rep_8));
        _mm512_storeu_si512(out + 8, _mm512_permutex2var_epi64(brand_words, last_four, rep_8));
      }
    } else if constexpr (in_registers) {
      add(sums, cell, fast, fixed_point(out_B), fixed_point(out_R));
      if ((j / 16) % CellSums<sum_cells>::flush_every == CellSums<sum_cells>::flush_every - 1)
        empty_into(sums, t.cells, scratch);
    }
    // The flagged customers' offsets, packed to the front of sixteen
    // entries (a 32-bit compress, AVX-512F, then narrowed to the list's 16
    // bits); all sixteen are stored and the list grows by those flagged.
    const __m512i here = _mm512_add_epi32(offsets, _mm512_set1_epi32(static_cast<std::int32_t>(j)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(found + listed),
                        _mm512_cvtepi32_epi16(_mm512_maskz_compress_epi32(needs_scalar, here)));
    listed += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(needs_scalar)));
  }
  if constexpr (in_registers) empty_into(sums, t.cells, scratch);
  *count = listed;
  return j;
}

// The instance for these tables and this use of the stocks.
template <bool Uniform>
LOYALSIM_AVX512 std::size_t pass_with_stocks(const LoyaltyPassTables& t, const std::uint8_t* segment,
                                             const std::int16_t* firm, const std::int32_t* rep,
                                             const std::uint16_t* next_event, float* brand_loyalty, float* rep_loyalty,
                                             std::int32_t* slot, std::int64_t* stock_words, const StockScratch* stocks,
                                             std::uint16_t* found, std::size_t* count, std::size_t n) {
  if (stocks == nullptr)
    return pass_of<Uniform, StockSums::none>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot,
                                             stock_words, nullptr, found, count, n);
  if (!avx512_pass_sums_stocks(t))
    return pass_of<Uniform, StockSums::words>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot,
                                              stock_words, nullptr, found, count, n);
  if (t.cells <= 4)
    return pass_of<Uniform, StockSums::cells_4>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot,
                                                stock_words, stocks->words, found, count, n);
  return pass_of<Uniform, StockSums::cells_8>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot,
                                                stock_words, stocks->words, found, count, n);
}

}  // namespace

bool avx512_pass_sums_stocks(const LoyaltyPassTables& t) { return t.cells <= avx512_pass_max_sum_cells; }

LOYALSIM_AVX512 std::size_t loyalty_pass_avx512(const LoyaltyPassTables& t, const std::uint8_t* segment,
                                                const std::int16_t* firm, const std::int32_t* rep,
                                                const std::uint16_t* next_event, float* brand_loyalty,
                                                float* rep_loyalty, std::int32_t* slot, std::int64_t* stock_words,
                                                const StockScratch* stocks, std::uint16_t* found, std::size_t* count,
                                                std::size_t n) {
  if (t.cells > avx512_pass_max_cells) return 0;
  if (t.uniform_segment_rates)
    return pass_with_stocks<true>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot, stock_words,
                                  stocks, found, count, n);
  return pass_with_stocks<false>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot, stock_words,
                                 stocks, found, count, n);
}

bool avx512_pass_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

}  // namespace loyalsim

#endif
