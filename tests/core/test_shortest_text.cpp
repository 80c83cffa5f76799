// shortest_text_portable (the WebAssembly build's number text, without
// std::to_chars) writes exactly what std::to_chars writes natively: the
// page's "scenario as TOML" and its messages are the CLI's.
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "core/parameters.hpp"

namespace {

std::string native(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

TEST(ShortestText, PortableEqualsToCharsOnTypicalAndEdgeValues) {
  const double values[] = {0.0,
                           -0.0,
                           1.0,
                           -1.0,
                           0.5,
                           0.1,
                           0.7,
                           0.8,
                           0.95,
                           3.0,
                           10.0,
                           100.0,
                           1000.0,
                           1e4,
                           12345.0,
                           1e15,
                           1e16,
                           1e17,
                           1e21,
                           1e22,
                           1e23,
                           1e30,
                           1e-5,
                           1e-4,
                           0.001,
                           0.0123,
                           1.5e-7,
                           2e-8,
                           1.0 / 3.0,
                           2.0 / 3.0,
                           0.30000000000000004,
                           123456789012.0,
                           5e-324,
                           2.2250738585072014e-308,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest(),
                           std::numeric_limits<double>::epsilon(),
                           4000.0,
                           0.02,
                           0.15,
                           5000.0,
                           9007199254740993.0};
  for (const double v : values) EXPECT_EQ(loyalsim::shortest_text_portable(v), native(v)) << v;
}

TEST(ShortestText, PortableEqualsToCharsOnRandomValues) {
  std::mt19937_64 random(20261203);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 5000; ++i) {
    // Slider-like values (few decimals), uniform reals, and arbitrary bit patterns.
    const double slider = std::round(unit(random) * 1000.0) / 1000.0;
    const double real = unit(random) * std::pow(10.0, std::floor(unit(random) * 40.0 - 20.0));
    double bits = std::bit_cast<double>(random());
    if (!std::isfinite(bits)) bits = 1.0;
    for (const double v : {slider, real, -real, bits}) ASSERT_EQ(loyalsim::shortest_text_portable(v), native(v)) << v;
  }
}

}  // namespace
