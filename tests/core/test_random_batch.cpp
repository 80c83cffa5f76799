// The batched Philox (core/random_batch.hpp) gives, for every counter, the
// words of RandomSource::words: batch lengths around its sixteen lanes,
// purposes mixed within a batch, entities and keys at the edges of 32 bits.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/random.hpp"
#include "core/random_batch.hpp"

namespace loyalsim {
namespace {

TEST(RandomBatch, EveryCounterGetsTheScalarBlock) {
  std::mt19937 random(7);
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0xFFFFFFFFFFFFFFFF},
                                   std::uint64_t{0x123456789ABCDEF0}})
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                                std::size_t{33}, std::size_t{1000}}) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << ", n " << n);
      const RandomSource source(seed);
      const std::uint32_t step = static_cast<std::uint32_t>(random());
      std::vector<std::uint32_t> entity(n);
      std::vector<Purpose> purpose(n);
      for (std::size_t k = 0; k < n; ++k) {
        entity[k] = k % 7 == 0 ? 0xFFFFFFFFu - static_cast<std::uint32_t>(k) : static_cast<std::uint32_t>(random());
        purpose[k] = static_cast<Purpose>(1 + random() % 8);
      }
      std::vector<RandomWords> out(n);
      draw_batch(source, step, entity.data(), purpose.data(), out.data(), n);
      for (std::size_t k = 0; k < n; ++k) EXPECT_EQ(out[k], source.words(entity[k], step, purpose[k])) << k;
    }
}

}  // namespace
}  // namespace loyalsim
