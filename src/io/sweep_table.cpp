#include "io/sweep_table.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "io/toml_writer.hpp"

namespace loyalsim::io {
namespace {

const std::vector<std::string> sweep_keys{"design",       "replicates", "samples",   "second_order",
                                          "trajectories", "levels",     "parameters"};
const std::vector<std::string> design_names{"grid", "list", "lhs", "sobol", "saltelli", "morris"};

DesignType design_type(const Reader& reader, const toml::node& node) {
  const std::string name = reader.string(node, "sweep.design");
  if (name == "grid") return DesignType::grid;
  if (name == "list") return DesignType::list;
  if (name == "lhs") return DesignType::lhs;
  if (name == "sobol") return DesignType::sobol;
  if (name == "saltelli") return DesignType::saltelli;
  if (name == "morris") return DesignType::morris;
  std::string problem = "unknown design \"" + name + "\"; use grid, list, lhs, sobol, saltelli or morris";
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
                !is_sampled(design) ? "expected a non-empty array of values" : "expected [low, high]");
  std::vector<double> numbers;
  for (const toml::node& element : *values) numbers.push_back(reader.number(element, *path.info, where));

  if (!is_sampled(design)) {
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

// The keys that size a design, each allowed only where it means something:
// samples (lhs, sobol: points; saltelli: base samples N), second_order
// (saltelli), trajectories and levels (morris).
void read_design_sizes(const Reader& reader, const toml::table& table, SweepSpec& sweep) {
  const DesignType type = sweep.design;
  const std::string name = design_name(type);
  auto only_for = [&](const char* key, bool allowed, const std::string& designs) -> const toml::node* {
    const toml::node* node = table.get(key);
    if (node != nullptr && !allowed)
      reader.fail(node->source(), std::string("sweep.") + key,
                  "applies only to " + designs + " designs, not to a " + name + " design");
    return node;
  };
  const bool with_samples = type == DesignType::lhs || type == DesignType::sobol || type == DesignType::saltelli;
  const toml::node* samples = only_for("samples", with_samples, "lhs and sobol (points) and saltelli (base samples)");
  if (with_samples && samples == nullptr)
    reader.fail(
        table.source(), "sweep.samples",
        "is required for a " + name + " design: " +
            (type == DesignType::saltelli ? "the number N of base samples (rows of A and B)" : "the number of points"));
  if (samples != nullptr)
    sweep.samples = reader.integer(*samples, "sweep.samples", type == DesignType::saltelli ? 2 : 1, max_design_points);

  if (const toml::node* order = only_for("second_order", type == DesignType::saltelli, "saltelli")) {
    const auto flag = order->as_boolean();
    if (flag == nullptr)
      reader.fail(order->source(), "sweep.second_order",
                  std::string("expected true or false, found ") + Reader::type_name(*order));
    sweep.second_order = flag->get();
  }
  const bool morris = type == DesignType::morris;
  const toml::node* trajectories = only_for("trajectories", morris, "morris");
  if (morris && trajectories == nullptr)
    reader.fail(table.source(), "sweep.trajectories", "is required for a morris design: the number r of trajectories");
  if (trajectories != nullptr)
    sweep.trajectories = reader.integer(*trajectories, "sweep.trajectories", 2, max_design_points);
  if (const toml::node* levels = only_for("levels", morris, "morris")) {
    sweep.levels = reader.integer(*levels, "sweep.levels", 2, max_morris_levels);
    if (sweep.levels % 2 != 0)
      reader.fail(
          levels->source(), "sweep.levels",
          "must be even (the step p/(2(p-1)) pairs each level of the lower half with one of the upper half), got " +
              std::to_string(sweep.levels));
  }
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
  if (design == nullptr)
    reader.fail(table.source(), "sweep.design", "is required: grid, list, lhs, sobol, saltelli or morris");
  sweep.design = design_type(reader, *design);
  if (const toml::node* replicates = table.get("replicates"))
    sweep.replicates = reader.integer(*replicates, "sweep.replicates", 1, max_sweep_replicates);

  read_design_sizes(reader, table, sweep);

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
  if (sweep.design == DesignType::saltelli) out << "second_order = " << (sweep.second_order ? "true" : "false") << "\n";
  if (sweep.design == DesignType::morris)
    out << "trajectories = " << sweep.trajectories << "\nlevels = " << sweep.levels << "\n";
  out << "\n[sweep.parameters]\n";
  for (const auto& p : sweep.parameters) {
    out << toml_string(p.path) << " = [";  // a firm's name may hold a quote or a backslash
    if (!is_sampled(sweep.design)) {
      for (std::size_t i = 0; i < p.values.size(); ++i) out << (i ? ", " : "") << p.values[i];
    } else {
      out << p.low << ", " << p.high;
    }
    out << "]\n";
  }
  return out.str();
}

}  // namespace loyalsim::io
