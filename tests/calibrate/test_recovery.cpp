// Calibration recovers parameters from targets the engine itself produced,
// and warns about a parameter the targets cannot identify. The engine runs
// here for real: a small market, few replicates, a small budget.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "calibrate/calibration_file.hpp"
#include "calibrate/evaluator.hpp"
#include "calibrate/search.hpp"
#include "calibrate/standard_errors.hpp"

namespace loyalsim::calibrate {
namespace {

// Two firms whose reps leave often, one segment that follows its rep, and
// a segment with share 0 (no customers: its parameters change nothing).
// rep_weight moves both firms' follow rates, the Incumbent's service only
// its own: the two targets separate the two parameters.
const std::string calibration_text = R"(
[scenario]
seed = 3
[scenario.market]
customers = 2000
months = 36
burn_in_months = 6
substitutability = 0.7
[[scenario.firms]]
name = "Incumbent"
reps = 20
rep_turnover_annual = 0.35
to_competitor = 0.8
[[scenario.firms]]
name = "Rival"
reps = 20
rep_turnover_annual = 0.35
to_competitor = 0.8
[[scenario.segments]]
name = "complex"
share = 1.0
[[scenario.segments]]
name = "ghost"
share = 0.0

[[parameters]]
path = "segments.complex.rep_weight"
lower = 0.5
upper = 5.0
start = 1.2
[[parameters]]
path = "firms.Incumbent.service_touchpoints"
lower = 0.0
upper = 1.0
start = 0.2

[[targets]]
metric = "follow_rate"
firm = "Incumbent"
value = 0
se = 0.01
[[targets]]
metric = "follow_rate"
firm = "Rival"
value = 0
se = 0.01

[calibration]
replicates = 4
seed = 17
budget = 60
)";

const std::vector<double> truth{2.5, 0.7};

// The targets: the moments at the true parameters, with the calibration's
// own seeds (common random numbers), so the objective there is exactly 0.
CalibrationSpec spec_with_true_targets(const std::string& extra = "") {
  CalibrationSpec spec = parse_calibration_text(calibration_text + extra, "recovery.toml", "");
  std::vector<double> at = truth;
  at.resize(spec.parameters.size(), 1.0);
  const Evaluation at_truth = Evaluator(spec, nullptr).evaluate(at);
  for (std::size_t j = 0; j < spec.targets.size(); ++j) spec.targets[j].value = at_truth.moments.values[j];
  return spec;
}

struct Fit {
  std::vector<double> parameters;
  double objective = 0.0;
  StandardErrors errors;
};

Fit calibrate(const CalibrationSpec& spec) {
  const Evaluator evaluator(spec, nullptr);
  Trace trace;
  const SearchOutcome outcome = search(spec, evaluator, trace, {});
  EXPECT_FALSE(outcome.interrupted);
  EXPECT_LE(trace.search_evaluations, spec.search.budget);
  Fit fit;
  fit.parameters = trace.entries[*trace.best].parameters;
  fit.objective = trace.entries[*trace.best].objective;
  fit.errors =
      standard_errors(spec, trace.best_evaluation, moment_jacobian(spec, evaluator, fit.parameters, trace, {}));
  return fit;
}

TEST(CalibrationRecovery, RecoversTheParametersThatMadeTheTargets) {
  const CalibrationSpec spec = spec_with_true_targets();
  const Fit fit = calibrate(spec);
  // The tolerance. Near the truth theta*, m(theta) ~ m(theta*) + G (theta -
  // theta*), and the targets are m(theta*) exactly, so the objective is
  // f(theta) ~ (theta - theta*)' H (theta - theta*), H = G'WG. For any
  // point, Cauchy-Schwarz in the H metric bounds each coordinate:
  // |theta_k - theta*_k| <= sqrt(f(theta) (H^-1)_kk) = sqrt(f) x se_k,
  // se_k the targets-only standard error. So a fit with f < 1 lies within
  // one se_k of the truth in every parameter; the factor 2 allows for the
  // moments' curvature and the small steps that common random numbers
  // leave in them (the Jacobian is a secant over 5% of the bounds).
  EXPECT_LT(fit.objective, 1.0);
  for (std::size_t k = 0; k < truth.size(); ++k) {
    const double se = fit.errors.se_targets[k];
    const double width = spec.parameters[k].upper - spec.parameters[k].lower;
    // Not vacuous: the targets pin each parameter to a small part of its bounds.
    EXPECT_LT(se, 0.1 * width) << spec.parameters[k].path;
    EXPECT_NEAR(fit.parameters[k], truth[k], 2.0 * se) << spec.parameters[k].path;
    EXPECT_EQ(fit.errors.identified[k], Identified::yes) << spec.parameters[k].path;
  }
  EXPECT_TRUE(fit.errors.warnings.empty());
}

TEST(CalibrationRecovery, AParameterTheTargetsDoNotDependOnIsReported) {
  // The ghost segment has no customers: its rep_weight changes no run.
  CalibrationSpec spec = spec_with_true_targets(R"(
[[parameters]]
path = "segments.ghost.rep_weight"
lower = 0.5
upper = 5.0
)");
  spec.search.budget = 30;
  const Fit fit = calibrate(spec);
  EXPECT_EQ(fit.errors.identified[2], Identified::no);
  EXPECT_TRUE(std::isnan(fit.errors.se[2]));
  ASSERT_FALSE(fit.errors.warnings.empty());
  EXPECT_NE(fit.errors.warnings.front().find("segments.ghost.rep_weight has no effect on any target"),
            std::string::npos)
      << fit.errors.warnings.front();
  // The identified parameters keep their standard errors.
  EXPECT_FALSE(std::isnan(fit.errors.se[0]));
  EXPECT_FALSE(std::isnan(fit.errors.se[1]));
}

}  // namespace
}  // namespace loyalsim::calibrate

namespace loyalsim::calibrate {
namespace {

// A global stage and several local searches share one budget, each
// evaluation recorded under its stage, and the whole search repeats
// exactly (NLopt's generator and the scattered starts come from the
// calibration seed).
TEST(CalibrationSearch, StagesShareTheBudgetAndRepeatExactly) {
  for (const char* global : {"crs2", "isres"}) {
    CalibrationSpec spec =
        parse_calibration_text(calibration_text + "global = \"" + global + "\"\nstarts = 2\n", "stages.toml", "");
    spec.search.budget = 16;
    const Evaluator evaluator(spec, nullptr);
    Trace first, second;
    search(spec, evaluator, first, {});
    search(spec, evaluator, second, {});
    EXPECT_EQ(first.search_evaluations, 16) << global;
    std::vector<int> per_stage(3, 0);
    for (const TraceEntry& e : first.entries) ++per_stage.at(static_cast<std::size_t>(e.stage));
    EXPECT_EQ(per_stage[0], 8) << global;  // half the budget
    EXPECT_GT(per_stage[1], 0) << global;
    EXPECT_GT(per_stage[2], 0) << global;
    ASSERT_EQ(first.entries.size(), second.entries.size());
    for (std::size_t i = 0; i < first.entries.size(); ++i) {
      EXPECT_EQ(first.entries[i].parameters, second.entries[i].parameters) << global << " evaluation " << i;
      EXPECT_EQ(first.entries[i].objective, second.entries[i].objective) << global << " evaluation " << i;
    }
  }
}

}  // namespace
}  // namespace loyalsim::calibrate
