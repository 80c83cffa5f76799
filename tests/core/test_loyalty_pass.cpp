// The vectorised loyalty pass (core/loyalty_pass.hpp) against the scalar
// update it replaces, written out here as docs/MODEL.md section 7.4 states
// it: the same bits for every fast customer, untouched loyalties for the
// others, the right stocks per cell, and the right customers listed for
// the scalar path. Both instantiations (segment rates uniform or not).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "core/loyalty_pass.hpp"
#include "core/loyalty_pass_avx512.hpp"
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

// A month's tables and a population of n customers, drawn at random, with
// every case of the pass: unattached, no rep, a rep who left (gain -1), a
// candidate event, large growths that min(1, .) caps.
struct Case {
  std::vector<float> gain;
  std::vector<double> base, transfer, growth, rep_decay, brand_decay;
  LoyaltyPassTables t;
  Population p;
};

Case make_case(bool uniform, std::int32_t firms, std::int32_t segments, std::size_t n, unsigned seed) {
  const std::int32_t cells = firms * segments, reps = 40;
  const std::uint16_t step = 7;
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  Case k;
  std::vector<float>& gain = k.gain;
  gain.resize(reps + 1);
  gain[0] = -1.0f;  // no_rep
  for (std::int32_t r = 0; r < reps; ++r)
    gain[static_cast<std::size_t>(r) + 1] = r % 9 == 4    ? -1.0f
                                            : r % 13 == 6 ? 0.0f  // a rep who adds nothing: growth exactly 0
                                                          : 0.2f + 2.5f * static_cast<float>(unit(random));
  for (auto* column : {&k.base, &k.transfer, &k.growth, &k.rep_decay, &k.brand_decay})
    column->resize(static_cast<std::size_t>(cells));
  for (std::size_t c = 0; c < static_cast<std::size_t>(cells); ++c) {
    k.base[c] = 0.02 + 0.1 * unit(random);
    k.transfer[c] = 0.3 * unit(random);
    // Large growths so that min(1, .) binds for the most skilled reps.
    k.growth[c] = uniform ? 0.45 : 0.05 + 0.4 * unit(random);
    k.rep_decay[c] = uniform ? 0.03 : 0.05 * unit(random);
    k.brand_decay[c] = uniform ? 0.02 : 0.05 * unit(random);
  }
  k.t = LoyaltyPassTables{gain.data(),          k.base.data(), k.transfer.data(), k.growth.data(), k.rep_decay.data(),
                          k.brand_decay.data(), segments,      cells,             step,            uniform,
                          // Both ways of reading the gains and the columns (the prefetches
                          // change no value).
                          cells % 2 == 0, cells % 3 == 0};

  Population& p = k.p;
  for (std::size_t i = 0; i < n; ++i) {
    const bool attached = unit(random) < 0.85;
    p.segment.push_back(static_cast<std::uint8_t>(random() % segments));
    p.firm.push_back(attached ? static_cast<std::int16_t>(random() % firms) : no_firm);
    p.rep.push_back(attached && unit(random) < 0.95 ? static_cast<std::int32_t>(random() % reps) : no_rep);
    p.next_event.push_back(unit(random) < 0.05 ? step : static_cast<std::uint16_t>(step + 1 + random() % 50));
    p.brand.push_back(attached ? static_cast<float>(unit(random)) : 0.0f);
    p.rep_loyalty.push_back(attached ? static_cast<float>(unit(random)) : 0.0f);
    // The ends of the range, where min(1, .) and the rounding to fixed point
    // are at their edges.
    if (attached && i % 37 == 5) p.brand.back() = p.rep_loyalty.back() = 1.0f;
    if (attached && i % 41 == 7) p.brand.back() = p.rep_loyalty.back() = 0.0f;
  }
  return k;
}

// Per-cell stock sums: count, brand and rep (fixed point).
struct CellStock {
  std::int64_t count = 0, brand = 0, rep = 0;
  bool operator==(const CellStock&) const = default;
};
using CellStocks = std::vector<CellStock>;

// A worker's stock scratch (StockScratch) for `cells` cells, as the engine
// sizes it, and what it holds per cell, decoded as flush_stocks decodes it.
struct Scratch {
  explicit Scratch(std::int32_t cells)
      : words(stock_scratch_copies * (static_cast<std::size_t>(cells) + 2) * 2, 0),
        stocks{words.data(), words.size() / stock_scratch_copies} {}
  std::vector<std::int64_t> words;
  StockScratch stocks;

  CellStocks per_cell(std::int32_t cells) const {
    CellStocks out(static_cast<std::size_t>(cells));
    for (std::size_t cell = 0; cell < out.size(); ++cell) {
      std::int64_t packed = 0, rep = 0;
      for (std::size_t copy = 0; copy < stock_scratch_copies; ++copy) {
        packed += words[copy * stocks.copy_stride + 2 * cell];
        rep += words[copy * stocks.copy_stride + 2 * cell + 1];
      }
      out[cell] = {packed / stock_count_unit, packed % stock_count_unit, rep};
    }
    return out;
  }
  bool empty() const {
    return std::all_of(words.begin(), words.end(), [](std::int64_t w) { return w == 0; });
  }
};

// The per-cell sums of the words loyalty_pass_of writes for n customers
// (the spare pair, slot 2 * cells, is not a cell).
CellStocks sums_of_words(const std::vector<std::int32_t>& slot, const std::vector<std::int64_t>& words, std::size_t n,
                         std::int32_t cells) {
  CellStocks out(static_cast<std::size_t>(cells));
  for (std::size_t j = 0; j < n; ++j) {
    if (slot[j] == 2 * cells) continue;
    CellStock& c = out[static_cast<std::size_t>(slot[j] / 2)];
    c.count += words[2 * j] / stock_count_unit;
    c.brand += words[2 * j] % stock_count_unit;
    c.rep += words[2 * j + 1];
  }
  return out;
}

void check_pass(bool uniform, std::int32_t firms, std::int32_t segments, std::size_t n);

// n = 3000 and 1030: not multiples of 16 (the vector pass's tails), the
// last 512-customer chunk of 1030 too short for the vector pass at all.
void check_pass(bool uniform, std::int32_t firms, std::int32_t segments) {
  for (const std::size_t n : {std::size_t{3000}, std::size_t{1030}}) {
    SCOPED_TRACE(testing::Message() << "n " << n);
    check_pass(uniform, firms, segments, n);
  }
}

void check_pass(bool uniform, std::int32_t firms, std::int32_t segments, std::size_t n) {
  const Case k = make_case(uniform, firms, segments, n, uniform ? 11u : 12u);
  const LoyaltyPassTables& t = k.t;
  const Population& p = k.p;
  const std::vector<float>& gain = k.gain;
  const std::uint16_t step = t.step;
  const auto& [base, transfer, growth, rep_decay, brand_decay] =
      std::tie(k.base, k.transfer, k.growth, k.rep_decay, k.brand_decay);
  Population after = p;
  Scratch scratch(t.cells);
  std::vector<std::uint16_t> found(n);
  const std::size_t found_count =
      loyalty_pass(t, after.segment.data(), after.firm.data(), after.rep.data(), after.next_event.data(),
                   after.brand.data(), after.rep_loyalty.data(), &scratch.stocks, found.data(), n);
  // The list is ascending, so it reads back as one flag per customer.
  std::vector<std::uint8_t> scalar(n);
  for (std::size_t x = 0; x < found_count; ++x) {
    if (x > 0) {
      EXPECT_LT(found[x - 1], found[x]) << x;
    }
    ASSERT_LT(found[x], n);
    scalar[found[x]] = 1;
  }

  std::size_t fast_count = 0, scalar_count = 0;
  CellStocks expected(static_cast<std::size_t>(t.cells));
  for (std::size_t i = 0; i < n; ++i) {
    const bool attached = p.firm[i] != no_firm;
    const float g = gain[static_cast<std::size_t>(p.rep[i] + 1)];
    const bool event = p.next_event[i] == step;
    const bool fast = attached && !event && g >= 0.0f;
    EXPECT_EQ(scalar[i] != 0, event || (attached && g < 0.0f)) << i;
    if (!fast) {
      EXPECT_EQ(after.brand[i], p.brand[i]) << i;
      EXPECT_EQ(after.rep_loyalty[i], p.rep_loyalty[i]) << i;
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
    // Its stocks as step.cpp's add_stocks rounds them.
    expected[cell].count += 1;
    expected[cell].brand += static_cast<std::int64_t>(new_B * 16777216.0 + 0.5);
    expected[cell].rep += static_cast<std::int64_t>(new_R * 16777216.0 + 0.5);
  }
  const CellStocks got = scratch.per_cell(t.cells);
  for (std::size_t cell = 0; cell < expected.size(); ++cell) {
    EXPECT_EQ(got[cell].count, expected[cell].count) << "cell " << cell;
    EXPECT_EQ(got[cell].brand, expected[cell].brand) << "cell " << cell;
    EXPECT_EQ(got[cell].rep, expected[cell].rep) << "cell " << cell;
  }

  // In a month not recorded, the same loyalties and list, and no stocks.
  Population unrecorded = p;
  std::vector<std::uint16_t> found_unrecorded(n);
  EXPECT_EQ(loyalty_pass(t, unrecorded.segment.data(), unrecorded.firm.data(), unrecorded.rep.data(),
                         unrecorded.next_event.data(), unrecorded.brand.data(), unrecorded.rep_loyalty.data(), nullptr,
                         found_unrecorded.data(), n),
            found_count);
  EXPECT_TRUE(std::equal(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(found_count),
                         found_unrecorded.begin()));
  EXPECT_EQ(unrecorded.brand, after.brand);
  EXPECT_EQ(unrecorded.rep_loyalty, after.rep_loyalty);
  // Both paths are exercised.
  EXPECT_GT(fast_count, n / 2);
  EXPECT_GT(scalar_count, n / 50);
}

// 4 and 6 cells (the AVX-512 pass sums their stocks in registers, in its
// two sizes of register sums); 16, the most cells whose constants it holds
// in registers (their stocks as per-customer words); 20, which it leaves to
// the portable loop.
TEST(LoyaltyPass, FastCustomersGetTheScalarUpdateBitForBitWithUniformSegmentRates) {
  check_pass(true, 2, 2);
  check_pass(true, 3, 2);
  check_pass(true, 4, 4);
  check_pass(true, 5, 4);
}
TEST(LoyaltyPass, FastCustomersGetTheScalarUpdateBitForBitWithRatesPerSegment) {
  check_pass(false, 2, 2);
  check_pass(false, 3, 2);
  check_pass(false, 4, 4);
  check_pass(false, 5, 4);
}

#if LOYALSIM_HAVE_AVX512_PASS
// The AVX-512 pass writes exactly what the portable loop writes, for every
// output, at 1, 8, 9 and 16 cells (the edges of its two registers of cell
// constants, and of the runs whose stocks it sums in registers) and block
// lengths around its sixteen lanes, and past 64 iterations (where it
// empties its per-cell registers): the loyalties bit for bit, the same
// customers listed, and the same stocks per cell, whether it sums them
// itself or writes them per customer; nothing for the stocks in a month
// not recorded.
TEST(LoyaltyPass, Avx512PassEqualsThePortableLoop) {
  if (!avx512_pass_supported()) GTEST_SKIP() << "this processor has no AVX-512 (F, BW, VL, DQ)";
  for (const bool uniform : {true, false})
    for (const auto& [firms, segments] : {std::pair{1, 1}, std::pair{2, 4}, std::pair{3, 3}, std::pair{8, 2}})
      for (const std::size_t n : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{1000},
                                  std::size_t{2100}})
        for (const bool recorded : {true, false}) {
          SCOPED_TRACE(testing::Message() << "uniform " << uniform << ", " << firms << " x " << segments << ", n " << n
                                          << ", recorded " << recorded);
          const Case k = make_case(uniform, firms, segments, n, 100u + static_cast<unsigned>(n));
          const std::int32_t cells = k.t.cells;
          Population vector = k.p, portable = k.p;
          std::vector<std::int32_t> slot_v(n, -1), slot_p(n);
          std::vector<std::int64_t> words_v(2 * n, -1), words_p(2 * n);
          Scratch scratch(cells);
          std::vector<std::uint16_t> found(n);
          std::size_t found_count = 0;
          const std::size_t done = loyalty_pass_avx512(
              k.t, vector.segment.data(), vector.firm.data(), vector.rep.data(), vector.next_event.data(),
              vector.brand.data(), vector.rep_loyalty.data(), slot_v.data(), words_v.data(),
              recorded ? &scratch.stocks : nullptr, found.data(), &found_count, n);
          EXPECT_EQ(done, n / 16 * 16);
          // Its list, ascending, as the portable loop's flags.
          std::vector<std::uint8_t> scalar_v(n), scalar_p(n);
          for (std::size_t x = 0; x < found_count; ++x) {
            if (x > 0) {
              EXPECT_LT(found[x - 1], found[x]) << x;
            }
            ASSERT_LT(found[x], done);
            scalar_v[found[x]] = 1;
          }
          const auto portable_pass = uniform ? loyalty_pass_of<true> : loyalty_pass_of<false>;
          portable_pass(k.t, portable.segment.data(), portable.firm.data(), portable.rep.data(),
                        portable.next_event.data(), portable.brand.data(), portable.rep_loyalty.data(), slot_p.data(),
                        words_p.data(), scalar_p.data(), done);
          for (std::size_t i = 0; i < done; ++i) {
            EXPECT_EQ(std::bit_cast<std::uint32_t>(vector.brand[i]), std::bit_cast<std::uint32_t>(portable.brand[i]))
                << i;
            EXPECT_EQ(std::bit_cast<std::uint32_t>(vector.rep_loyalty[i]),
                      std::bit_cast<std::uint32_t>(portable.rep_loyalty[i]))
                << i;
            EXPECT_EQ(scalar_v[i], scalar_p[i]) << i;
          }
          const CellStocks expected = sums_of_words(slot_p, words_p, done, cells);
          if (!recorded) {
            EXPECT_TRUE(scratch.empty());
            EXPECT_TRUE(std::all_of(slot_v.begin(), slot_v.end(), [](std::int32_t x) { return x == -1; }));
          } else if (avx512_pass_sums_stocks(k.t)) {
            EXPECT_EQ(scratch.per_cell(cells), expected);
          } else {
            // Per customer, as the portable loop writes them.
            EXPECT_TRUE(scratch.empty());
            for (std::size_t i = 0; i < done; ++i) {
              EXPECT_EQ(slot_v[i], slot_p[i]) << i;
              EXPECT_EQ(words_v[2 * i], words_p[2 * i]) << i;
              EXPECT_EQ(words_v[2 * i + 1], words_p[2 * i + 1]) << i;
            }
          }
          // What the vector pass left is untouched.
          for (std::size_t i = done; i < n; ++i) {
            EXPECT_EQ(vector.brand[i], k.p.brand[i]) << i;
            EXPECT_EQ(vector.rep_loyalty[i], k.p.rep_loyalty[i]) << i;
          }
        }
}

// The register sums at their largest: every customer fast, in one cell,
// at loyalty 1 (2^24 each, kept there: no decay), 4,096 of them in one
// call, 256 to a lane. Without emptying the registers every 64 iterations
// a lane would pass 2^31.
TEST(LoyaltyPass, Avx512PassRegisterSumsDoNotOverflow) {
  if (!avx512_pass_supported()) GTEST_SKIP() << "this processor has no AVX-512 (F, BW, VL, DQ)";
  constexpr std::size_t n = loyalty_pass_max_customers;
  const std::vector<float> gain(41, 1.0f);
  const std::vector<double> base{0.1}, transfer{0.1}, growth{0.5}, rep_decay{0.0}, brand_decay{0.0};
  const LoyaltyPassTables t{gain.data(), base.data(), transfer.data(), growth.data(), rep_decay.data(),
                            brand_decay.data(), 1, 1, 7, true, false, false};
  std::vector<std::uint8_t> segment(n, 0);
  std::vector<std::int16_t> firm(n, 0);
  std::vector<std::int32_t> rep(n);
  for (std::size_t i = 0; i < n; ++i) rep[i] = static_cast<std::int32_t>(i % 40);
  std::vector<std::uint16_t> next_event(n, 8);
  std::vector<float> brand(n, 1.0f), rep_loyalty(n, 1.0f);
  Scratch scratch(1);
  std::vector<std::uint16_t> found(n);
  std::size_t found_count = 0;
  ASSERT_TRUE(avx512_pass_sums_stocks(t));
  EXPECT_EQ(loyalty_pass_avx512(t, segment.data(), firm.data(), rep.data(), next_event.data(), brand.data(),
                                rep_loyalty.data(), nullptr, nullptr, &scratch.stocks, found.data(), &found_count, n),
            n);
  EXPECT_EQ(found_count, 0u);
  const std::int64_t all = static_cast<std::int64_t>(n);
  EXPECT_EQ(scratch.per_cell(1), (CellStocks{{all, all << 24, all << 24}}));
}

TEST(LoyaltyPass, Avx512PassLeavesMoreThanSixteenCellsToThePortableLoop) {
  if (!avx512_pass_supported()) GTEST_SKIP() << "this processor has no AVX-512 (F, BW, VL, DQ)";
  Case k = make_case(true, 17, 1, 64, 5u);
  std::vector<std::int32_t> slot(64);
  std::vector<std::int64_t> words(128);
  Scratch scratch(k.t.cells);
  std::vector<std::uint16_t> found(64);
  std::size_t found_count = 0;
  EXPECT_EQ(loyalty_pass_avx512(k.t, k.p.segment.data(), k.p.firm.data(), k.p.rep.data(), k.p.next_event.data(),
                                k.p.brand.data(), k.p.rep_loyalty.data(), slot.data(), words.data(), &scratch.stocks,
                                found.data(), &found_count, 64),
            0u);
  EXPECT_EQ(found_count, 0u);
  EXPECT_TRUE(scratch.empty());
}
#endif

}  // namespace
}  // namespace loyalsim
