// Whole numbers (seeds, integer parameters): range-checked before any
// float->integer conversion, exact when written as integers.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/parameters.hpp"

namespace loyalsim {
namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

TEST(WholeNumbers, IntegersAreExactAndRangeChecked) {
  EXPECT_EQ(whole_number(std::int64_t{9007199254740993}, 0, max_seed).value, 9007199254740993);
  EXPECT_EQ(whole_number(int64_max, 0, max_seed).value, int64_max);
  const WholeNumber negative = whole_number(std::int64_t{-1}, 0, max_seed);
  ASSERT_TRUE(negative.problem);
  EXPECT_EQ(*negative.problem, "value -1 must be in [0, 9223372036854775807]");
}

TEST(WholeNumbers, FloatsAreCheckedBeforeTheyAreConverted) {
  EXPECT_EQ(whole_number(1e6, 1, 2147483647).value, 1000000);  // 1e6 customers stays accepted
  EXPECT_EQ(whole_number(-0.0, 0, 10).value, 0);
  // Each of these was an undefined conversion or a silent change before.
  for (const double bad : {1e30, -1e30, 9.3e18, -9.3e18, std::ldexp(1.0, 63), std::nan(""), HUGE_VAL, -HUGE_VAL})
    EXPECT_TRUE(whole_number(bad, 0, max_seed).problem) << bad;
  EXPECT_EQ(*whole_number(1e30, 0, max_seed).problem, "value 1e+30 must be in [0, 9223372036854775807]");
  EXPECT_NE(whole_number(12.5, 0, 100).problem->find("whole number, found 12.5"), std::string::npos);
  EXPECT_NE(whole_number(-1.0, 0, 100).problem->find("must be in [0, 100]"), std::string::npos);
}

TEST(WholeNumbers, FloatsBeyondTwoToThe53AreNotTakenAsExact) {
  // 9007199254740993 written as a float is 9007199254740992: refused.
  const WholeNumber inexact = whole_number(9007199254740993.0, 0, max_seed);
  ASSERT_TRUE(inexact.problem);
  EXPECT_NE(inexact.problem->find("write it as an integer"), std::string::npos) << *inexact.problem;
  EXPECT_TRUE(whole_number(1e18, 0, max_seed).problem);
  EXPECT_EQ(whole_number(9007199254740991.0, 0, max_seed).value, 9007199254740991);
}

TEST(WholeNumbers, EveryIntegerParameterHasWholeBoundsWithinTwoToThe53) {
  for (const ParameterInfo& p : all_parameters()) {
    if (p.kind != ValueKind::integer) continue;
    EXPECT_EQ(static_cast<double>(p.whole_low()), p.low) << p.name;
    EXPECT_EQ(static_cast<double>(p.whole_high()), p.high) << p.name;
    EXPECT_LT(p.high, 9007199254740992.0) << p.name;  // so a double carries every valid value exactly
  }
}

TEST(WholeNumbers, SettingAnIntegerFieldNeverConvertsAnOutOfRangeDouble) {
  Scenario s;
  s.firms.resize(1);
  const ParameterPath reps = resolve_parameter_path(s, "firms..reps");
  EXPECT_THROW(reps.set(s, 1e30), InputError);
  EXPECT_THROW(reps.set(s, std::nan("")), InputError);
  const ParameterPath seed = resolve_parameter_path(s, "seed");
  EXPECT_THROW(seed.set(s, 1e30), InputError);
  EXPECT_THROW(seed.set(s, -1.0), InputError);
  seed.set(s, 12.0);
  EXPECT_EQ(s.seed, 12u);
}

TEST(WholeNumbers, ShortestTextReadsBackExactly) {
  EXPECT_EQ(shortest_text(0.7), "0.7");
  EXPECT_EQ(shortest_text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(shortest_text(1e30), "1e+30");
}

// The distance is cut off once it cannot be a hint; the hints stay the same.
TEST(NearestName, FarOffCandidatesAreSkippedAndHintsAreUnchanged) {
  std::vector<std::string> candidates;
  for (int i = 0; i < 1000; ++i) candidates.push_back("firms.firm_" + std::to_string(i) + ".service_touchpoints");
  EXPECT_EQ(nearest_name(std::string(5000, 'x'), candidates), "");
  EXPECT_EQ(nearest_name("frims.firm_12.service_touchpoints", candidates), "firms.firm_12.service_touchpoints");
  EXPECT_EQ(nearest_name("firms.firm_12.service_touchpoint", candidates), "firms.firm_12.service_touchpoints");
}

}  // namespace
}  // namespace loyalsim
