// The batched Philox of core/random_batch.hpp. The AVX-512 version is
// Random123's Philox4x32-10 (random123/philox.h: ten rounds, the key bumped
// by the Weyl constants between rounds) written for sixteen counters in
// the lanes of four registers: integer arithmetic, so every lane gives
// exactly the scalar block (tests/core/test_random_batch.cpp compares them).
#include "core/random_batch.hpp"

#include "core/loyalty_pass_avx512.hpp"  // LOYALSIM_HAVE_AVX512_PASS, avx512_pass_supported

#if LOYALSIM_HAVE_AVX512_PASS
#include <immintrin.h>

// GCC 12's AVX-512 headers trip its own -Wmaybe-uninitialized (GCC bug
// 105593, fixed in 13), as in core/loyalty_pass_avx512.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#endif

namespace loyalsim {
namespace {

#if LOYALSIM_HAVE_AVX512_PASS
#define LOYALSIM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

// Random123's Philox4x32 constants (philox.h).
constexpr std::uint32_t multiplier_0 = 0xD2511F53u, multiplier_1 = 0xCD9E8D57u;
constexpr std::uint32_t weyl_0 = 0x9E3779B9u, weyl_1 = 0xBB67AE85u;
constexpr int rounds = 10;

// The 64-bit products multiplier * x of sixteen 32-bit lanes, as their
// low and high halves in the lanes of x. _mm512_mul_epu32 multiplies the
// even lanes (the low half of each 64-bit lane); the odd ones are shifted
// down to be multiplied, and the halves put back in place.
struct HighLow {
  __m512i high, low;
};
LOYALSIM_AVX512 inline HighLow multiply(__m512i multiplier, __m512i x) {
  const __m512i even = _mm512_mul_epu32(x, multiplier);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), multiplier);
  constexpr __mmask16 odd_lanes = 0xAAAA;
  return {_mm512_mask_blend_epi32(odd_lanes, _mm512_srli_epi64(even, 32), odd),
          _mm512_mask_blend_epi32(odd_lanes, even, _mm512_slli_epi64(odd, 32))};
}

// Sixteen blocks: counter word w of lane k in x[w], replaced by the block.
LOYALSIM_AVX512 inline void philox16(std::uint32_t key_0, std::uint32_t key_1, __m512i x[4]) {
  const __m512i m0 = _mm512_set1_epi64(multiplier_0), m1 = _mm512_set1_epi64(multiplier_1);
  __m512i k0 = _mm512_set1_epi32(static_cast<int>(key_0)), k1 = _mm512_set1_epi32(static_cast<int>(key_1));
  for (int round = 0; round < rounds; ++round) {
    if (round > 0) {
      k0 = _mm512_add_epi32(k0, _mm512_set1_epi32(static_cast<int>(weyl_0)));
      k1 = _mm512_add_epi32(k1, _mm512_set1_epi32(static_cast<int>(weyl_1)));
    }
    const HighLow p0 = multiply(m0, x[0]), p1 = multiply(m1, x[2]);
    const __m512i next_0 = _mm512_xor_si512(_mm512_xor_si512(p1.high, x[1]), k0);
    const __m512i next_2 = _mm512_xor_si512(_mm512_xor_si512(p0.high, x[3]), k1);
    x[0] = next_0;
    x[1] = p1.low;
    x[2] = next_2;
    x[3] = p0.low;
  }
}

// draw_batch for the first n - n % 16 counters; returns how many it did.
LOYALSIM_AVX512 std::size_t draw_batch_avx512(const RandomSource& source, std::uint32_t step,
                                              const std::uint32_t* entity, const Purpose* purpose, RandomWords* out,
                                              std::size_t n) {
  static_assert(sizeof(Purpose) == sizeof(std::uint32_t) && sizeof(RandomWords) == 16);
  const std::uint32_t key_0 = source.key_word(0), key_1 = source.key_word(1);
  std::size_t j = 0;
  for (; j + 16 <= n; j += 16) {
    __m512i x[4] = {_mm512_loadu_si512(entity + j), _mm512_set1_epi32(static_cast<int>(step)),
                    _mm512_loadu_si512(purpose + j), _mm512_setzero_si512()};
    philox16(key_0, key_1, x);
    // Four registers of one word each to sixteen blocks of four words: a
    // 4x4 transpose within each 128-bit lane leaves blocks q, q + 4, q + 8
    // and q + 12 in the four lanes of register q.
    const __m512i t0 = _mm512_unpacklo_epi32(x[0], x[1]), t1 = _mm512_unpacklo_epi32(x[2], x[3]);
    const __m512i t2 = _mm512_unpackhi_epi32(x[0], x[1]), t3 = _mm512_unpackhi_epi32(x[2], x[3]);
    const __m512i blocks[4] = {_mm512_unpacklo_epi64(t0, t1), _mm512_unpackhi_epi64(t0, t1),
                               _mm512_unpacklo_epi64(t2, t3), _mm512_unpackhi_epi64(t2, t3)};
    auto* const to = reinterpret_cast<__m128i*>(out + j);
    for (std::size_t q = 0; q < 4; ++q) {
      _mm_storeu_si128(to + q, _mm512_castsi512_si128(blocks[q]));
      _mm_storeu_si128(to + q + 4, _mm512_extracti32x4_epi32(blocks[q], 1));
      _mm_storeu_si128(to + q + 8, _mm512_extracti32x4_epi32(blocks[q], 2));
      _mm_storeu_si128(to + q + 12, _mm512_extracti32x4_epi32(blocks[q], 3));
    }
  }
  return j;
}

// Asked once, when the program starts.
const bool use_avx512 = avx512_pass_supported();
#endif

}  // namespace

void draw_batch(const RandomSource& source, std::uint32_t step, const std::uint32_t* entity, const Purpose* purpose,
                RandomWords* out, std::size_t n) {
  std::size_t done = 0;
#if LOYALSIM_HAVE_AVX512_PASS
  if (use_avx512) done = draw_batch_avx512(source, step, entity, purpose, out, n);
#endif
  for (std::size_t k = done; k < n; ++k) out[k] = source.words(entity[k], step, purpose[k]);
}

}  // namespace loyalsim
