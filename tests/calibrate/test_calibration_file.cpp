// What a valid calibration file means: defaults, an inline scenario, pooled
// selections, se versus weight. Refusals (exit 2, file:line:key) are in
// the bad-input catalogue, tests/bad_inputs/calibrate-*.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "calibrate/calibration_file.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"

namespace loyalsim::calibrate {
namespace {

const std::string inline_scenario = R"(
[scenario]
seed = 5
[scenario.market]
customers = 500
months = 12
[[scenario.firms]]
name = "A"
non_solicit = 0.2
[[scenario.firms]]
name = "B"
[[scenario.segments]]
name = "s"
share = 0.5
[[scenario.segments]]
name = "t"
share = 0.5
)";

CalibrationSpec parse(const std::string& text) { return parse_calibration_text(text, "test.toml", ""); }

TEST(CalibrationFile, DefaultsAndInlineScenario) {
  const CalibrationSpec spec = parse(inline_scenario + R"(
[[parameters]]
path = "firms.A.non_solicit"
lower = 0.0
upper = 0.5

[[parameters]]
path = "segments.t.rep_weight"
lower = 2.0
upper = 4.0

[[targets]]
metric = "follow_rate"
value = 0.3
weight = 4

[[targets]]
metric = "firm_retention_rate"
firm = "B"
segment = "*"
value = 0.6
se = 0.05
)");
  EXPECT_EQ(spec.scenario.market.customers, 500);
  EXPECT_EQ(spec.scenario.firms.size(), 2u);
  EXPECT_EQ(spec.scenario_path, "test.toml");
  // The scenario's seed, unless [calibration] seed says otherwise.
  EXPECT_EQ(spec.search.seed, 5u);
  EXPECT_EQ(spec.scenario.seed, 5u);
  EXPECT_EQ(spec.search.replicates, 8);
  EXPECT_EQ(spec.search.budget, 200);
  EXPECT_EQ(spec.search.algorithm, LocalAlgorithm::bobyqa);
  EXPECT_EQ(spec.search.global, GlobalAlgorithm::none);
  // start: the scenario's value inside the bounds, else their middle.
  EXPECT_DOUBLE_EQ(spec.parameters[0].start, 0.2);
  EXPECT_DOUBLE_EQ(spec.parameters[1].start, 3.0);
  EXPECT_EQ(spec.parameters[1].units, "utility");
  // Targets: pooled selections, weight as given, se as 1/se^2.
  EXPECT_EQ(spec.targets[0].metric, index_of(Total::follow_rate));
  EXPECT_TRUE(spec.targets[0].firm.all());
  EXPECT_TRUE(spec.targets[0].segment.all());
  EXPECT_DOUBLE_EQ(spec.targets[0].weight, 4.0);
  EXPECT_FALSE(spec.targets[0].se.has_value());
  EXPECT_EQ(spec.targets[0].label, "follow_rate[*, *]");
  EXPECT_EQ(spec.targets[1].firm.index, std::optional<std::size_t>(1));
  EXPECT_DOUBLE_EQ(spec.targets[1].weight, 400.0);
  EXPECT_EQ(spec.targets[1].label, "firm_retention_rate[B, *]");
}

TEST(CalibrationFile, SettingsAreRead) {
  const CalibrationSpec spec = parse(inline_scenario + R"(
[[parameters]]
path = "market.substitutability"
lower = 0.1
upper = 0.9
start = 0.8
[[targets]]
metric = "follow_rate"
segment = "s"
value = 0.3
se = 0.1
[calibration]
replicates = 3
seed = 99
budget = 40
algorithm = "neldermead"
global = "crs2"
starts = 2
tolerance = 0.01
jacobian_step = 0.1
)");
  EXPECT_EQ(spec.search.replicates, 3);
  EXPECT_EQ(spec.search.seed, 99u);
  EXPECT_EQ(spec.scenario.seed, 99u);  // the runs' seeds come from it
  EXPECT_EQ(spec.search.budget, 40);
  EXPECT_EQ(spec.search.algorithm, LocalAlgorithm::neldermead);
  EXPECT_EQ(spec.search.global, GlobalAlgorithm::crs2);
  EXPECT_EQ(spec.search.starts, 2);
  EXPECT_DOUBLE_EQ(spec.search.tolerance, 0.01);
  EXPECT_DOUBLE_EQ(spec.search.jacobian_step, 0.1);
  EXPECT_DOUBLE_EQ(spec.parameters[0].start, 0.8);
  EXPECT_EQ(spec.targets[0].segment.index, std::optional<std::size_t>(0));
}

TEST(CalibrationFile, EveryMetricOfTheRegistryIsATarget) {
  for (const MetricInfo& metric : summary_metrics) {
    const CalibrationSpec spec = parse(inline_scenario + R"(
[[parameters]]
path = "market.substitutability"
lower = 0.1
upper = 0.9
[[targets]]
metric = ")" + std::string(metric.name) +
                                       R"("
value = 1
se = 1
)");
    EXPECT_EQ(summary_metrics[spec.targets[0].metric].name, metric.name);
  }
}

TEST(CalibrationFile, AnInlineScenarioProblemNamesItsLine) {
  try {
    parse(inline_scenario + "[scenario.markt]\ncustomers = 3\n");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("test.toml:18:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("did you mean 'market'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace loyalsim::calibrate
