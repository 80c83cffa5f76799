#include "io/sweep_table.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "io/toml_writer.hpp"

namespace loyalsim::io {
namespace {

const std::vector<std::string> sweep_keys{"design", "replicates", "samples", "parameters"};
const std::vector<std::string> design_names{"grid", "list", "lhs", "sobol"};

DesignType design_type(const Reader& reader, const toml::node& node) {
  const std::string name = reader.string(node, "sweep.design");
  if (name == "grid") return DesignType::grid;
  if (name == "list") return DesignType::list;
  if (name == "lhs") return DesignType::lhs;
  if (name == "sobol") return DesignType::sobol;
  std::string problem = "unknown design \"" + name + "\"; use grid, list, lhs or sobol";
  const std::string hint = nearest_name(name, design_names);
  if (!hint.empty()) problem += " (did you mean \"" + hint + "\"?)";
  reader.fail(node.source(), "sweep.design", problem);
}

// One varied parameter: its path resolved against the scenario, its values
// (grid, list) or range (lhs, sobol) checked against the registry.
SweepParameter read_parameter(const Reader& reader, const toml::key& key, const toml::node& node, DesignType design,
                              const Scenario& scenario) {
  const std::string where = "sweep.parameters.\"" + std::string(key.str()) + "\"";
  SweepParameter parameter;
  parameter.path = std::string(key.str());
  ParameterTargets path;  // one value, or tied (firms.*.NAME): every firm's
  try {
    path = resolve_parameter_targets(scenario, key.str());
  } catch (const InputError& e) {
    reader.fail(key.source(), where, e.what());
  }
  if (auto problem = sweep_path_problem(parameter.path, path.info)) reader.fail(key.source(), where, *problem);
  parameter.integer = path.info->kind == ValueKind::integer;

  const toml::array* values = node.as_array();
  if (values == nullptr || values->empty())
    reader.fail(node.source(), where,
                design == DesignType::grid || design == DesignType::list ? "expected a non-empty array of values"
                                                                         : "expected [low, high]");
  std::vector<double> numbers;
  for (const toml::node& element : *values) numbers.push_back(reader.number(element, *path.info, where));

  if (design == DesignType::grid || design == DesignType::list) {
    parameter.values = numbers;
  } else {
    if (numbers.size() != 2)
      reader.fail(node.source(), where,
                  "expected [low, high] for a " + std::string(design_name(design)) + " design, found " +
                      std::to_string(numbers.size()) + " values");
    parameter.low = numbers[0];
    parameter.high = numbers[1];
  }
  if (auto problem = sweep_values_problem(parameter, design)) reader.fail(node.source(), where, *problem);
  return parameter;
}

}  // namespace

std::optional<SweepSpec> read_sweep_table(const Reader& reader, const toml::table& document, const Scenario& scenario) {
  const toml::node* node = document.get("sweep");
  if (node == nullptr) return std::nullopt;
  const toml::table& table = reader.table(*node, "sweep");
  for (auto&& [key, value] : table)
    if (std::find(sweep_keys.begin(), sweep_keys.end(), key.str()) == sweep_keys.end())
      reader.unknown_key(key, "[sweep]", sweep_keys, "sweep.");

  SweepSpec sweep;
  const toml::node* design = table.get("design");
  if (design == nullptr) reader.fail(table.source(), "sweep.design", "is required: grid, list, lhs or sobol");
  sweep.design = design_type(reader, *design);
  if (const toml::node* replicates = table.get("replicates"))
    sweep.replicates = reader.integer(*replicates, "sweep.replicates", 1, max_sweep_replicates);

  const bool sampled = sweep.design == DesignType::lhs || sweep.design == DesignType::sobol;
  const toml::node* samples = table.get("samples");
  if (sampled && samples == nullptr)
    reader.fail(table.source(), "sweep.samples",
                "is required for a " + std::string(design_name(sweep.design)) + " design: the number of points");
  if (!sampled && samples != nullptr)
    reader.fail(samples->source(), "sweep.samples",
                "applies only to lhs and sobol designs; a " + std::string(design_name(sweep.design)) +
                    " design's points come from its value lists");
  if (samples != nullptr) sweep.samples = reader.integer(*samples, "sweep.samples", 1, max_design_points);

  const toml::node* parameters = table.get("parameters");
  if (parameters == nullptr)
    reader.fail(table.source(), "sweep.parameters", "is required: a [sweep.parameters] table of PATH = values");
  const toml::table& entries = reader.table(*parameters, "sweep.parameters");
  if (entries.empty()) reader.fail(entries.source(), "sweep.parameters", "names no parameter to vary");

  // toml++ keeps keys sorted; the order written in the file is what a user
  // expects for grid nesting and runs/ columns.
  std::vector<std::pair<const toml::key*, const toml::node*>> ordered;
  for (auto&& [key, value] : entries) ordered.emplace_back(&key, &value);
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  for (const auto& [key, value] : ordered)
    sweep.parameters.push_back(read_parameter(reader, *key, *value, sweep.design, scenario));
  // A tied path and a plain one may name the same value (firms.*.reps and
  // firms.A.reps): one of them would silently overwrite the other.
  for (std::size_t i = 0; i < ordered.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (const auto& [key, value] = ordered[i];
          resolve_parameter_targets(scenario, key->str())
              .overlaps(resolve_parameter_targets(scenario, ordered[j].first->str())))
        reader.fail(key->source(), "sweep.parameters.\"" + std::string(key->str()) + "\"",
                    "sets a value that \"" + std::string(ordered[j].first->str()) +
                        "\" also sets; vary each value once (a tied firms.*.NAME covers every firm)");

  // The design's size, by the rule make_design applies, checked here so the
  // message can point at the file: a list of another length at its entry,
  // a design too large at the [sweep] table.
  if (sweep.design == DesignType::list) {
    const std::size_t points = sweep.parameters.front().values.size();
    for (const auto& [key, value] : ordered) {
      const std::size_t n = value->as_array()->size();
      if (n != points)
        reader.fail(value->source(), "sweep.parameters.\"" + std::string(key->str()) + "\"",
                    "a list design needs one value per point in every parameter: this one has " + std::to_string(n) +
                        ", \"" + sweep.parameters.front().path + "\" has " + std::to_string(points));
    }
  }
  if (const DesignSize size = design_size(sweep); size.problem) reader.fail(table.source(), "sweep", *size.problem);
  return sweep;
}

const std::vector<std::string>& sweep_table_keys() { return sweep_keys; }
const std::vector<std::string>& sweep_design_names() { return design_names; }

std::string sweep_to_toml(const SweepSpec& sweep) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "[sweep]\ndesign = \"" << design_name(sweep.design) << "\"\nreplicates = " << sweep.replicates << "\n";
  if (sweep.samples > 0) out << "samples = " << sweep.samples << "\n";
  out << "\n[sweep.parameters]\n";
  for (const auto& p : sweep.parameters) {
    out << toml_string(p.path) << " = [";  // a firm's name may hold a quote or a backslash
    if (sweep.design == DesignType::grid || sweep.design == DesignType::list) {
      for (std::size_t i = 0; i < p.values.size(); ++i) out << (i ? ", " : "") << p.values[i];
    } else {
      out << p.low << ", " << p.high;
    }
    out << "]\n";
  }
  return out.str();
}

}  // namespace loyalsim::io
