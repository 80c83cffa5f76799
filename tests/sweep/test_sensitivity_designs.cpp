// The saltelli and morris designs: their structure (what the estimators
// rely on), and that a larger design keeps every point of a smaller one,
// so raising samples or trajectories reruns nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/errors.hpp"
#include "sweep/design.hpp"

namespace loyalsim {
namespace {

SweepSpec spec_of(DesignType type, std::size_t parameters) {
  SweepSpec spec;
  spec.design = type;
  for (std::size_t i = 0; i < parameters; ++i) {
    SweepParameter p;
    p.path = "p";
    p.path += std::to_string(i);  // appended: GCC 12 warns (-Wrestrict) on "p" + std::string
    p.low = -1.0 - static_cast<double>(i);
    p.high = 2.0 + static_cast<double>(i);
    spec.parameters.push_back(p);
  }
  return spec;
}

TEST(SaltelliDesign, HasTheABAndMixedMatricesSampleBySample) {
  for (const bool second : {false, true}) {
    SweepSpec spec = spec_of(DesignType::saltelli, 3);
    spec.samples = 16;
    spec.second_order = second;
    const Design design = make_design(spec, 1);
    const std::size_t block = second ? 8 : 5;
    ASSERT_EQ(design.point_count, static_cast<std::int64_t>(16 * block));
    ASSERT_EQ(design.places.size(), 16 * block);
    for (std::int64_t j = 0; j < 16; ++j) {
      const auto first = static_cast<std::int64_t>(block) * j;
      EXPECT_EQ(design.places[static_cast<std::size_t>(first)].role, PointRole::a);
      EXPECT_EQ(design.places[static_cast<std::size_t>(first + 1)].role, PointRole::b);
      for (std::size_t i = 0; i < 3; ++i) {
        const std::int64_t ab = first + 2 + static_cast<std::int64_t>(i);
        EXPECT_EQ(design.places[static_cast<std::size_t>(ab)].role, PointRole::ab);
        EXPECT_EQ(design.places[static_cast<std::size_t>(ab)].parameter, static_cast<std::int32_t>(i));
        EXPECT_EQ(design.places[static_cast<std::size_t>(ab)].sample, j);
        for (std::size_t c = 0; c < 3; ++c)  // AB_i = A with column i from B
          EXPECT_EQ(design.value(ab, c), design.value(c == i ? first + 1 : first, c));
        if (!second) continue;
        const std::int64_t ba = first + 5 + static_cast<std::int64_t>(i);
        EXPECT_EQ(design.places[static_cast<std::size_t>(ba)].role, PointRole::ba);
        for (std::size_t c = 0; c < 3; ++c)  // BA_i = B with column i from A
          EXPECT_EQ(design.value(ba, c), design.value(c == i ? first : first + 1, c));
      }
    }
    for (std::size_t i = 0; i < design.points.size(); ++i) {
      const SweepParameter& p = spec.parameters[i % 3];
      EXPECT_GE(design.points[i], p.low);
      EXPECT_LE(design.points[i], p.high);
    }
  }
}

TEST(SaltelliDesign, MoreSamplesKeepEveryExistingPoint) {
  SweepSpec spec = spec_of(DesignType::saltelli, 4);
  spec.samples = 8;
  const Design small = make_design(spec, 3);
  spec.samples = 32;
  const Design large = make_design(spec, 99);  // the Sobol' sequence is the same for every seed
  ASSERT_GT(large.points.size(), small.points.size());
  EXPECT_TRUE(std::equal(small.points.begin(), small.points.end(), large.points.begin()));
}

TEST(MorrisDesign, TrajectoriesMoveOneParameterByDeltaPerStep) {
  SweepSpec spec = spec_of(DesignType::morris, 4);
  spec.trajectories = 30;
  spec.levels = 6;
  const Design design = make_design(spec, 7);
  ASSERT_EQ(design.point_count, 30 * 5);
  const double delta = 6.0 / (2.0 * 5.0);
  auto unit = [&](std::int64_t p, std::size_t c) {
    const SweepParameter& s = spec.parameters[c];
    return (design.value(p, c) - s.low) / (s.high - s.low);
  };
  std::set<double> levels_seen;
  for (std::int64_t t = 0; t < 30; ++t) {
    const std::int64_t first = t * 5;
    EXPECT_EQ(design.places[static_cast<std::size_t>(first)].role, PointRole::start);
    std::set<std::int32_t> moved;
    for (std::int64_t k = 1; k <= 4; ++k) {
      const PointPlace& place = design.places[static_cast<std::size_t>(first + k)];
      EXPECT_EQ(place.role, PointRole::step);
      EXPECT_EQ(place.sample, t);
      moved.insert(place.parameter);
      for (std::size_t c = 0; c < 4; ++c) {
        const double step = unit(first + k, c) - unit(first + k - 1, c);
        if (static_cast<std::int32_t>(c) == place.parameter) {
          EXPECT_NEAR(std::abs(step), delta, 1e-12);
        } else {
          EXPECT_NEAR(step, 0.0, 1e-12);
        }
      }
    }
    EXPECT_EQ(moved.size(), 4u);  // every parameter moves once
    for (std::int64_t k = 0; k <= 4; ++k)
      for (std::size_t c = 0; c < 4; ++c) {
        const double level = unit(first + k, c) * 5.0;  // on the grid 0, 1/5, ..., 1
        EXPECT_NEAR(level, std::round(level), 1e-9);
        levels_seen.insert(std::round(level));
      }
  }
  EXPECT_EQ(levels_seen.size(), 6u);
}

TEST(MorrisDesign, MoreTrajectoriesKeepTheExistingOnesAndTheSeedChangesThem) {
  SweepSpec spec = spec_of(DesignType::morris, 3);
  spec.trajectories = 5;
  const Design small = make_design(spec, 11);
  spec.trajectories = 12;
  const Design large = make_design(spec, 11);
  EXPECT_TRUE(std::equal(small.points.begin(), small.points.end(), large.points.begin()));
  const Design other = make_design(spec, 12);
  EXPECT_NE(other.points, large.points);
}

TEST(SensitivityDesigns, RefuseSizesAndRangesThatCannotWork) {
  SweepSpec saltelli = spec_of(DesignType::saltelli, 2);
  saltelli.samples = 1;
  EXPECT_THROW(make_design(saltelli, 1), InputError);
  saltelli.samples = 4;
  saltelli.parameters[0].high = saltelli.parameters[0].low;  // zero width
  EXPECT_THROW(make_design(saltelli, 1), InputError);
  SweepSpec morris = spec_of(DesignType::morris, 2);
  morris.trajectories = 4;
  morris.levels = 5;  // odd
  EXPECT_THROW(make_design(morris, 1), InputError);
  morris.levels = 4;
  morris.trajectories = 1;
  EXPECT_THROW(make_design(morris, 1), InputError);
}

}  // namespace
}  // namespace loyalsim
