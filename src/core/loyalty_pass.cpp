// The loyalty pass: the AVX-512 pass (core/loyalty_pass_avx512.cpp) where
// the processor has AVX-512 and the run at most 16 cells, the customers it
// leaves (the last n mod 16, or all) to the portable loop below.
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

#if LOYALSIM_HAVE_AVX512_PASS
// Asked once, when the program starts.
const bool use_avx512_pass = avx512_pass_supported();
#endif

}  // namespace

std::size_t loyalty_pass(const LoyaltyPassTables& t, const std::uint8_t* segment, const std::int16_t* firm,
                         const std::int32_t* rep, const std::uint16_t* next_event, float* brand_loyalty,
                         float* rep_loyalty, std::int32_t* slot, std::int64_t* stock_words, std::uint16_t* found,
                         std::size_t n) {
  std::size_t done = 0, count = 0;
#if LOYALSIM_HAVE_AVX512_PASS
  if (use_avx512_pass)
    done = loyalty_pass_avx512(t, segment, firm, rep, next_event, brand_loyalty, rep_loyalty, slot, stock_words,
                               found, &count, n);
#endif
  if (done < n) {
    std::uint8_t scalar[loyalty_pass_max_customers];
    const std::size_t rest = n - done;
    portable_pass(t, segment + done, firm + done, rep + done, next_event + done, brand_loyalty + done,
                  rep_loyalty + done, slot + done, stock_words + 2 * done, scalar, rest);
    // The flags to offsets, eight at a time.
    std::size_t j = 0;
    for (; j + 8 <= rest; j += 8) {
      std::uint64_t flags;
      std::memcpy(&flags, &scalar[j], sizeof flags);
      for (; flags != 0; flags &= flags - 1)
        found[count++] = static_cast<std::uint16_t>(done + j + static_cast<std::size_t>(std::countr_zero(flags)) / 8);
    }
    for (; j < rest; ++j)
      if (scalar[j] != 0) found[count++] = static_cast<std::uint16_t>(done + j);
  }
  return count;
}

}  // namespace loyalsim
