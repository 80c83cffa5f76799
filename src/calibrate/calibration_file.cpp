#include "calibrate/calibration_file.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/parameters.hpp"
#include "io/input_file.hpp"
#include "io/scenario_file.hpp"
#include "io/scenario_table.hpp"
#include "io/toml_limits.hpp"
#include "io/toml_reader.hpp"

namespace loyalsim::calibrate {
namespace {

namespace fs = std::filesystem;
using io::Reader;

const std::vector<std::string> top_level_keys{"scenario", "parameters", "targets", "calibration"};
const std::vector<std::string> parameter_keys{"path", "lower", "upper", "start"};
const std::vector<std::string> target_keys{"metric", "firm", "segment", "value", "se", "weight"};
const std::vector<std::string> calibration_keys{"replicates", "seed",   "budget",    "algorithm",
                                                "global",     "starts", "tolerance", "jacobian_step"};
const std::vector<std::string> local_names{"bobyqa", "neldermead", "sbplx"};
const std::vector<std::string> global_names{"none", "crs2", "isres"};

void check_keys(const Reader& reader, const toml::table& table, const std::vector<std::string>& valid,
                const std::string& context, const std::string& prefix) {
  for (auto&& [key, node] : table)
    if (std::find(valid.begin(), valid.end(), key.str()) == valid.end())
      reader.unknown_key(key, context, valid, prefix);
}

// A finite real number, written as a TOML integer or float.
double real(const Reader& reader, const toml::node& node, const std::string& key) {
  double value = 0.0;
  if (auto i = node.as_integer()) value = static_cast<double>(i->get());
  else if (auto f = node.as_floating_point()) value = f->get();
  else reader.fail(node.source(), key, std::string("expected a number, found ") + Reader::type_name(node));
  if (!std::isfinite(value)) reader.fail(node.source(), key, "value " + Reader::format(value) + " is not finite");
  return value;
}

const toml::node& required(const Reader& reader, const toml::table& table, const std::string& key,
                           const std::string& where, const std::string& what) {
  const toml::node* node = table.get(key);
  if (node == nullptr) reader.fail(table.source(), where + "." + key, "is required: " + what);
  return *node;
}

// One of a fixed set of words, with the nearest one suggested.
std::size_t choice(const Reader& reader, const toml::node& node, const std::string& key,
                   const std::vector<std::string>& names) {
  const std::string word = reader.string(node, key);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == word) return i;
  std::string problem = "unknown value \"" + word + "\"; use one of:";
  for (const auto& name : names) problem += " " + name;
  const std::string hint = nearest_name(word, names);
  if (!hint.empty()) problem += " (did you mean \"" + hint + "\"?)";
  reader.fail(node.source(), key, problem);
}

// The base scenario: a file named relative to the calibration file, or an
// inline [scenario] table, read by the scenario file's own reader.
io::ParsedScenario read_scenario(const Reader& reader, const toml::table& document, const fs::path& folder,
                                 std::string& scenario_path, std::string& scenario_text, std::string_view text) {
  const toml::node* node = document.get("scenario");
  if (node == nullptr)
    reader.fail_file(
        "no scenario: name a scenario file (scenario = \"FILE.toml\", relative to this file) or "
        "write one inline in a [scenario] table");
  if (const toml::table* inline_table = node->as_table()) {
    scenario_path = reader.source();
    scenario_text = std::string(text);
    return io::read_scenario_table(reader, *inline_table, "[scenario]");
  }
  if (!node->is_string())
    reader.fail(
        node->source(), "scenario",
        std::string("expected a file name (a string) or a [scenario] table, found ") + Reader::type_name(*node));
  const std::string written = reader.string(*node, "scenario");
  if (written.empty()) reader.fail(node->source(), "scenario", "names no file");
  // Relative to the calibration file's folder (none: the calibration file was named without one).
  const fs::path path = fs::path(written).is_absolute() || folder.empty() ? fs::path(written) : folder / written;
  try {
    io::ScenarioFile file = io::load_scenario(path);
    scenario_path = file.path.string();
    scenario_text = file.text;
    return {std::move(file.scenario), std::move(file.sweep)};
  } catch (const InputError& e) {
    reader.fail(node->source(), "scenario", e.what());
  }
}

SearchSettings read_settings(const Reader& reader, const toml::table& document, std::uint64_t scenario_seed) {
  SearchSettings settings;
  settings.seed = scenario_seed;
  const toml::node* node = document.get("calibration");
  if (node == nullptr) return settings;
  const toml::table& table = reader.table(*node, "calibration");
  check_keys(reader, table, calibration_keys, "[calibration]", "calibration.");
  if (const toml::node* n = table.get("replicates"))
    settings.replicates = reader.integer(*n, "calibration.replicates", 1, max_replicates);
  if (const toml::node* n = table.get("seed"))
    settings.seed = static_cast<std::uint64_t>(reader.integer(*n, "calibration.seed", 0, max_seed));
  if (const toml::node* n = table.get("budget"))
    settings.budget = reader.integer(*n, "calibration.budget", 1, max_budget);
  if (const toml::node* n = table.get("algorithm"))
    settings.algorithm = static_cast<LocalAlgorithm>(choice(reader, *n, "calibration.algorithm", local_names));
  if (const toml::node* n = table.get("global"))
    settings.global = static_cast<GlobalAlgorithm>(choice(reader, *n, "calibration.global", global_names));
  if (const toml::node* n = table.get("starts"))
    settings.starts = reader.integer(*n, "calibration.starts", 1, max_starts);
  if (const toml::node* n = table.get("tolerance")) {
    settings.tolerance = real(reader, *n, "calibration.tolerance");
    if (settings.tolerance <= 0.0 || settings.tolerance >= 1.0)
      reader.fail(
          n->source(), "calibration.tolerance",
          "value " + Reader::format(settings.tolerance) + " must be in (0, 1): a share of each parameter's bounds");
  }
  if (const toml::node* n = table.get("jacobian_step")) {
    settings.jacobian_step = real(reader, *n, "calibration.jacobian_step");
    if (settings.jacobian_step <= 0.0 || settings.jacobian_step > 0.5)
      reader.fail(n->source(), "calibration.jacobian_step",
                  "value " + Reader::format(settings.jacobian_step) +
                      " must be in (0, 0.5]: a share of each parameter's bounds");
  }
  // Every local search, and the global stage, needs evaluations of its own.
  const std::int64_t stages = settings.starts + (settings.global == GlobalAlgorithm::none ? 0 : 1);
  if (settings.budget < stages) {
    const toml::node* budget = table.get("budget");
    reader.fail(budget ? budget->source() : table.source(), "calibration.budget",
                "budget " + std::to_string(settings.budget) + " is less than the " + std::to_string(stages) +
                    " searches asked for (starts" + (settings.global == GlobalAlgorithm::none ? "" : " + global") +
                    "): each needs evaluations of its own");
  }
  return settings;
}

// Entries of an array of tables in the order written.
const toml::array& entries_of(const Reader& reader, const toml::table& document, const std::string& key,
                              const std::string& what) {
  const toml::node* node = document.get(key);
  if (node == nullptr) reader.fail_file("no [[" + key + "]] tables: " + what);
  const toml::array& array = reader.array_of_tables(*node, key);
  if (array.empty()) reader.fail(node->source(), key, what);
  return array;
}

FittedParameter read_parameter(const Reader& reader, const toml::table& table, std::size_t index,
                               const Scenario& scenario,
                               std::vector<std::pair<const ParameterInfo*, std::size_t>>& seen) {
  const std::string where = "parameters[" + std::to_string(index + 1) + "]";
  check_keys(reader, table, parameter_keys, "[[parameters]]", where + ".");
  FittedParameter parameter;
  const toml::node& path_node = required(reader, table, "path", where,
                                         "a parameter path such as "
                                         "\"segments.NAME.rep_weight\"");
  parameter.path = reader.string(path_node, where + ".path");
  ParameterPath path;
  try {
    path = resolve_parameter_path(scenario, parameter.path);
  } catch (const InputError& e) {
    reader.fail(path_node.source(), where + ".path", e.what());
  }
  if (path.info == nullptr)
    reader.fail(path_node.source(), where + ".path",
                "the seed is not a parameter to fit; the run seeds come from [calibration] seed");
  if (!path.info->not_sweepable.empty())
    reader.fail(path_node.source(), where + ".path", "cannot be fitted: " + std::string(path.info->not_sweepable));
  if (path.info->kind == ValueKind::integer)
    reader.fail(path_node.source(), where + ".path",
                "takes whole numbers, and calibrate fits real-valued parameters only (a derivative-free search "
                "moves in small real steps); fix it in the scenario or sweep it instead");
  for (std::size_t k = 0; k < seen.size(); ++k)
    if (seen[k].first == path.info && seen[k].second == path.index)
      reader.fail(path_node.source(), where + ".path",
                  "names the same parameter as parameters[" + std::to_string(k + 1) + "]");
  seen.emplace_back(path.info, path.index);
  parameter.units = std::string(path.info->unit);

  const toml::node& lower = required(reader, table, "lower", where, "the lowest value to try");
  const toml::node& upper = required(reader, table, "upper", where, "the highest value to try");
  parameter.lower = reader.number(lower, *path.info, where + ".lower");
  parameter.upper = reader.number(upper, *path.info, where + ".upper");
  if (!(parameter.lower < parameter.upper))
    reader.fail(
        upper.source(), where + ".upper",
        "upper " + Reader::format(parameter.upper) + " must be greater than lower " + Reader::format(parameter.lower));
  // The width must be a finite double, or the search's unit box would not map back.
  if (!std::isfinite(parameter.upper - parameter.lower))
    reader.fail(upper.source(), where + ".upper", "the bounds are too far apart to search between");
  if (const toml::node* start = table.get("start")) {
    parameter.start = reader.number(*start, *path.info, where + ".start");
    if (parameter.start < parameter.lower || parameter.start > parameter.upper)
      reader.fail(start->source(), where + ".start",
                  "start " + Reader::format(parameter.start) + " is outside the bounds [" +
                      Reader::format(parameter.lower) + ", " + Reader::format(parameter.upper) + "]");
  } else {
    const double current = path.get(scenario);
    parameter.start = current >= parameter.lower && current <= parameter.upper
                          ? current
                          : parameter.lower + 0.5 * (parameter.upper - parameter.lower);
  }
  return parameter;
}

// A firm or segment as a target names it: a name, or "*" (or nothing) for
// all of them pooled.
Selection selection(const Reader& reader, const toml::table& table, const std::string& key, const std::string& where,
                    const std::vector<std::string>& names, const char* kind) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return {};
  const std::string name = reader.string(*node, where + "." + key);
  if (name == "*") return {};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return {i};
  std::string problem = std::string("no ") + kind + " named '" + name + "'";
  const std::string hint = nearest_name(name, names);
  if (!hint.empty()) problem += " (did you mean '" + hint + "'?)";
  else {
    problem += "; the " + std::string(kind) + "s are:";
    for (const auto& n : names) problem += " " + n;
    problem += ", or \"*\" for all pooled";
  }
  reader.fail(node->source(), where + "." + key, problem);
}

Target read_target(const Reader& reader, const toml::table& table, std::size_t index, const Scenario& scenario,
                   const std::vector<Target>& earlier) {
  const std::string where = "targets[" + std::to_string(index + 1) + "]";
  check_keys(reader, table, target_keys, "[[targets]]", where + ".");
  Target target;
  std::vector<std::string> metric_names;
  for (const MetricInfo& m : summary_metrics) metric_names.emplace_back(m.name);
  const toml::node& metric = required(reader, table, "metric", where, "the name of a summary metric");
  const std::string name = reader.string(metric, where + ".metric");
  const auto found = std::find(metric_names.begin(), metric_names.end(), name);
  if (found == metric_names.end()) {
    std::string problem = "unknown summary metric '" + name + "'";
    const std::string hint = nearest_name(name, metric_names);
    if (!hint.empty()) problem += " (did you mean '" + hint + "'?)";
    else {
      problem += "; the summary metrics are:";
      for (const auto& n : metric_names) problem += " " + n;
    }
    reader.fail(metric.source(), where + ".metric", problem);
  }
  target.metric = static_cast<std::size_t>(found - metric_names.begin());

  std::vector<std::string> firms, segments;
  for (const auto& f : scenario.firms) firms.push_back(f.name);
  for (const auto& s : scenario.segments) segments.push_back(s.name);
  target.firm = selection(reader, table, "firm", where, firms, "firm");
  target.segment = selection(reader, table, "segment", where, segments, "segment");
  // A per-firm metric (rep turnover, ...) belongs to no segment: naming one
  // would change nothing, so it is refused rather than silently pooled.
  if (summary_metrics[target.metric].shape == MetricShape::firm && !target.segment.all())
    reader.fail(table.get("segment")->source(), where + ".segment",
                "'" + name + "' is a per-firm metric, with no segments; omit segment (or write \"*\")");
  target.label = name + "[" + (target.firm.all() ? std::string("*") : firms[*target.firm.index]) + ", " +
                 (target.segment.all() ? std::string("*") : segments[*target.segment.index]) + "]";
  for (std::size_t k = 0; k < earlier.size(); ++k)
    if (earlier[k].label == target.label)
      reader.fail(
          metric.source(), where,
          "the same moment as targets[" + std::to_string(k + 1) + "] (" + target.label + "); give each moment once");

  target.value =
      real(reader, required(reader, table, "value", where, "the observed value of the moment"), where + ".value");
  const toml::node* se = table.get("se");
  const toml::node* weight = table.get("weight");
  if (se != nullptr && weight != nullptr)
    reader.fail(weight->source(), where + ".weight",
                "give either se or weight, not both (a standard error se means weight 1/se^2)");
  if (se == nullptr && weight == nullptr)
    reader.fail(table.source(), where + ".se",
                "is required (or weight): the standard error of the observed value, which weights the target");
  const toml::node& given = se != nullptr ? *se : *weight;
  const std::string key = where + (se != nullptr ? ".se" : ".weight");
  const double number = real(reader, given, key);
  if (!(number > 0.0)) reader.fail(given.source(), key, "value " + Reader::format(number) + " must be greater than 0");
  if (se != nullptr) {
    target.se = number;
    target.weight = 1.0 / (number * number);
    if (!std::isfinite(target.weight) || target.weight <= 0.0)
      reader.fail(given.source(), key, "value " + Reader::format(number) + " is too small or too large to square");
  } else {
    target.weight = number;
  }
  return target;
}

}  // namespace

CalibrationSpec parse_calibration_text(std::string_view text, const std::string& source, const fs::path& folder) {
  const Reader reader(source);
  const toml::table document = io::parse_bounded_toml(text, source);
  check_keys(reader, document, top_level_keys, "the top level", "");

  CalibrationSpec spec;
  io::ParsedScenario parsed = read_scenario(reader, document, folder, spec.scenario_path, spec.scenario_text, text);
  if (parsed.sweep)
    reader.fail(document.get("scenario")->source(), "scenario",
                "the scenario has a [sweep] table; calibrate runs the scenario itself at the points it chooses, "
                "so remove the [sweep] table (or copy the scenario without it)");
  spec.scenario = std::move(parsed.scenario);
  spec.search = read_settings(reader, document, spec.scenario.seed);
  spec.scenario.seed = spec.search.seed;

  const toml::array& parameters = entries_of(reader, document, "parameters", "name at least one parameter to fit");
  if (parameters.size() > max_parameters)
    reader.fail(document.get("parameters")->source(), "parameters",
                "at most " + std::to_string(max_parameters) + " parameters can be fitted at once");
  std::vector<std::pair<const ParameterInfo*, std::size_t>> seen;
  for (std::size_t i = 0; i < parameters.size(); ++i)
    spec.parameters.push_back(read_parameter(reader, *parameters[i].as_table(), i, spec.scenario, seen));

  const toml::array& targets = entries_of(reader, document, "targets", "name at least one target moment");
  if (targets.size() > max_targets)
    reader.fail(document.get("targets")->source(), "targets",
                "at most " + std::to_string(max_targets) + " targets are supported");
  for (std::size_t i = 0; i < targets.size(); ++i)
    spec.targets.push_back(read_target(reader, *targets[i].as_table(), i, spec.scenario, spec.targets));
  return spec;
}

CalibrationFile load_calibration(const fs::path& path) {
  CalibrationFile file;
  file.path = path;
  file.text = io::read_input_file(path, io::max_toml_bytes, "calibration file");
  file.name = path.stem().string();
  file.spec = parse_calibration_text(file.text, path.string(), path.parent_path());
  return file;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& calibration_file_keys() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> keys{{"", top_level_keys},
                                                                                  {"parameters", parameter_keys},
                                                                                  {"targets", target_keys},
                                                                                  {"calibration", calibration_keys}};
  return keys;
}

}  // namespace loyalsim::calibrate
