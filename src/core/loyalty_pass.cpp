// The loyalty pass, 512 customers at a time: the AVX-512 pass
// (core/loyalty_pass_avx512.cpp) where the processor has AVX-512 and the run
// at most 16 cells, the customers it leaves (the chunk's last m mod 16, or
// all) to the portable loop below, whose flags become the found list and
// whose per-customer stock words are added here (add_stock_words).
//
// The portable loop is compiled once per instruction set, so a portable build
// (no -march) vectorises it with AVX-512 or AVX2 where the processor has
// them, not only with SSE2 (docs/PERFORMANCE.md). GCC's target_clones makes
// the versions and an ifunc resolver that picks one when the program loads.
// The versions compute the same bits: the pass is element-wise double
// arithmetic without fused operations (-ffp-contract=off, CMakeLists.txt),
// the same in a vector lane of any width as in scalar code.
//
// Only where ifuncs exist and it pays: GCC on x86-64 with glibc (musl has
// no ifuncs; <cstdint> brings glibc's __GLIBC__ in), and not
// when the build already targets AVX2 or better (-march=native). Clang
// (fuzz builds), emscripten (the WebAssembly page) and other systems get the
// one version their flags give.
#include "core/loyalty_pass.hpp"

#include "core/loyalty_pass_avx512.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__GNUC__) && !defined(__clang__) && !defined(__EMSCRIPTEN__) && defined(__x86_64__) && defined(__ELF__) && \
    defined(__GLIBC__) && !defined(__AVX2__)
#define LOYALSIM_PASS_VERSIONS __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LOYALSIM_PASS_VERSIONS
#endif

namespace loyalsim {
namespace {

LOYALSIM_PASS_VERSIONS
void portable_pass(const LoyaltyPassTables& t, const std::uint8_t* segment, const std::int16_t* firm,
                   const std::int32_t* rep, const std::uint16_t* next_event, float* brand_loyalty, float* rep_loyalty,
                   std::int32_t* slot, std::int64_t* stock_words, std::uint8_t* scalar, std::size_t n) {
  if (t.uniform_segment_rates)
    loyalty_pass_of<true>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot, stock_words, scalar,
                          n);
  else
    loyalty_pass_of<false>(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot, stock_words, scalar,
                           n);
}

// Appends to found[count...] the offsets (from `first`) of the customers
// flagged in scalar[0, n), eight flags at a time.
void list_flagged(const std::uint8_t* scalar, std::size_t n, std::size_t first, std::uint16_t* found,
                  std::size_t& count) {
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    std::uint64_t flags;
    std::memcpy(&flags, &scalar[j], sizeof flags);
    for (; flags != 0; flags &= flags - 1)
      found[count++] = static_cast<std::uint16_t>(first + j + static_cast<std::size_t>(std::countr_zero(flags)) / 8);
  }
  for (; j < n; ++j)
    if (scalar[j] != 0) found[count++] = static_cast<std::uint16_t>(first + j);
}

// stocks' pairs at slot[j] += the pair stock_words[2j, 2j + 1], customer j
// adding to copy j % stock_scratch_copies: one 16-byte vector add where the compiler has
// vector types (GCC, clang), two adds elsewhere.
inline void add_stock_pair(std::int64_t* acc, const std::int64_t* words) {
#if defined(__GNUC__)
  using Pair = std::int64_t __attribute__((vector_size(16)));
  Pair sum, add;
  std::memcpy(&sum, acc, sizeof sum);
  std::memcpy(&add, words, sizeof add);
  sum += add;
  std::memcpy(acc, &sum, sizeof sum);
#else
  acc[0] += words[0];
  acc[1] += words[1];
#endif
}
void add_stock_words(const StockScratch& stocks, const std::int32_t* slot, const std::int64_t* stock_words,
                     std::size_t n) {
  constexpr std::size_t copies = stock_scratch_copies;
  std::int64_t* const acc = stocks.words;
  const std::size_t stride = stocks.copy_stride;
  std::size_t j = 0;
  for (; j + copies <= n; j += copies)
    for (std::size_t copy = 0; copy < copies; ++copy)
      add_stock_pair(acc + copy * stride + slot[j + copy], stock_words + 2 * (j + copy));
  for (; j < n; ++j) add_stock_pair(acc + slot[j], stock_words + 2 * j);
}

#if LOYALSIM_HAVE_AVX512_PASS
// Asked once, when the program starts.
const bool use_avx512_pass = avx512_pass_supported();
#endif

}  // namespace

std::size_t loyalty_pass(const LoyaltyPassTables& t, const std::uint8_t* segment, const std::int16_t* firm,
                         const std::int32_t* rep, const std::uint16_t* next_event, float* brand_loyalty,
                         float* rep_loyalty, const StockScratch* stocks, std::uint16_t* found, std::size_t n) {
  std::size_t count = 0;
  // A chunk at a time, through the per-customer outputs (on the stack).
  constexpr std::size_t chunk = 512;
  std::int32_t slot[chunk];
  std::int64_t stock_words[2 * chunk];
  std::uint8_t scalar[chunk];
  for (std::size_t first = 0; first < n; first += chunk) {
    const std::size_t m = std::min(chunk, n - first);
    std::size_t done = 0;
#if LOYALSIM_HAVE_AVX512_PASS
    if (use_avx512_pass) {
      std::uint16_t* const listed_from = found + count;
      done = loyalty_pass_avx512(t, segment + first, firm + first, rep + first, next_event + first,
                                 brand_loyalty + first, rep_loyalty + first, slot, stock_words, stocks, found,
                                 &count, m);
      for (std::uint16_t* x = listed_from; x != found + count; ++x) *x = static_cast<std::uint16_t>(*x + first);
    }
#endif
    std::size_t words_from = done;  // the customers whose stocks are still in stock_words
#if LOYALSIM_HAVE_AVX512_PASS
    if (done > 0 && !avx512_pass_sums_stocks(t)) words_from = 0;
#endif
    if (done < m) {
      const std::size_t rest = m - done;
      const std::size_t at = first + done;
      portable_pass(t, segment + at, firm + at, rep + at, next_event + at, brand_loyalty + at, rep_loyalty + at,
                    slot + done, stock_words + 2 * done, scalar, rest);
      list_flagged(scalar, rest, at, found, count);
    }
    if (stocks != nullptr) add_stock_words(*stocks, slot + words_from, stock_words + 2 * words_from, m - words_from);
  }
  return count;
}

}  // namespace loyalsim
