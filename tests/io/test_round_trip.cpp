// Property: for every accepted scenario, parse -> to_toml -> parse gives the
// same scenario (every double bit for bit) and the same to_toml text. The
// corpus is every scenario in scenarios/, tests/data/ and tests/reference/,
// plus variants of each with odd-but-valid names and extreme-but-valid
// numbers, made programmatically.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "io/names.hpp"
#include "io/scenario_file.hpp"
#include "io/sweep_table.hpp"

namespace loyalsim::io {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

// Folders that hold deliberately broken files are not part of the corpus.
bool deliberately_broken(const fs::path& path) {
  for (const auto& part : path)
    if (part.string().starts_with("bad") || part.string().starts_with("invalid")) return true;
  return false;
}

// A calibration file (docs/CALIBRATION.md) is not a scenario: it names one
// with its top-level `scenario` key, and that scenario is in the corpus.
bool calibration_file(const fs::path& path) {
  try {
    return toml::parse_file(path.string()).contains("scenario");
  } catch (const toml::parse_error&) {
    return false;
  }
}

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const fs::path& root :
       {fs::path(LOYALSIM_SCENARIOS), fs::path(LOYALSIM_TEST_DATA), fs::path(LOYALSIM_REFERENCE)})
    for (const auto& entry : fs::recursive_directory_iterator(root))
      if (entry.is_regular_file() && entry.path().extension() == ".toml" && !deliberately_broken(entry.path()) &&
          !calibration_file(entry.path()))
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

const void* owner_of(const Scenario& s, const ParameterInfo& p, std::size_t i) {
  if (p.scope == Scope::market) return &s.market;
  if (p.scope == Scope::firm) return &s.firms[i];
  return &s.segments[i];
}
void* owner_of(Scenario& s, const ParameterInfo& p, std::size_t i) {
  return const_cast<void*>(owner_of(static_cast<const Scenario&>(s), p, i));
}
std::size_t entities(const Scenario& s, const ParameterInfo& p) {
  return p.scope == Scope::market ? 1 : p.scope == Scope::firm ? s.firms.size() : s.segments.size();
}

// Same bits, so 0.0 and -0.0 differ, as they would after a lossy write.
bool same(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

void expect_same(const Scenario& a, const Scenario& b, const std::string& label) {
  EXPECT_EQ(a.seed, b.seed) << label;
  ASSERT_EQ(a.firms.size(), b.firms.size()) << label;
  ASSERT_EQ(a.segments.size(), b.segments.size()) << label;
  for (std::size_t i = 0; i < a.firms.size(); ++i) EXPECT_EQ(a.firms[i].name, b.firms[i].name) << label;
  for (std::size_t i = 0; i < a.segments.size(); ++i) EXPECT_EQ(a.segments[i].name, b.segments[i].name) << label;
  for (const ParameterInfo& p : all_parameters())
    for (std::size_t i = 0; i < entities(a, p); ++i)
      EXPECT_TRUE(same(p.get(owner_of(a, p, i)), p.get(owner_of(b, p, i))))
          << label << ": " << p.name << "[" << i << "] " << p.get(owner_of(a, p, i)) << " became "
          << p.get(owner_of(b, p, i));
  ASSERT_EQ(a.departures.size(), b.departures.size()) << label;
  for (std::size_t i = 0; i < a.departures.size(); ++i) {
    const auto &x = a.departures[i], &y = b.departures[i];
    EXPECT_TRUE(x.month == y.month && x.count == y.count && x.firm == y.firm && x.which == y.which && x.to == y.to)
        << label << ": departure " << i;
  }
}

void expect_same(const std::optional<SweepSpec>& a, const std::optional<SweepSpec>& b, const std::string& label) {
  ASSERT_EQ(a.has_value(), b.has_value()) << label;
  if (!a) return;
  EXPECT_TRUE(a->design == b->design && a->replicates == b->replicates && a->samples == b->samples) << label;
  ASSERT_EQ(a->parameters.size(), b->parameters.size()) << label;
  for (std::size_t i = 0; i < a->parameters.size(); ++i) {
    const auto &x = a->parameters[i], &y = b->parameters[i];
    EXPECT_EQ(x.path, y.path) << label;
    EXPECT_TRUE(same(x.low, y.low) && same(x.high, y.high) && x.integer == y.integer) << label << ": " << x.path;
    ASSERT_EQ(x.values.size(), y.values.size()) << label;
    for (std::size_t k = 0; k < x.values.size(); ++k) EXPECT_TRUE(same(x.values[k], y.values[k])) << label;
  }
}

std::string resolved_text(const ParsedScenario& p) {
  std::string text = to_toml(p.scenario);
  if (p.sweep) {  // as run_command writes scenario_resolved
    text += "\n";
    text += sweep_to_toml(*p.sweep);
  }
  return text;
}

// The property, for one accepted scenario.
void expect_round_trip(const ParsedScenario& original, const std::string& label) {
  const std::string text = resolved_text(original);
  ParsedScenario back;
  try {
    back = parse_scenario_text(text, label + " (resolved)");
  } catch (const InputError& e) {
    ADD_FAILURE() << label << ": the resolved TOML does not read back: " << e.what() << "\n" << text;
    return;
  }
  expect_same(original.scenario, back.scenario, label);
  expect_same(original.sweep, back.sweep, label);
  EXPECT_EQ(resolved_text(back), text) << label;
}

// Names no real scenario uses, each accepted by the rule.
const std::vector<std::string> odd_names{"Quote \"and\" back\\slash",
                                         "dots.in.the.middle",
                                         ".",
                                         "..",
                                         "Joe's #1 [shop] {x}",
                                         "Zürich AG",
                                         "東京支店",
                                         "\xf0\x9f\x8f\xa6 bank",  // a 4-byte UTF-8 character
                                         "tab\u00a0inside",
                                         "'single' & \"double\"",
                                         "ends with backslash\\",
                                         std::string(max_name_bytes, 'L'),
                                         "C1\u00e9\u00a9",
                                         "firms",
                                         "seed",
                                         "market.customers",
                                         "-",
                                         "\u0130i\u0307",
                                         "\"\"\"",
                                         "'''",
                                         "\\u0000"};

std::string replace_name_in_path(const std::string& path, const std::string& table, const std::string& from,
                                 const std::string& to) {
  const std::string prefix = table + "." + from + ".";
  if (path.rfind(prefix, 0) != 0 || path.find('.', prefix.size()) != std::string::npos) return path;
  return table + "." + to + "." + path.substr(prefix.size());
}

// The scenario with every firm and segment renamed to an odd name (and the
// departures and sweep paths that name them updated).
ParsedScenario renamed(ParsedScenario p, std::size_t offset) {
  std::size_t k = offset;
  auto next_name = [&] { return odd_names[k++ % odd_names.size()]; };
  for (auto& firm : p.scenario.firms) {
    const std::string old = firm.name;
    firm.name = next_name();
    for (auto& d : p.scenario.departures) {
      if (d.firm == old) d.firm = firm.name;
      if (d.to == old) d.to = firm.name;
    }
    if (p.sweep)
      for (auto& parameter : p.sweep->parameters)
        parameter.path = replace_name_in_path(parameter.path, "firms", old, firm.name);
  }
  for (auto& segment : p.scenario.segments) {
    const std::string old = segment.name;
    segment.name = next_name();
    if (p.sweep)
      for (auto& parameter : p.sweep->parameters)
        parameter.path = replace_name_in_path(parameter.path, "segments", old, segment.name);
  }
  return p;
}

// The scenario with every parameter the sweep does not vary set to an
// extreme or awkward valid value: `kind` 0 the low end, 1 the high end,
// 2 values with no short decimal form. Shares stay summing to 1.
ParsedScenario extreme(ParsedScenario p, int kind) {
  Scenario& s = p.scenario;
  s.seed = kind == 0 ? 0 : kind == 1 ? static_cast<std::uint64_t>(max_seed) : 9007199254740993u;
  for (const ParameterInfo& info : all_parameters()) {
    if (info.name == "share") continue;
    // Months bound the scripted departures; keep them where they are.
    if (!s.departures.empty() && (info.name == "months" || info.name == "burn_in_months")) continue;
    for (std::size_t i = 0; i < entities(s, info); ++i) {
      double value = 0.0;
      if (info.kind == ValueKind::integer) {
        value = kind == 0 ? info.low : kind == 1 ? info.high : std::floor((info.low + info.high) / 3);
      } else if (kind == 0) {
        value = std::isinf(info.low) ? -std::numeric_limits<double>::max()
                : info.low_open      ? std::nextafter(info.low, HUGE_VAL)  // 5e-324 above an open 0
                                     : info.low;
      } else if (kind == 1) {
        value = std::isinf(info.high) ? std::numeric_limits<double>::max()
                : info.high_open      ? std::nextafter(info.high, -HUGE_VAL)  // 0.9999999999999999
                                      : info.high;
      } else {
        const double base = std::isinf(info.high) ? 1e15 : info.high;
        value = base * (i % 2 == 0 ? 1.0 / 3.0 : 0.1 + 0.2) * (std::isinf(info.low) ? -1.0 : 1.0);
        if (info.low_open && value <= info.low) value = std::nextafter(info.low, HUGE_VAL);
      }
      EXPECT_FALSE(info.check(value)) << info.name << " " << value;
      info.set(owner_of(s, info, i), value);
    }
  }
  const double n = static_cast<double>(s.segments.size());
  for (auto& segment : s.segments) segment.share = 1.0 / n;
  return p;
}

TEST(RoundTrip, EveryScenarioInTheRepositoryReadsBackFromItsResolvedToml) {
  const std::vector<fs::path> files = corpus_files();
  ASSERT_GE(files.size(), 10u);
  for (const fs::path& path : files) {
    const ScenarioFile file = load_scenario(path);
    expect_round_trip({file.scenario, file.sweep}, path.string());
  }
}

TEST(RoundTrip, OddNamesAndExtremeNumbersReadBack) {
  std::size_t variants = 0;
  for (const fs::path& path : corpus_files()) {
    const ScenarioFile file = load_scenario(path);
    const ParsedScenario parsed{file.scenario, file.sweep};
    for (std::size_t offset = 0; offset < odd_names.size(); offset += 3) {
      const ParsedScenario variant = renamed(parsed, offset);
      // Every variant must itself be accepted, or it proves nothing.
      for (const auto& f : variant.scenario.firms) ASSERT_FALSE(name_problem(f.name)) << f.name;
      expect_round_trip(variant, path.string() + " renamed from " + std::to_string(offset));
      ++variants;
    }
    for (int kind = 0; kind < 3; ++kind) {
      expect_round_trip(extreme(parsed, kind), path.string() + " extreme " + std::to_string(kind));
      expect_round_trip(extreme(renamed(parsed, static_cast<std::size_t>(kind)), kind),
                        path.string() + " renamed and extreme " + std::to_string(kind));
      variants += 2;
    }
  }
  EXPECT_GE(variants, 100u);
}

// The same names written every way TOML allows read to the same scenario.
TEST(RoundTrip, NamesWrittenAsLiteralsOrEscapesReadBackTheSame) {
  const ParsedScenario parsed = parse_scenario_text(
      "[[firms]]\nname = 'Joe\\s \"Q\"'\n[[firms]]\nname = \"\\u00e9t\\U0001F3E6 \\\"x\\\"\"\n"
      "[[firms]]\nname = '''a.b'''\n[[segments]]\nname = \"\"\"multi\\\n   line\"\"\"\n"
      "[[departures]]\nmonth = 1\nfirm = 'Joe\\s \"Q\"'\nto = \"\\u00e9t\\U0001F3E6 \\\"x\\\"\"\n",
      "literals.toml");
  EXPECT_EQ(parsed.scenario.firms[0].name, "Joe\\s \"Q\"");
  EXPECT_EQ(parsed.scenario.firms[1].name, "\u00e9t\U0001F3E6 \"x\"");
  EXPECT_EQ(parsed.scenario.firms[2].name, "a.b");
  EXPECT_EQ(parsed.scenario.segments[0].name, "multiline");
  expect_round_trip(parsed, "literals.toml");
}

// Shortest exact doubles (issue 9.4): 0.7, not 0.69999999999999996.
TEST(RoundTrip, DoublesAreWrittenInTheirShortestExactForm) {
  Scenario s = parse_scenario(
      "[market]\nsubstitutability = 0.7\n[[firms]]\nname = \"A\"\nbrand_strength = 1\n"
      "[[segments]]\nname = \"s\"\noutside_utility = -1e300\n",
      "t");
  const std::string text = to_toml(s);
  EXPECT_NE(text.find("substitutability = 0.7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("brand_strength = 1.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("outside_utility = -1e+300\n"), std::string::npos) << text;
  EXPECT_NE(text.find("customers = 10000\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace loyalsim::io
