// The loyalty pass for processors with AVX-512 (core/loyalty_pass_avx512.cpp),
// used by loyalty_pass (core/loyalty_pass.cpp) where the processor has it
// and the run has at most avx512_pass_max_cells (firm, segment) cells. It
// gives the bits of loyalty_pass_of (tests/core/test_loyalty_pass.cpp).
// Built with GCC or clang for x86-64 only; elsewhere
// LOYALSIM_HAVE_AVX512_PASS is 0 and the portable loop does all the work.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/loyalty_pass.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__EMSCRIPTEN__)
#define LOYALSIM_HAVE_AVX512_PASS 1
#else
#define LOYALSIM_HAVE_AVX512_PASS 0
#endif

namespace loyalsim {

#if LOYALSIM_HAVE_AVX512_PASS
// The cell constants are held in two registers of eight doubles.
inline constexpr std::int32_t avx512_pass_max_cells = 16;

// Whether this processor has AVX-512 F, BW, VL and DQ.
bool avx512_pass_supported();

// Runs of at most this many cells have their stocks summed per cell in
// registers (avx512_pass_sums_stocks).
inline constexpr std::int32_t avx512_pass_max_sum_cells = 8;

// The pass over the first customers of [0, n), sixteen at a time, as
// loyalty_pass_of does it, except for two of its outputs:
// - the customers it flags are listed: their offsets appended to found
//   from found[*count] on (ascending), *count advanced. It stores sixteen
//   entries at a time, the list's next sixteen, of which it keeps those it
//   found: before customer j at most j are listed, so the stores stay
//   within found[*count, *count + n), the room found needs;
// - the stocks: none if stocks is null; else, if avx512_pass_sums_stocks(t),
//   added per cell to stocks' first copy (slot and stock_words untouched);
//   else written to slot and stock_words as loyalty_pass_of writes them.
// Returns how many customers it did (a multiple of 16, or 0 if t.cells >
// avx512_pass_max_cells). Only where avx512_pass_supported().
std::size_t loyalty_pass_avx512(const LoyaltyPassTables& t, const std::uint8_t* segment, const std::int16_t* firm,
                                const std::int32_t* rep, const std::uint16_t* next_event, float* brand_loyalty,
                                float* rep_loyalty, std::int32_t* slot, std::int64_t* stock_words,
                                const StockScratch* stocks, std::uint16_t* found, std::size_t* count, std::size_t n);

// Whether loyalty_pass_avx512 sums these tables' stocks itself.
bool avx512_pass_sums_stocks(const LoyaltyPassTables& t);
#endif

}  // namespace loyalsim
