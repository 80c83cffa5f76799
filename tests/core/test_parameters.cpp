// The parameter registry (core/parameters.hpp) and the model derived from a
// scenario (core/model.hpp): names match docs/MODEL.md section 9, defaults are
// valid, check() rejects what it should, parameter paths resolve and typos
// get a "did you mean" hint.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "tiny_models.hpp"

namespace loyalsim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

std::set<std::string> names(Scope scope) {
  const auto v = parameter_names(scope);
  return {v.begin(), v.end()};
}

// docs/MODEL.md section 9 lists the parameters (rep_skill_sd sits in
// [market], section 7.7); the registry must name exactly these, once each.
TEST(Parameters, RegistryNamesExactlyTheSpecParameters) {
  EXPECT_EQ(names(Scope::market),
            (std::set<std::string>{"customers", "months", "burn_in_months", "substitutability", "acquisition_rate",
                                   "initial_attached_share", "rep_skill_sd"}));
  EXPECT_EQ(names(Scope::firm), (std::set<std::string>{"reps", "brand_strength", "service_touchpoints",
                                                       "relationship_transfer", "handoff_quality", "non_solicit",
                                                       "rep_turnover_annual", "to_competitor", "vacancy_months"}));
  EXPECT_EQ(names(Scope::segment),
            (std::set<std::string>{"share", "brand_weight", "rep_weight", "service_weight", "switching_cost",
                                   "outside_utility", "decision_noise", "brand_growth", "service_growth", "rep_growth",
                                   "brand_decay", "rep_decay", "churn_annual", "monthly_value", "initial_brand_loyalty",
                                   "initial_rep_loyalty"}));
  for (const Scope scope : {Scope::market, Scope::firm, Scope::segment})
    EXPECT_EQ(parameter_names(scope).size(), names(scope).size()) << "duplicate name in " << scope_table_name(scope);
}

TEST(Parameters, EveryDefaultLiesInsideItsValidRange) {
  for (const auto& p : all_parameters()) {
    const auto problem = p.check(p.default_value());
    EXPECT_FALSE(problem.has_value()) << p.name << " default " << p.default_value() << ": " << problem.value_or("");
    EXPECT_FALSE(p.unit.empty()) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
  }
}

// Bounds docs/MODEL.md section 9 states explicitly: [0,1] for shares and probabilities,
// rep_turnover_annual and churn_annual in [0,1), decision_noise > 0.
TEST(Parameters, RangesFollowSpecBounds) {
  const auto range = [](Scope s, const char* n) { return find_parameter(s, n)->range_text(); };
  EXPECT_EQ(range(Scope::market, "substitutability"), "[0, 1]");
  EXPECT_EQ(range(Scope::firm, "rep_turnover_annual"), "[0, 1)");
  EXPECT_EQ(range(Scope::segment, "churn_annual"), "[0, 1)");
  EXPECT_EQ(range(Scope::segment, "decision_noise"), "(0, inf)");
  for (const char* n : {"brand_strength", "service_touchpoints", "relationship_transfer", "handoff_quality",
                        "non_solicit", "to_competitor"})
    EXPECT_EQ(range(Scope::firm, n), "[0, 1]") << n;
  for (const char* n : {"share", "initial_brand_loyalty", "initial_rep_loyalty"})
    EXPECT_EQ(range(Scope::segment, n), "[0, 1]") << n;
}

// Every bound rejects what lies beyond it (or the bound itself when open),
// accepts the bound when closed; NaN and infinities are always rejected;
// integer parameters reject fractions.
TEST(Parameters, CheckRejectsOutOfRangeNonFiniteAndFractionalValues) {
  for (const auto& p : all_parameters()) {
    SCOPED_TRACE(std::string(p.name));
    EXPECT_TRUE(p.check(nan).has_value());
    EXPECT_TRUE(p.check(inf).has_value());
    EXPECT_TRUE(p.check(-inf).has_value());
    if (std::isfinite(p.low)) {
      EXPECT_TRUE(p.check(p.low - 1.0).has_value());
      EXPECT_EQ(p.check(p.low).has_value(), p.low_open);
      if (p.kind == ValueKind::real) {
        EXPECT_TRUE(p.check(p.low - 1e-9).has_value());
      }
    }
    if (std::isfinite(p.high)) {
      EXPECT_TRUE(p.check(p.high + 1.0).has_value());
      EXPECT_EQ(p.check(p.high).has_value(), p.high_open);
      if (p.kind == ValueKind::real) {
        EXPECT_TRUE(p.check(p.high + 1e-9).has_value());
      }
    }
    if (p.kind == ValueKind::integer) {
      const double inside = std::isfinite(p.low) ? p.low + 1.0 : 1.0;
      EXPECT_FALSE(p.check(inside).has_value());
      const auto fraction = p.check(inside + 0.5);
      ASSERT_TRUE(fraction.has_value());
      EXPECT_NE(fraction->find("whole"), std::string::npos) << *fraction;
    }
  }
  const auto out = find_parameter(Scope::market, "substitutability")->check(1.5);
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("[0, 1]"), std::string::npos) << *out;
  EXPECT_TRUE(find_parameter(Scope::segment, "decision_noise")->check(0.0).has_value());
  EXPECT_TRUE(find_parameter(Scope::firm, "rep_turnover_annual")->check(1.0).has_value());
  EXPECT_TRUE(find_parameter(Scope::market, "customers")->check(0.0).has_value());
}

Scenario two_firm_scenario() {
  Scenario sc = test::quiet_scenario(100, 12);
  sc.firms = {test::quiet_firm("Incumbent", 5), test::quiet_firm("Acme.Inc", 3)};
  sc.segments = {test::frozen_segment("complex_solution", 0.5), test::frozen_segment("simple_product", 0.5)};
  return sc;
}

TEST(Parameters, PathsResolveToMarketFirmAndSegmentValues) {
  Scenario sc = two_firm_scenario();
  const auto s = resolve_parameter_path(sc, "market.substitutability");
  ASSERT_NE(s.info, nullptr);
  EXPECT_EQ(s.info->scope, Scope::market);
  s.set(sc, 0.7);
  EXPECT_EQ(sc.market.substitutability, 0.7);
  EXPECT_EQ(s.get(sc), 0.7);

  const auto firm = resolve_parameter_path(sc, "firms.Incumbent.service_touchpoints");
  ASSERT_NE(firm.info, nullptr);
  EXPECT_EQ(firm.index, 0u);
  firm.set(sc, 0.8);
  EXPECT_EQ(sc.firms[0].service_touchpoints, 0.8);
  EXPECT_EQ(sc.firms[1].service_touchpoints, 0.0);

  // A firm name containing a dot: the parameter is what follows the last dot.
  const auto dotted = resolve_parameter_path(sc, "firms.Acme.Inc.reps");
  ASSERT_NE(dotted.info, nullptr);
  EXPECT_EQ(dotted.index, 1u);
  dotted.set(sc, 9);
  EXPECT_EQ(sc.firms[1].reps, 9);

  const auto seg = resolve_parameter_path(sc, "segments.simple_product.rep_weight");
  ASSERT_NE(seg.info, nullptr);
  EXPECT_EQ(seg.index, 1u);
  seg.set(sc, 3.5);
  EXPECT_EQ(sc.segments[1].rep_weight, 3.5);
  EXPECT_EQ(sc.segments[0].rep_weight, 1.0);

  const auto integer = resolve_parameter_path(sc, "market.customers");
  integer.set(sc, 500);
  EXPECT_EQ(sc.market.customers, 500);

  const auto seed = resolve_parameter_path(sc, "seed");
  EXPECT_EQ(seed.info, nullptr);
  seed.set(sc, 42);
  EXPECT_EQ(sc.seed, 42u);
  EXPECT_EQ(seed.get(sc), 42.0);
}

TEST(Parameters, TiedPathsSetEveryFirmOrSegment) {
  Scenario sc = two_firm_scenario();
  const ParameterTargets firms = resolve_parameter_targets(sc, "firms.*.non_solicit");
  ASSERT_NE(firms.info, nullptr);
  EXPECT_TRUE(firms.tied);
  ASSERT_EQ(firms.paths.size(), 2u);
  EXPECT_EQ(firms.paths[1].text, "firms.Acme.Inc.non_solicit");
  firms.set(sc, 0.75);
  EXPECT_EQ(sc.firms[0].non_solicit, 0.75);
  EXPECT_EQ(sc.firms[1].non_solicit, 0.75);

  const ParameterTargets segments = resolve_parameter_targets(sc, "segments.*.rep_weight");
  segments.set(sc, 2.5);
  EXPECT_EQ(sc.segments[0].rep_weight, 2.5);
  EXPECT_EQ(sc.segments[1].rep_weight, 2.5);

  // A plain path resolves as before, to one value.
  const ParameterTargets plain = resolve_parameter_targets(sc, "firms.Incumbent.reps");
  EXPECT_FALSE(plain.tied);
  ASSERT_EQ(plain.paths.size(), 1u);
  EXPECT_TRUE(firms.overlaps(resolve_parameter_targets(sc, "firms.Acme.Inc.non_solicit")));
  EXPECT_FALSE(firms.overlaps(plain));
  EXPECT_FALSE(firms.overlaps(segments));
}

std::string tied_error_of(const Scenario& sc, const std::string& path) {
  try {
    resolve_parameter_targets(sc, path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Parameters, TiedPathsRefuseUnknownNamesMarketAndEmptyTables) {
  Scenario sc = two_firm_scenario();
  EXPECT_NE(tied_error_of(sc, "firms.*.non_solicitt").find("did you mean 'firms.*.non_solicit'"), std::string::npos)
      << tied_error_of(sc, "firms.*.non_solicitt");
  // A segment parameter is not a firm's.
  EXPECT_NE(tied_error_of(sc, "firms.*.rep_weight").find("unknown parameter path"), std::string::npos);
  EXPECT_NE(tied_error_of(sc, "market.*.customers").find("unknown parameter path"), std::string::npos);
  EXPECT_NE(tied_error_of(sc, "firms.*").find("unknown parameter path"), std::string::npos);
  sc.firms.clear();
  EXPECT_NE(tied_error_of(sc, "firms.*.reps").find("the scenario has none"), std::string::npos)
      << tied_error_of(sc, "firms.*.reps");
}

std::string error_of(const Scenario& sc, const std::string& path) {
  try {
    resolve_parameter_path(sc, path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Parameters, TypoInPathSuggestsNearestValidPath) {
  const Scenario sc = two_firm_scenario();
  EXPECT_NE(error_of(sc, "market.substitutabilty").find("did you mean 'market.substitutability'"), std::string::npos)
      << error_of(sc, "market.substitutabilty");
  EXPECT_NE(error_of(sc, "firms.Incumbnt.reps").find("did you mean 'firms.Incumbent.reps'"), std::string::npos)
      << error_of(sc, "firms.Incumbnt.reps");
  EXPECT_NE(
      error_of(sc, "segments.simple_product.rep_wieght").find("did you mean 'segments.simple_product.rep_weight'"),
      std::string::npos)
      << error_of(sc, "segments.simple_product.rep_wieght");
}

// A parameter in the wrong table, an unknown entity or a path with nothing
// near it is an InputError naming the path.
TEST(Parameters, UnresolvablePathsAreInputErrorsNamingThePath) {
  const Scenario sc = two_firm_scenario();
  for (const std::string path : {"market.rep_weight", "firms.Nobody.reps", "segments.complex_solution",
                                 "substitutability", "firms.Incumbent.reps.extra", "zzzzzzzzzzzzzzzzzzzzzz"}) {
    const std::string message = error_of(sc, path);
    EXPECT_NE(message, "(no error)") << path;
    EXPECT_NE(message.find(path), std::string::npos) << message;
  }
  EXPECT_EQ(error_of(sc, "zzzzzzzzzzzzzzzzzzzzzz").find("did you mean"), std::string::npos);
}

TEST(Parameters, NearestNameFindsCloseTyposOnly) {
  const std::vector<std::string> candidates{"brand_weight", "rep_weight", "service_weight", "switching_cost"};
  EXPECT_EQ(nearest_name("rep_wieght", candidates), "rep_weight");
  EXPECT_EQ(nearest_name("brand_weigth", candidates), "brand_weight");
  EXPECT_EQ(nearest_name("switching_cost", candidates), "switching_cost");
  EXPECT_EQ(nearest_name("monthly_value", candidates), "");
  EXPECT_EQ(nearest_name("x", std::vector<std::string>{}), "");
}

// The model derives monthly probabilities so that twelve months compound to
// the annual one: (1 - m)^12 = 1 - annual.
TEST(Parameters, ModelDerivesMonthlyProbabilitiesThatCompoundToAnnual) {
  Scenario sc = two_firm_scenario();
  sc.firms[0].rep_turnover_annual = 0.35;
  sc.firms[1].rep_turnover_annual = 0.0;
  sc.segments[0].churn_annual = 0.9;
  sc.segments[1].churn_annual = 0.12;
  const Model model = make_model(sc, 1);
  for (std::size_t f = 0; f < 2; ++f)
    EXPECT_NEAR(std::pow(1.0 - model.departure_probability[f], 12), 1.0 - sc.firms[f].rep_turnover_annual, 1e-12);
  for (std::size_t s = 0; s < 2; ++s)
    EXPECT_NEAR(std::pow(1.0 - model.churn_probability[s], 12), 1.0 - sc.segments[s].churn_annual, 1e-12);
  EXPECT_EQ(model.steps, sc.market.burn_in_months + sc.market.months);
}

// Month numbering: recorded months are 1..months, burn-in months up to 0.
TEST(Parameters, ScriptedDepartureMonthsMapToSteps) {
  Scenario sc = two_firm_scenario();
  sc.market.burn_in_months = 4;
  sc.departures = {test::departure(1, 1, "Incumbent", "industry"), test::departure(-3, 1, "Incumbent", "Acme.Inc")};
  const Model model = make_model(sc, 1);
  ASSERT_EQ(model.scripted.size(), 2u);
  EXPECT_EQ(model.scripted[0].step, 0);  // sorted by step: month -3 is the first simulated month
  EXPECT_EQ(model.scripted[0].to, 1);
  EXPECT_EQ(model.scripted[1].step, 4);
  EXPECT_EQ(model.scripted[1].to, to_industry);
  EXPECT_EQ(model.month_of_step(0), -3);
  EXPECT_EQ(model.step_of_month(1), 4);
}

TEST(Parameters, ModelRejectsInconsistentScriptedDepartures) {
  const auto throws = [](const ScriptedDeparture& d) {
    Scenario sc = two_firm_scenario();
    sc.departures = {d};
    EXPECT_THROW(make_model(sc, 1), InputError) << d.firm << " -> " << d.to << " month " << d.month;
  };
  throws(test::departure(1, 1, "Nobody", "industry"));
  throws(test::departure(1, 1, "Incumbent", "Nobody"));
  throws(test::departure(1, 1, "Incumbent", "Incumbent"));
  throws(test::departure(13, 1, "Incumbent", "industry"));  // months = 12
  throws(test::departure(0, 1, "Incumbent", "industry"));   // no burn-in
  Scenario none = two_firm_scenario();
  none.firms.clear();
  EXPECT_THROW(make_model(none, 1), InputError);
}

}  // namespace
}  // namespace loyalsim
