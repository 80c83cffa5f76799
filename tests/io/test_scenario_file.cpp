// Scenario files: what parses, and every kind of bad input with a message
// that names the file, line, column and key.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "io/scenario_file.hpp"

namespace loyalsim::io {
namespace {

const std::string minimal = R"(
[[firms]]
name = "A"
[[segments]]
name = "s"
)";

// The message of the InputError that parsing `text` throws ("" if none).
std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "test.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioFile, MinimalScenarioTakesEveryDefaultFromTheRegistry) {
  const Scenario s = parse_scenario(minimal, "test.toml");
  EXPECT_EQ(s.seed, 1u);
  ASSERT_EQ(s.firms.size(), 1u);
  ASSERT_EQ(s.segments.size(), 1u);
  for (const ParameterInfo& p : all_parameters()) {
    const void* owner = p.scope == Scope::market ? static_cast<const void*>(&s.market)
                        : p.scope == Scope::firm ? static_cast<const void*>(&s.firms[0])
                                                 : static_cast<const void*>(&s.segments[0]);
    EXPECT_EQ(p.get(owner), p.default_value()) << p.name;
  }
}

TEST(ScenarioFile, EveryValueIsReadIntoItsField) {
  const Scenario s = parse_scenario(R"(
seed = 7
[market]
customers = 2000
substitutability = 0.7
[[firms]]
name = "Incumbent"
reps = 28
service_touchpoints = 0.9
[[firms]]
name = "Rival"
[[segments]]
name = "complex_solution"
share = 0.4
rep_weight = 3
[[segments]]
name = "simple_product"
share = 0.6
[[departures]]
month = 5
count = 2
firm = "Incumbent"
which = "random"
to = "Rival"
)",
                                    "test.toml");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.market.customers, 2000);
  EXPECT_DOUBLE_EQ(s.market.substitutability, 0.7);
  EXPECT_EQ(s.firms[0].reps, 28);
  EXPECT_DOUBLE_EQ(s.firms[0].service_touchpoints, 0.9);
  EXPECT_EQ(s.firms[1].name, "Rival");
  EXPECT_DOUBLE_EQ(s.segments[0].rep_weight, 3.0);  // an integer is accepted for a real
  ASSERT_EQ(s.departures.size(), 1u);
  EXPECT_EQ(s.departures[0].month, 5);
  EXPECT_EQ(s.departures[0].count, 2);
  EXPECT_EQ(s.departures[0].which, "random");
  EXPECT_EQ(s.departures[0].to, "Rival");
}

TEST(ScenarioFile, UnknownKeyNamesLineColumnAndNearestValidName) {
  const std::string e = error_of("[market]\ncustomrs = 10\n" + minimal);
  EXPECT_NE(e.find("test.toml:2:1"), std::string::npos) << e;
  EXPECT_NE(e.find("key 'market.customrs'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'customers'"), std::string::npos) << e;
}

TEST(ScenarioFile, UnknownFirmKeySuggestsTheFirmParameter) {
  const std::string e = error_of("[[firms]]\nname = \"A\"\nnon_solicitt = 1\n[[segments]]\nname = \"s\"\n");
  EXPECT_NE(e.find("test.toml:3:1"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'non_solicit'"), std::string::npos) << e;
}

TEST(ScenarioFile, UnknownTopLevelKeyIsRejected) {
  const std::string e = error_of("sed = 3\n" + minimal);
  EXPECT_NE(e.find("did you mean 'seed'"), std::string::npos) << e;
}

TEST(ScenarioFile, WrongTypeNamesTheKeyAndTheTypes) {
  const std::string e = error_of("[market]\nsubstitutability = \"high\"\n" + minimal);
  EXPECT_NE(e.find("test.toml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("market.substitutability"), std::string::npos) << e;
  EXPECT_NE(e.find("expected a number, found a string"), std::string::npos) << e;
}

TEST(ScenarioFile, WholeNumberWrittenAsFloatIsAccepted) {
  const Scenario s = parse_scenario("[market]\ncustomers = 1e6\n" + minimal, "test.toml");
  EXPECT_EQ(s.market.customers, 1000000);
}

TEST(ScenarioFile, FractionalValueForAWholeNumberIsRejected) {
  const std::string e = error_of("[market]\nmonths = 12.5\n" + minimal);
  EXPECT_NE(e.find("market.months"), std::string::npos) << e;
  EXPECT_NE(e.find("whole number"), std::string::npos) << e;
}

TEST(ScenarioFile, OutOfRangeValueNamesItsLimits) {
  const std::string e = error_of("[market]\nsubstitutability = 1.5\n" + minimal);
  EXPECT_NE(e.find("test.toml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("must be in [0, 1]"), std::string::npos) << e;
}

TEST(ScenarioFile, OpenBoundsAreEnforced) {
  EXPECT_NE(error_of(minimal + "decision_noise = 0\n").find("(0, inf)"), std::string::npos);
  const std::string e = error_of("[[firms]]\nname = \"A\"\nrep_turnover_annual = 1.0\n[[segments]]\nname = \"s\"\n");
  EXPECT_NE(e.find("[0, 1)"), std::string::npos) << e;
}

TEST(ScenarioFile, NonFiniteNumbersAreRejected) {
  EXPECT_NE(error_of(minimal + "outside_utility = nan\n").find("finite"), std::string::npos);
  EXPECT_NE(error_of(minimal + "monthly_value = inf\n").find("finite"), std::string::npos);
}

TEST(ScenarioFile, SharesNotSummingToOneAreRejectedWithEachShare) {
  const std::string e = error_of(
      "[[firms]]\nname = \"A\"\n[[segments]]\nname = \"x\"\nshare = 0.5\n[[segments]]\nname = \"y\"\nshare = 0.4\n");
  EXPECT_NE(e.find("sum to 1"), std::string::npos) << e;
  EXPECT_NE(e.find("x=0.5"), std::string::npos) << e;
  EXPECT_NE(e.find("sum to 0.9"), std::string::npos) << e;
}

TEST(ScenarioFile, DuplicateNamesAreRejectedAtTheSecondName) {
  const std::string firms = error_of("[[firms]]\nname = \"A\"\n[[firms]]\nname = \"A\"\n[[segments]]\nname = \"s\"\n");
  EXPECT_NE(firms.find("test.toml:4:"), std::string::npos) << firms;
  EXPECT_NE(firms.find("duplicate name 'A'"), std::string::npos) << firms;
  const std::string segments = error_of(
      "[[firms]]\nname = \"A\"\n[[segments]]\nname = \"s\"\nshare = 0.5\n[[segments]]\nname = \"s\"\nshare = 0.5\n");
  EXPECT_NE(segments.find("duplicate name 's'"), std::string::npos) << segments;
}

TEST(ScenarioFile, MissingNamesAndTablesAreRejected) {
  EXPECT_NE(error_of("[[firms]]\nreps = 3\n[[segments]]\nname = \"s\"\n").find("needs a name"), std::string::npos);
  EXPECT_NE(error_of("[[segments]]\nname = \"s\"\n").find("at least one firm"), std::string::npos);
  EXPECT_NE(error_of("[[firms]]\nname = \"A\"\n").find("at least one segment"), std::string::npos);
  EXPECT_NE(error_of("firms = 3\n[[segments]]\nname = \"s\"\n").find("array of tables"), std::string::npos);
  EXPECT_NE(error_of("market = 3\n" + minimal).find("expected a table"), std::string::npos);
}

TEST(ScenarioFile, SyntaxErrorNamesLineAndColumn) {
  const std::string e = error_of("[market\ncustomers = 10\n");
  EXPECT_NE(e.find("test.toml:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("TOML syntax error"), std::string::npos) << e;
}

TEST(ScenarioFile, BadScriptedDeparturesAreRejected) {
  const std::string base = "[[firms]]\nname = \"Alpha\"\n[[firms]]\nname = \"Beta\"\n[[segments]]\nname = \"s\"\n";
  const std::string unknown_firm = error_of(base + "[[departures]]\nmonth = 2\nfirm = \"Alpah\"\n");
  EXPECT_NE(unknown_firm.find("did you mean 'Alpha'"), std::string::npos) << unknown_firm;
  const std::string bad_which = error_of(base + "[[departures]]\nmonth = 2\nfirm = \"Alpha\"\nwhich = \"best\"\n");
  EXPECT_NE(bad_which.find("largest_book"), std::string::npos) << bad_which;
  const std::string late = error_of(base + "[[departures]]\nmonth = 500\nfirm = \"Alpha\"\n");
  EXPECT_NE(late.find("departures[1].month"), std::string::npos) << late;
  const std::string self = error_of(base + "[[departures]]\nmonth = 2\nfirm = \"Alpha\"\nto = \"Alpha\"\n");
  EXPECT_NE(self.find("must differ"), std::string::npos) << self;
  const std::string extra = error_of(base + "[[departures]]\nmonth = 2\nfirm = \"Alpha\"\ncuont = 2\n");
  EXPECT_NE(extra.find("did you mean 'count'"), std::string::npos) << extra;
}

TEST(ScenarioFile, MissingFileAndDirectoryAreInputErrors) {
  EXPECT_THROW(load_scenario("/nonexistent/loyalsim.toml"), InputError);
  EXPECT_THROW(load_scenario(LOYALSIM_TEST_DATA), InputError);
}

TEST(ScenarioFile, LoadKeepsTheTextAndTheStemAsName) {
  const ScenarioFile file = load_scenario(std::string(LOYALSIM_TEST_DATA) + "/tiny.toml");
  EXPECT_EQ(file.name, "tiny");
  EXPECT_NE(file.text.find("[[departures]]"), std::string::npos);
  EXPECT_EQ(file.scenario.firms.size(), 2u);
}

TEST(ScenarioFile, ResolvedTomlReadsBackToTheSameScenario) {
  Scenario s = load_scenario(std::string(LOYALSIM_TEST_DATA) + "/tiny.toml").scenario;
  s.market.substitutability = 0.1 + 0.2;  // a value with no short decimal form
  s.firms[1].name = "Quote \"and\" back\\slash";
  s.departures[0].to = s.firms[1].name;
  const Scenario back = parse_scenario(to_toml(s), "resolved");
  EXPECT_EQ(back.seed, s.seed);
  EXPECT_EQ(back.firms[1].name, s.firms[1].name);
  ASSERT_EQ(back.departures.size(), s.departures.size());
  EXPECT_EQ(back.departures[0].to, s.departures[0].to);
  for (const ParameterInfo& p : all_parameters()) {
    const std::size_t entities = p.scope == Scope::market ? 1
                                 : p.scope == Scope::firm ? s.firms.size()
                                                          : s.segments.size();
    for (std::size_t i = 0; i < entities; ++i) {
      const auto owner = [&](const Scenario& x) -> const void* {
        return p.scope == Scope::market ? static_cast<const void*>(&x.market)
               : p.scope == Scope::firm ? static_cast<const void*>(&x.firms[i])
                                        : static_cast<const void*>(&x.segments[i]);
      };
      EXPECT_EQ(p.get(owner(back)), p.get(owner(s))) << p.name;
    }
  }
}

TEST(Overrides, SetChangesMarketFirmAndSegmentValues) {
  Scenario s = parse_scenario(minimal, "test.toml");
  apply_override(s, "market.substitutability=0.25");
  apply_override(s, "firms.A.reps = 12");
  apply_override(s, "segments.s.rep_weight=4");
  apply_override(s, "seed=99");
  EXPECT_DOUBLE_EQ(s.market.substitutability, 0.25);
  EXPECT_EQ(s.firms[0].reps, 12);
  EXPECT_DOUBLE_EQ(s.segments[0].rep_weight, 4.0);
  EXPECT_EQ(s.seed, 99u);
}

TEST(Overrides, BadOverridesNameTheOptionAndTheProblem) {
  Scenario s = parse_scenario(minimal, "test.toml");
  auto message = [&](const std::string& assignment) {
    try {
      apply_override(s, assignment);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("market.substitutabilty=0.5").find("did you mean 'market.substitutability'"), std::string::npos);
  EXPECT_NE(message("market.substitutability=2").find("must be in [0, 1]"), std::string::npos);
  EXPECT_NE(message("market.substitutability=high").find("not a number"), std::string::npos);
  EXPECT_NE(message("market.substitutability").find("PATH=VALUE"), std::string::npos);
  EXPECT_NE(message("firms.B.reps=3").find("unknown parameter path"), std::string::npos);
  EXPECT_NE(message("market.months=1.5").find("whole number"), std::string::npos);
  EXPECT_NE(message("segments.s.share=0.5").find("sum to 0.5"), std::string::npos);
}

}  // namespace
}  // namespace loyalsim::io

namespace loyalsim::io {
namespace {

// Seeds and integer parameters: exact when written as integers, range-checked
// before any conversion when written as floats, in the file and in --set.
std::string set_error(Scenario& s, const std::string& assignment) {
  try {
    apply_override(s, assignment);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::string one_firm = "[[firms]]\nname = \"A\"\n[[segments]]\nname = \"s\"\n";

TEST(Seeds, ASeedIsReadExactlyUpToTwoToThe63MinusOne) {
  EXPECT_EQ(parse_scenario("seed = 9007199254740993\n" + one_firm, "t").seed, 9007199254740993u);
  EXPECT_EQ(parse_scenario("seed = 9223372036854775807\n" + one_firm, "t").seed, 9223372036854775807u);
  Scenario s = parse_scenario(one_firm, "t");
  apply_override(s, "seed=9007199254740993");  // went through a double: ...992
  EXPECT_EQ(s.seed, 9007199254740993u);
  apply_override(s, "seed=1e3");
  EXPECT_EQ(s.seed, 1000u);
  EXPECT_EQ(parse_seed("9223372036854775807", "--seed"), 9223372036854775807u);
  EXPECT_EQ(parse_seed(" 42 ", "--seed"), 42u);
}

TEST(Seeds, ASeedOutOfRangeOrInexactIsRefused) {
  Scenario s = parse_scenario(one_firm, "t");
  // 1e30 became 0 through an undefined conversion on the old code.
  EXPECT_NE(set_error(s, "seed=1e30").find("--set seed=1e30: value 1e+30 must be in [0, 9223372036854775807]"),
            std::string::npos);
  EXPECT_NE(set_error(s, "seed=-1").find("must be in [0, 9223372036854775807]"), std::string::npos);
  EXPECT_NE(set_error(s, "seed=9007199254740993.0").find("write it as an integer"), std::string::npos);
  EXPECT_NE(set_error(s, "seed=nan").find("whole number"), std::string::npos);
  EXPECT_NE(set_error(s, "seed=9223372036854775808").find("64-bit"), std::string::npos);
  EXPECT_EQ(s.seed, 1u);
  // --seed -1 became 2^64-1 through Boost on the old code.
  EXPECT_THROW(parse_seed("-1", "--seed -1"), InputError);
  EXPECT_THROW(parse_seed("18446744073709551615", "--seed"), InputError);
  EXPECT_THROW(parse_seed("1e30", "--seed"), InputError);
  EXPECT_THROW(parse_seed("", "--seed"), InputError);
  EXPECT_THROW(parse_seed("[1]", "--seed"), InputError);
  EXPECT_NE(error_of("seed = 1e30\n" + one_firm).find("test.toml:1:8:"), std::string::npos);
  EXPECT_NE(error_of("seed = 1e30\n" + one_firm).find("key 'seed': value 1e+30"), std::string::npos);
  EXPECT_NE(error_of("seed = -1\n" + one_firm).find("key 'seed'"), std::string::npos);
}

TEST(IntegerParameters, HugeFloatsAreRefusedInTheFileAndInSet) {
  for (const std::string& value : {std::string("1e30"), std::string("-1e30"), std::string("9.3e18"),
                                   std::string("1e300"), std::string("inf"), std::string("-inf"), std::string("nan")}) {
    const std::string e = error_of("[market]\ncustomers = " + value + "\n" + one_firm);
    EXPECT_NE(e.find("key 'market.customers'"), std::string::npos) << value << ": " << e;
    Scenario s = parse_scenario(one_firm, "t");
    const std::string set = set_error(s, "firms.A.reps=" + value);
    EXPECT_NE(set.find("--set firms.A.reps=" + value + ": "), std::string::npos) << set;
    EXPECT_EQ(s.firms[0].reps, FirmParams{}.reps);
  }
  EXPECT_NE(error_of("[market]\nmonths = 9223372036854775807\n" + one_firm).find("value 9223372036854775807 must"),
            std::string::npos);
}

TEST(IntegerParameters, WholeFloatsStayAccepted) {
  const Scenario s = parse_scenario("[market]\ncustomers = 1e6\nmonths = 12.0\n" + one_firm, "t");
  EXPECT_EQ(s.market.customers, 1000000);
  EXPECT_EQ(s.market.months, 12);
  Scenario t = parse_scenario(one_firm, "t");
  apply_override(t, "market.customers=2e3");
  EXPECT_EQ(t.market.customers, 2000);
  // Other whole numbers read the same way: replicates, departures' months.
  const ParsedScenario p = parse_scenario_text(
      "[[firms]]\nname = \"A\"\n[[firms]]\nname = \"B\"\n[[segments]]\nname = \"s\"\n"
      "[[departures]]\nmonth = 3.0\nfirm = \"A\"\ncount = 2e0\n"
      "[sweep]\ndesign = \"grid\"\nreplicates = 2.0\n[sweep.parameters]\n\"firms.A.reps\" = [1, 2.0]\n",
      "t");
  EXPECT_EQ(p.scenario.departures.at(0).month, 3);
  EXPECT_EQ(p.scenario.departures.at(0).count, 2);
  EXPECT_EQ(p.sweep->replicates, 2);
  EXPECT_NE(error_of(one_firm + "[[departures]]\nmonth = 1e30\nfirm = \"A\"\n").find("departures[1].month"),
            std::string::npos);
}

}  // namespace
}  // namespace loyalsim::io
