// Every input is checked once, by one rule per concept, the same for a dry
// run and a real run (README, "Guarantees"): the registry says what cannot be
// swept; check_every_point accepts exactly the design points whose model
// make_model builds; the sweep rules of core/sweep_spec are the ones
// make_design applies.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/parameters.hpp"
#include "core/sweep_spec.hpp"
#include "sweep/check_points.hpp"
#include "sweep/design.hpp"
#include "sweep/executor.hpp"

namespace loyalsim {
namespace {

Scenario two_firms() {
  Scenario s;
  s.market.customers = 100;
  s.market.months = 12;
  s.market.burn_in_months = 6;
  for (const char* name : {"A", "B"}) {
    FirmParams firm;
    firm.name = name;
    s.firms.push_back(firm);
  }
  SegmentParams segment;
  segment.name = "s";
  s.segments.push_back(segment);
  ScriptedDeparture d;
  d.month = -3;  // simulated with a burn-in of 4 months or more, not of 3
  d.firm = "A";
  d.to = "B";
  s.departures.push_back(d);
  return s;
}

Design grid_of(const std::string& path, std::vector<double> values) {
  SweepSpec spec;
  SweepParameter parameter;
  parameter.path = path;
  parameter.values = std::move(values);
  parameter.integer = true;
  spec.parameters.push_back(parameter);
  return make_design(spec, 1);
}

// True when make_model builds the point's model.
bool model_builds(const Scenario& base, const Design& design, std::int64_t point) {
  try {
    make_model(scenario_at_point(base, design, point), 1);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

// The horizon fixes the results file's shape (defect: a swept months passed
// the dry run and failed mid-run); shares must sum to 1. Both are marked in
// the registry, the one place the [sweep] reader asks.
TEST(SweepInputChecks, TheRegistryMarksMonthsAndShareAsNotSweepable) {
  for (const ParameterInfo& p : all_parameters()) {
    const bool fixed = p.name == "months" || p.name == "share";
    EXPECT_EQ(!p.not_sweepable.empty(), fixed) << p.name;
    const auto problem = sweep_path_problem("x." + std::string(p.name), &p);
    EXPECT_EQ(problem.has_value(), fixed) << p.name;
  }
  const auto months = sweep_path_problem("market.months", find_parameter(Scope::market, "months"));
  ASSERT_TRUE(months.has_value());
  EXPECT_NE(months->find("cannot be swept"), std::string::npos) << *months;
  EXPECT_NE(months->find("shape"), std::string::npos) << *months;
  EXPECT_TRUE(sweep_path_problem("seed", nullptr).has_value());
}

// Defect: a firm named "A/B" passed the dry run and failed creating its
// runs/ column. Any path HDF5 cannot use as a dataset name is refused.
TEST(SweepInputChecks, PathsThatCannotNameAnHdf5ColumnAreRefused) {
  const ParameterInfo* reps = find_parameter(Scope::firm, "reps");
  EXPECT_FALSE(sweep_path_problem("firms.A.B.reps", reps).has_value());
  EXPECT_TRUE(sweep_path_problem("firms.A/B.reps", reps).has_value());
  EXPECT_TRUE(sweep_path_problem(std::string("firms.A\0B.reps", 14), reps).has_value());
}

// make_design refuses what the rules of core/sweep_spec refuse: one rule,
// whoever asks.
TEST(SweepInputChecks, MakeDesignAppliesTheSharedRules) {
  SweepSpec spec;
  spec.design = DesignType::grid;
  SweepParameter duplicated;
  duplicated.path = "market.substitutability";
  duplicated.values = {0.5, 0.5};
  spec.parameters.push_back(duplicated);
  ASSERT_TRUE(sweep_values_problem(duplicated, DesignType::grid).has_value());
  EXPECT_THROW(make_design(spec, 1), InputError);

  spec.parameters[0].values = {0.1, 0.5};
  spec.samples = 0;
  spec.replicates = max_sweep_replicates + 1;
  EXPECT_TRUE(design_size(spec).problem.has_value());
  EXPECT_THROW(make_design(spec, 1), InputError);
}

// check_every_point (what --dry-run and a real run both call) accepts a
// point exactly when make_model (what each run calls) builds its model.
TEST(SweepInputChecks, CheckEveryPointAgreesWithMakeModelAtEveryPoint) {
  const Scenario base = two_firms();
  // Burn-in 3 (months -2..0) cannot hold the departure at month -3; 4 can.
  const Design burn_in = grid_of("market.burn_in_months", {6, 4, 3, 12});
  for (std::int64_t point = 0; point < burn_in.point_count; ++point) {
    Design one = burn_in;
    one.point_count = 1;
    one.points.assign(burn_in.point(point).begin(), burn_in.point(point).end());
    bool accepted = true;
    try {
      check_every_point(base, one);
    } catch (const InputError&) {
      accepted = false;
    }
    EXPECT_EQ(accepted, model_builds(base, burn_in, point)) << "burn-in " << burn_in.value(point, 0);
  }
  try {
    check_every_point(base, burn_in);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("design point 2"), std::string::npos) << message;
    EXPECT_NE(message.find("market.burn_in_months = 3"), std::string::npos) << message;
    EXPECT_NE(message.find("month -3"), std::string::npos) << message;
  }

  // Reps: 32-bit rep ids cap the headcount; the sweep's extent sums the
  // swept firm's reps with the others'.
  Scenario many = two_firms();
  many.firms[1].reps = 1000000000;
  const Design reps = grid_of("firms.A.reps", {0, 70000000, 80000000});
  for (std::int64_t point = 0; point < reps.point_count; ++point) {
    Design one = reps;
    one.point_count = 1;
    one.points.assign(reps.point(point).begin(), reps.point(point).end());
    bool accepted = true;
    try {
      check_every_point(many, one);
    } catch (const InputError&) {
      accepted = false;
    }
    EXPECT_EQ(accepted, model_builds(many, reps, point)) << "reps " << reps.value(point, 0);
  }
  EXPECT_THROW(check_every_point(many, reps), InputError);
}

// The extent a dry run prints from: every run's customer-months, the
// largest run, without building a model per point.
TEST(SweepInputChecks, TheExtentCoversEveryRun) {
  Scenario base = two_firms();
  SweepSpec spec;
  spec.replicates = 3;
  SweepParameter customers;
  customers.path = "market.customers";
  customers.values = {100, 400};
  customers.integer = true;
  spec.parameters.push_back(customers);
  const Design design = make_design(spec, 1);
  const SweepExtent extent = check_every_point(base, design);
  EXPECT_EQ(extent.largest_customers, 400);
  EXPECT_DOUBLE_EQ(extent.customer_months, 3.0 * (100 + 400) * (6 + 12));
  EXPECT_DOUBLE_EQ(extent.recorded_customer_months, 3.0 * (100 + 400) * 12);
  EXPECT_EQ(extent.largest_run_bytes, run_bytes(400, extent.largest_rep_capacity, 12, 2, 1));
}

}  // namespace
}  // namespace loyalsim
