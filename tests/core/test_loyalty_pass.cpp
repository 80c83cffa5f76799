// The vectorised loyalty pass (core/loyalty_pass.hpp) against the scalar
// update it replaces, written out here as docs/MODEL.md section 7.4 states
// it: the same bits for every fast customer, untouched loyalties for the
// others, the right stock slot and words, and the right customers flagged
// for the scalar path. Both instantiations (segment rates uniform or not).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "core/loyalty_pass.hpp"
#include "core/model.hpp"

namespace loyalsim {
namespace {

struct Population {
  std::vector<std::uint8_t> segment;
  std::vector<std::int16_t> firm;
  std::vector<std::int32_t> rep;
  std::vector<std::uint16_t> next_event;
  std::vector<float> brand, rep_loyalty;
};

void check_pass(bool uniform) {
  constexpr std::int32_t firms = 3, segments = 2, cells = firms * segments, reps = 40;
  constexpr std::uint16_t step = 7;
  constexpr std::size_t n = 3000;
  std::mt19937 random(uniform ? 11 : 12);
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  std::vector<float> gain(reps + 1);
  gain[0] = -1.0f;  // no_rep
  for (std::int32_t r = 0; r < reps; ++r)
    gain[static_cast<std::size_t>(r) + 1] = r % 9 == 4 ? -1.0f : 0.2f + 2.5f * static_cast<float>(unit(random));
  std::vector<double> base(cells), transfer(cells), growth(cells), rep_decay(cells), brand_decay(cells);
  for (std::int32_t k = 0; k < cells; ++k) {
    const auto c = static_cast<std::size_t>(k);
    base[c] = 0.02 + 0.1 * unit(random);
    transfer[c] = 0.3 * unit(random);
    // Large growths so that min(1, .) binds for the most skilled reps.
    growth[c] = uniform ? 0.45 : 0.05 + 0.4 * unit(random);
    rep_decay[c] = uniform ? 0.03 : 0.05 * unit(random);
    brand_decay[c] = uniform ? 0.02 : 0.05 * unit(random);
  }
  const LoyaltyPassTables t{gain.data(),        base.data(), transfer.data(), growth.data(), rep_decay.data(),
                            brand_decay.data(), segments,    cells,           step,          uniform};

  Population p;
  for (std::size_t i = 0; i < n; ++i) {
    const bool attached = unit(random) < 0.85;
    p.segment.push_back(static_cast<std::uint8_t>(random() % segments));
    p.firm.push_back(attached ? static_cast<std::int16_t>(random() % firms) : no_firm);
    p.rep.push_back(attached && unit(random) < 0.95 ? static_cast<std::int32_t>(random() % reps) : no_rep);
    p.next_event.push_back(unit(random) < 0.05 ? step : static_cast<std::uint16_t>(step + 1 + random() % 50));
    p.brand.push_back(attached ? static_cast<float>(unit(random)) : 0.0f);
    p.rep_loyalty.push_back(attached ? static_cast<float>(unit(random)) : 0.0f);
  }
  Population after = p;
  std::vector<std::int32_t> slot(n);
  std::vector<std::int64_t> brand_word(n), rep_word(n);
  std::vector<std::uint8_t> scalar(n);
  loyalty_pass(t, after.segment.data(), after.firm.data(), after.rep.data(), after.next_event.data(),
               after.brand.data(), after.rep_loyalty.data(), slot.data(), brand_word.data(), rep_word.data(),
               scalar.data(), n);

  std::size_t fast_count = 0, scalar_count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool attached = p.firm[i] != no_firm;
    const float g = gain[static_cast<std::size_t>(p.rep[i] + 1)];
    const bool event = p.next_event[i] == step;
    const bool fast = attached && !event && g >= 0.0f;
    EXPECT_EQ(scalar[i] != 0, event || (attached && g < 0.0f)) << i;
    if (!fast) {
      EXPECT_EQ(after.brand[i], p.brand[i]) << i;
      EXPECT_EQ(after.rep_loyalty[i], p.rep_loyalty[i]) << i;
      EXPECT_EQ(slot[i], spare_slot(t)) << i;
      scalar_count += scalar[i];
      continue;
    }
    ++fast_count;
    // The scalar update of step 4, as step.cpp's scalar path writes it.
    const auto cell = static_cast<std::size_t>(p.firm[i] * segments + p.segment[i]);
    const double R = p.rep_loyalty[i], B = p.brand[i];
    const double a_r = std::min(1.0, growth[cell] * g);
    const double a_b = std::min(1.0, base[cell] + transfer[cell] * R);
    const float new_R = static_cast<float>(R + a_r * (1.0 - R) - rep_decay[cell] * R);
    const float new_B = static_cast<float>(B + a_b * (1.0 - B) - brand_decay[cell] * B);
    EXPECT_EQ(after.rep_loyalty[i], new_R) << i;
    EXPECT_EQ(after.brand[i], new_B) << i;
    EXPECT_EQ(slot[i], 2 * static_cast<std::int32_t>(cell)) << i;
    EXPECT_EQ(brand_word[i], stock_count_unit + static_cast<std::int64_t>(new_B * 16777216.0 + 0.5)) << i;
    EXPECT_EQ(rep_word[i], static_cast<std::int64_t>(new_R * 16777216.0 + 0.5)) << i;
  }
  // Both paths are exercised.
  EXPECT_GT(fast_count, n / 2);
  EXPECT_GT(scalar_count, n / 50);
}

TEST(LoyaltyPass, FastCustomersGetTheScalarUpdateBitForBitWithUniformSegmentRates) { check_pass(true); }
TEST(LoyaltyPass, FastCustomersGetTheScalarUpdateBitForBitWithRatesPerSegment) { check_pass(false); }

}  // namespace
}  // namespace loyalsim
