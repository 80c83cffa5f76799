#include "calibrate/calibration_output.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <sstream>

#include "core/metrics.hpp"
#include "core/parameters.hpp"
#include "io/hdf5.hpp"
#include "io/results_layout.hpp"
#include "io/scenario_file.hpp"
#include "io/toml_writer.hpp"

namespace loyalsim::calibrate {
namespace {

namespace h5 = io::hdf5;
using io::detail::Axis;
using io::detail::describe;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

const std::vector<double>& best_parameters(const CalibrationRecord& record) {
  return record.trace.entries[*record.trace.best].parameters;
}

template <typename T>
h5::Dataset variable(h5::Group& group, std::string_view name, const std::vector<T>& values,
                     const std::vector<Axis>& axes, std::string_view units, std::string_view description) {
  h5::Dims dims;
  for (const Axis& axis : axes) dims.push_back(axis.scale.dims().front());
  h5::Dataset dataset = group.create_dataset(name, h5::Datatype::stored_as<T>(), h5::Dataspace::simple(dims));
  dataset.write(values);
  io::detail::attach(dataset, axes);
  describe(dataset, units, description);
  return dataset;
}

h5::Dataset strings(h5::Group& group, std::string_view name, const std::vector<std::string>& values, const Axis& axis,
                    std::string_view description) {
  h5::Dataset dataset = group.create_dataset(name, h5::Datatype::utf8_string(), h5::Dataspace::simple({values.size()}));
  dataset.write_strings(values);
  io::detail::attach(dataset, {axis});
  describe(dataset, "", description);
  return dataset;
}

std::vector<std::string> parameter_paths(const CalibrationSpec& spec) {
  std::vector<std::string> paths;
  for (const auto& p : spec.parameters) paths.push_back(p.path);
  return paths;
}
std::vector<std::string> target_labels(const CalibrationSpec& spec) {
  std::vector<std::string> labels;
  for (const auto& t : spec.targets) labels.push_back(t.label);
  return labels;
}

void write_parameters(h5::File& file, const CalibrationSpec& spec) {
  h5::Group group = file.create_group("parameters");
  describe(group, "", "the fitted parameters: paths, bounds and starting values");
  const h5::Dataset scale = io::detail::create_name_scale(group, "parameter", parameter_paths(spec),
                                                          "parameter path, as --set and sweeps name it");
  const std::vector<Axis> axes{{"parameter", scale}};
  std::vector<double> lower, upper, start;
  std::vector<std::string> units;
  for (const auto& p : spec.parameters) {
    lower.push_back(p.lower);
    upper.push_back(p.upper);
    start.push_back(p.start);
    units.push_back(p.units);
  }
  variable(group, "lower", lower, axes, "as the parameter (see units)", "lower bound of the search");
  variable(group, "upper", upper, axes, "as the parameter (see units)", "upper bound of the search");
  variable(group, "start", start, axes, "as the parameter (see units)", "starting value of the first local search");
  strings(group, "units", units, axes.front(), "the parameter's unit, from the parameter registry");
}

void write_targets(h5::File& file, const CalibrationSpec& spec) {
  h5::Group group = file.create_group("targets");
  describe(group, "", "the target moments: which summary metric of which cells, the observed value and its weight");
  const h5::Dataset scale = io::detail::create_name_scale(group, "target", target_labels(spec),
                                                          "target label: metric[firm, segment], * = pooled");
  const std::vector<Axis> axes{{"target", scale}};
  std::vector<std::string> metric, firm, segment;
  std::vector<double> value, se, weight;
  for (const auto& t : spec.targets) {
    metric.emplace_back(summary_metrics[t.metric].name);
    firm.push_back(t.firm.all() ? "*" : spec.scenario.firms[*t.firm.index].name);
    segment.push_back(t.segment.all() ? "*" : spec.scenario.segments[*t.segment.index].name);
    value.push_back(t.value);
    se.push_back(t.se ? *t.se : nan);
    weight.push_back(t.weight);
  }
  strings(group, "metric", metric, axes.front(), "summary metric (summary/ of a results file)");
  strings(group, "firm", firm, axes.front(), "firm of the moment; * = all firms pooled");
  strings(group, "segment", segment, axes.front(), "segment of the moment; * = all segments pooled");
  variable(group, "value", value, axes, "as the metric", "observed value of the moment");
  variable(group, "se", se, axes, "as the metric", "standard error of the observed value (NaN: a weight was given)");
  variable(group, "weight", weight, axes, "1 / (metric units)^2", "weight in the objective: 1/se^2, or as given");
}

void write_evaluations(h5::File& file, const CalibrationRecord& record) {
  const CalibrationSpec& spec = record.spec;
  const std::vector<TraceEntry>& entries = record.trace.entries;
  const std::size_t n = entries.size();
  h5::Group group = file.create_group("evaluations");
  describe(group, "", "every evaluation of the objective, in the order made");
  const h5::Dataset evaluation =
      io::detail::create_index_scale(group, "evaluation", n, 0, "evaluation number, in the order made");
  const h5::Dataset parameter =
      io::detail::create_name_scale(group, "parameter", parameter_paths(spec), "parameter path");
  const h5::Dataset target = io::detail::create_name_scale(group, "target", target_labels(spec), "target label");
  std::vector<double> parameters, moments, objective, seconds;
  std::vector<std::int64_t> undefined;
  std::vector<std::int32_t> stage;
  for (const TraceEntry& e : entries) {
    parameters.insert(parameters.end(), e.parameters.begin(), e.parameters.end());
    moments.insert(moments.end(), e.moments.begin(), e.moments.end());
    objective.push_back(e.objective);
    undefined.push_back(static_cast<std::int64_t>(e.undefined));
    stage.push_back(e.stage);
    seconds.push_back(e.wall_seconds);
  }
  variable(group, "parameters", parameters, {{"evaluation", evaluation}, {"parameter", parameter}},
           "as the parameter (parameters/units)", "parameter values of the evaluation");
  variable(group, "moments", moments, {{"evaluation", evaluation}, {"target", target}}, "as the metric",
           "simulated moments, pooled over the replicates (NaN: undefined, no decisions to compute it from)");
  variable(group, "objective", objective, {{"evaluation", evaluation}}, "1",
           "sum of weight x (moment - value)^2, plus 1e12 per undefined moment");
  variable(group, "undefined_moments", undefined, {{"evaluation", evaluation}}, "moments",
           "moments that were undefined (each added the penalty 1e12 to the objective)");
  variable(group, "stage", stage, {{"evaluation", evaluation}}, "1",
           "search stage: 0 the global stage, k >= 1 local search k, -1 the finite differences "
           "of the standard errors");
  variable(group, "wall_seconds", seconds, {{"evaluation", evaluation}}, "s", "wall time of the evaluation");
}

void write_fit(h5::File& file, const CalibrationRecord& record) {
  const CalibrationSpec& spec = record.spec;
  const std::size_t p = spec.parameters.size(), m = spec.targets.size();
  const Evaluation& best = record.trace.best_evaluation;
  h5::Group group = file.create_group("fit");
  describe(group, "",
           record.complete ? "the fit: the best evaluation, its moments and the parameters' standard errors"
                           : "the best evaluation when the calibration was interrupted (no standard errors)");
  const h5::Dataset parameter =
      io::detail::create_name_scale(group, "parameter", parameter_paths(spec), "parameter path");
  const h5::Dataset target = io::detail::create_name_scale(group, "target", target_labels(spec), "target label");
  const std::vector<Axis> by_parameter{{"parameter", parameter}}, by_target{{"target", target}};

  variable(group, "parameters", best_parameters(record), by_parameter, "as the parameter (parameters/units)",
           "fitted parameter values: the evaluation with the lowest objective");
  const StandardErrors* errors = record.errors;
  const std::vector<double> none_p(p, nan);
  variable(group, "standard_error", errors ? errors->se : none_p, by_parameter, "as the parameter",
           "approximate standard error: sqrt of the diagonal of H^-1 + H^-1 G'W (S/R) W G H^-1, H = G'WG "
           "(docs/CALIBRATION.md); NaN where not identified or not computed");
  variable(group, "standard_error_targets_only", errors ? errors->se_targets : none_p, by_parameter, "as the parameter",
           "the part of standard_error from the targets' standard errors alone: sqrt diag H^-1");
  std::vector<std::int8_t> identified(p, static_cast<std::int8_t>(Identified::unknown));
  if (errors)
    for (std::size_t k = 0; k < p; ++k) identified[k] = static_cast<std::int8_t>(errors->identified[k]);
  h5::Dataset flags = variable(group, "identified", identified, by_parameter, "1",
                               "whether the targets identify the parameter (see the warnings attribute)");
  flags.write_attribute("flag_values", std::vector<std::int8_t>{0, 1, 2, 3});
  flags.write_attribute("flag_meanings", std::string_view(identified_meanings));

  std::vector<double> values;
  for (const auto& t : spec.targets) values.push_back(t.value);
  variable(group, "target_value", values, by_target, "as the metric", "observed value of the moment");
  variable(group, "moments", best.moments.values, by_target, "as the metric",
           "simulated moments at the fitted parameters, pooled over the replicates");
  variable(group, "moment_replicate_se", best.moments.se, by_target, "as the metric",
           "standard error of the simulated moment over the replicates (sd / sqrt(replicates))");
  variable(group, "jacobian", errors ? errors->jacobian : std::vector<double>(m * p, nan),
           {{"target", target}, {"parameter", parameter}}, "metric units per parameter unit",
           "d moment / d parameter at the fit, by central differences with common random numbers");

  group.write_attribute("objective", record.trace.entries[*record.trace.best].objective);
  group.write_attribute("best_evaluation", static_cast<std::int64_t>(*record.trace.best));
  std::string warnings;
  if (errors)
    for (const auto& w : errors->warnings) warnings += (warnings.empty() ? "" : "\n") + w;
  group.write_attribute("warnings", warnings);
  std::vector<double> eigenvalues = errors ? errors->eigenvalues : std::vector<double>{};
  if (!eigenvalues.empty()) group.write_attribute("eigenvalues_bound_units", eigenvalues);
}

}  // namespace

Scenario fitted_scenario(const CalibrationSpec& spec, const std::vector<double>& values) {
  Scenario scenario = spec.scenario;
  for (std::size_t k = 0; k < spec.parameters.size(); ++k)
    resolve_parameter_path(scenario, spec.parameters[k].path).set(scenario, values[k]);
  return scenario;
}

std::string fitted_scenario_toml(const CalibrationRecord& record) {
  const std::vector<double>& best = best_parameters(record);
  std::ostringstream out;
  out << "# Fitted by loyalsim calibrate " << record.software_version << " from " << record.calibration_path
      << (record.complete ? "" : " (INTERRUPTED: the best point so far, no standard errors)") << ".\n"
      << "# Every value of the base scenario " << record.spec.scenario_path
      << " is written out; the seed is the calibration's,\n"
      << "# so `loyalsim run` of this file repeats the first replicate of the fit. Fitted:\n";
  for (std::size_t k = 0; k < best.size(); ++k) {
    out << "#   " << record.spec.parameters[k].path << " = " << io::toml_double(best[k]);
    if (record.errors && !std::isnan(record.errors->se[k]))
      out << "  (se " << io::toml_double(record.errors->se[k]) << ")";
    out << "\n";
  }
  out << "\n" << io::to_toml(fitted_scenario(record.spec, best));
  return out.str();
}

void write_calibration_h5(const std::filesystem::path& path, const std::string& label,
                          const CalibrationRecord& record) {
  h5::File file = h5::File::create(path, label);
  const SearchSettings& s = record.spec.search;
  file.write_attribute("format", "loyalsim-calibration");
  file.write_attribute("format_version", static_cast<std::int32_t>(calibration_format_version));
  file.write_attribute("software_version", record.software_version);
  file.write_attribute("command_line", record.command_line);
  file.write_attribute("calibration_path", record.calibration_path);
  file.write_attribute("calibration", record.calibration_text);
  file.write_attribute("scenario_path", record.spec.scenario_path);
  file.write_attribute("scenario", record.spec.scenario_text);
  file.write_attribute("fitted_scenario", fitted_scenario_toml(record));
  file.write_attribute("created_utc", utc_now());
  file.write_attribute("status", record.complete ? "complete" : "interrupted");
  file.write_attribute("complete", static_cast<std::int8_t>(record.complete ? 1 : 0));
  file.write_attribute("stop_reason", record.stop_reason);
  file.write_attribute("seed", static_cast<std::uint64_t>(s.seed));
  file.write_attribute("replicates", static_cast<std::int64_t>(s.replicates));
  file.write_attribute("budget", static_cast<std::int64_t>(s.budget));
  file.write_attribute("algorithm", algorithm_name(s.algorithm));
  file.write_attribute("global", algorithm_name(s.global));
  file.write_attribute("starts", static_cast<std::int64_t>(s.starts));
  file.write_attribute("tolerance", s.tolerance);
  file.write_attribute("jacobian_step", s.jacobian_step);
  file.write_attribute("undefined_moment_penalty", undefined_moment_penalty);
  write_parameters(file, record.spec);
  write_targets(file, record.spec);
  write_evaluations(file, record);
  write_fit(file, record);
  file.close();
}

}  // namespace loyalsim::calibrate
