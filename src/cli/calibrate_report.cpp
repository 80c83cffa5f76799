#include "cli/calibrate_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "core/metrics.hpp"

namespace loyalsim::cli {
namespace {

using namespace loyalsim::calibrate;

// Columns of text: the first left-aligned, the rest right-aligned.
void print_columns(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], row[c].size());
    }
  for (const auto& row : rows) {
    std::ostringstream line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c == 0) line << std::left << std::setw(static_cast<int>(widths[c])) << row[c];
      else line << "  " << std::right << std::setw(static_cast<int>(widths[c])) << row[c];
    }
    std::string text = line.str();
    text.erase(text.find_last_not_of(' ') + 1);  // an empty last column leaves no trailing spaces
    out << text << "\n";
  }
}

std::string identified_text(Identified identified) {
  switch (identified) {
    case Identified::no:
      return "not identified";
    case Identified::weakly:
      return "weakly identified";
    case Identified::unknown:
      return "unknown";
    case Identified::yes:
      return "";
  }
  return "";
}

}  // namespace

std::string table_number(double value) {
  if (std::isnan(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

void print_calibration_plan(std::ostream& out, const std::string& source, const CalibrationSpec& spec,
                            const SweepExtent& per_evaluation, const CalibrationPaths& paths) {
  const SearchSettings& s = spec.search;
  const auto p = static_cast<std::int64_t>(spec.parameters.size());
  const std::int64_t evaluations = s.budget + 2 * p;
  out << "calibration " << source << " (dry run: nothing was run or written)\n"
      << "scenario " << spec.scenario_path << ": " << spec.scenario.market.customers << " customers, "
      << spec.scenario.market.months << " recorded months after " << spec.scenario.market.burn_in_months
      << " of burn-in, " << spec.scenario.firms.size() << " firms, " << spec.scenario.segments.size()
      << " segments\n\n";
  std::vector<std::vector<std::string>> rows{{"parameter", "lower", "upper", "start", "units"}};
  for (const auto& q : spec.parameters)
    rows.push_back({q.path, table_number(q.lower), table_number(q.upper), table_number(q.start), q.units});
  print_columns(out, rows);
  out << "\n";
  rows = {{"target", "value", "se", "weight"}};
  for (const auto& t : spec.targets)
    rows.push_back({t.label, table_number(t.value), t.se ? table_number(*t.se) : "-", table_number(t.weight)});
  print_columns(out, rows);
  out << "\nsearch: " << algorithm_name(s.algorithm) << ", " << s.starts << " start" << (s.starts == 1 ? "" : "s");
  if (s.global != GlobalAlgorithm::none) out << " after a " << algorithm_name(s.global) << " global stage";
  out << "; budget " << s.budget << " evaluations, tolerance " << table_number(s.tolerance)
      << " of each parameter's bounds\n"
      << "each evaluation: " << s.replicates << " replicate run" << (s.replicates == 1 ? "" : "s")
      << " with the same seeds (common random numbers, calibration seed " << s.seed << ")\n"
      << "standard errors: " << 2 * p << " more evaluations (central differences, step "
      << table_number(s.jacobian_step) << " of each parameter's bounds)\n"
      << "at most " << evaluations << " evaluations = " << evaluations * s.replicates << " runs, " << std::scientific
      << std::setprecision(3) << per_evaluation.customer_months * static_cast<double>(evaluations) << std::defaultfloat
      << " customer-months\n"
      << "outputs: " << paths.h5.string() << ", " << paths.toml.string() << "\n";
}

void print_calibration_table(std::ostream& out, const CalibrationSpec& spec, const Trace& trace,
                             const StandardErrors* errors) {
  const Evaluation& best = trace.best_evaluation;
  std::vector<std::vector<std::string>> rows{{"target", "value", "se", "fitted", "rep. se", "z"}};
  for (std::size_t j = 0; j < spec.targets.size(); ++j) {
    const Target& t = spec.targets[j];
    const double fitted = best.moments.values[j];
    rows.push_back({t.label, table_number(t.value), t.se ? table_number(*t.se) : "-", table_number(fitted),
                    table_number(best.moments.se[j]), table_number((fitted - t.value) * std::sqrt(t.weight))});
  }
  print_columns(out, rows);
  out << "(fitted: the simulated moment pooled over the replicates; rep. se: its standard error over the\n"
         " replicates; z = (fitted - value) / se, or x sqrt(weight); '-' = undefined)\n\n";

  const std::vector<double>& fitted = trace.entries[*trace.best].parameters;
  rows = {{"parameter", "lower", "upper", "start", "fitted", "se", ""}};
  for (std::size_t k = 0; k < spec.parameters.size(); ++k) {
    const FittedParameter& p = spec.parameters[k];
    rows.push_back({p.path, table_number(p.lower), table_number(p.upper), table_number(p.start),
                    table_number(fitted[k]), errors ? table_number(errors->se[k]) : "-",
                    errors ? identified_text(errors->identified[k]) : "not computed"});
  }
  print_columns(out, rows);
  out << "(se: approximate standard error by the method of moments, the targets' se and the simulation noise;\n"
         " see docs/CALIBRATION.md)\n";
}

}  // namespace loyalsim::cli
