// libFuzzer harness: everything `loyalsim run` does to a scenario before the
// first run starts, minus the simulation and the output files.
//
// Input: any number of leading lines "--set PATH=VALUE" (each applied as a
// --set option, in order), then the scenario's TOML text. Bad input must end
// in an InputError; anything else (another exception, a crash, a hang,
// undefined behaviour, a huge allocation) is a finding. The resolved
// scenario written into every results file must read back to itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "io/scenario_file.hpp"
#include "io/sweep_table.hpp"
#include "sweep/design.hpp"
#include "sweep/executor.hpp"

namespace {

using namespace loyalsim;

constexpr std::string_view set_prefix = "--set ";
constexpr std::int64_t max_points_checked = 4096;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_scenario: FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Splits off the leading "--set " lines; the rest is the scenario text.
std::string_view take_overrides(std::string_view input, std::vector<std::string>& overrides) {
  while (input.substr(0, set_prefix.size()) == set_prefix) {
    const std::size_t end = input.find('\n');
    const std::string_view line =
        input.substr(set_prefix.size(), end == std::string_view::npos ? input.npos : end - set_prefix.size());
    overrides.emplace_back(line);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  return input;
}

// The resolved scenario as run_command writes it into the results file.
std::string resolved_text(const Scenario& scenario, const std::optional<SweepSpec>& sweep) {
  std::string text = io::to_toml(scenario);
  if (sweep) {
    // Appended in two steps: GCC 12 warns (-Wrestrict, wrongly) about "\n" + string.
    text += '\n';
    text += io::sweep_to_toml(*sweep);
  }
  return text;
}

// What run_command does before any run: read, --set, validate, expand the
// design, and derive the model of every design point.
void prepare(std::string_view text, const std::vector<std::string>& overrides) {
  const std::string source = "fuzz.toml";
  io::ParsedScenario parsed = io::parse_scenario_text(text, source);
  Scenario& scenario = parsed.scenario;
  for (const auto& assignment : overrides) io::apply_override(scenario, assignment);
  io::validate_scenario(scenario, source);

  const Design design = parsed.sweep ? make_design(*parsed.sweep, scenario.seed) : single_run_design();
  const std::int64_t points = design.point_count;
  if (points < 1) finding("a design without points");
  // The CLI checks every point; a few thousand keep each input fast, and
  // the last point covers the far end of a larger design.
  for (std::int64_t point = 0; point < std::min(points, max_points_checked); ++point)
    (void)make_model(scenario_at_point(scenario, design, point), 0);
  if (points > max_points_checked) (void)make_model(scenario_at_point(scenario, design, points - 1), 0);

  // The resolved scenario stored in the results file (what the run really
  // used) must parse back to the same scenario and sweep.
  const std::string resolved = resolved_text(scenario, parsed.sweep);
  try {
    const io::ParsedScenario again = io::parse_scenario_text(resolved, "resolved.toml");
    const std::string resolved_again = resolved_text(again.scenario, again.sweep);
    if (resolved_again != resolved)
      finding("the resolved scenario reads back differently:\n" + resolved + "\n---- read back as ----\n" +
              resolved_again);
    if (io::scenario_hash(scenario, parsed.sweep, false) != io::scenario_hash(again.scenario, again.sweep, false))
      finding("the resolved scenario reads back with another hash");
  } catch (const InputError& e) {
    finding(std::string("the resolved scenario does not read back: ") + e.what() + "\n" + resolved);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  const std::string_view text = take_overrides(input, overrides);
  try {
    prepare(text, overrides);
  } catch (const InputError&) {
    // The expected outcome for bad input: exit status 2 with a message.
  } catch (const std::exception& e) {
    finding(std::string("an exception other than InputError escaped: ") + e.what());
  } catch (...) {
    finding("a non-standard exception escaped");
  }
  return 0;
}
