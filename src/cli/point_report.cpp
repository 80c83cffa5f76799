#include "cli/point_report.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "cli/report.hpp"
#include "core/metrics.hpp"

namespace loyalsim::cli {
namespace {

// Four significant digits: a sampled design's values are long, and the
// design/ group of the file holds them exactly.
std::string short_value(double value) {
  std::ostringstream out;
  out.precision(4);
  out << value;
  return out.str();
}

std::string rate_text(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return "     -";
  std::ostringstream out;
  out << std::fixed;
  out.precision(3);
  out.width(6);
  out << static_cast<double>(part) / static_cast<double>(whole);
  return out.str();
}

}  // namespace

ParameterSummary::ParameterSummary(const Design& design) : paths_(design.paths()) {
  for (std::size_t k = 0; k < design.parameters(); ++k) {
    std::vector<double> values;
    double low = design.point_count > 0 ? design.value(0, k) : 0.0, high = low;
    for (std::int64_t p = 0; p < design.point_count; ++p) {
      const double v = design.value(p, k);
      low = std::min(low, v);
      high = std::max(high, v);
      if (values.size() <= max_levels && std::find(values.begin(), values.end(), v) == values.end())
        values.push_back(v);
    }
    std::sort(values.begin(), values.end());
    if (values.size() > max_levels) values.clear();  // many values: fifths of the range
    // A sampled design's range is the one written ([low, high]), not its points' span.
    const SweepParameter& written = design.spec.parameters[k];
    if (written.high > written.low) {
      low = written.low;
      high = written.high;
    }
    range_.emplace_back(low, high);
    totals_.emplace_back(values.empty() ? bins : values.size(), std::array<std::int64_t, 3>{0, 0, 0});
    levels_.push_back(std::move(values));
  }
}

std::size_t ParameterSummary::bin_of(std::size_t k, double value) const {
  if (!levels_[k].empty())
    return static_cast<std::size_t>(std::lower_bound(levels_[k].begin(), levels_[k].end(), value) - levels_[k].begin());
  const auto [low, high] = range_[k];
  if (!(high > low)) return 0;
  const double share = (value - low) / (high - low);
  return std::min(bins - 1, static_cast<std::size_t>(std::max(0.0, share) * static_cast<double>(bins)));
}

void ParameterSummary::count(const std::vector<double>& values, const RunResult& result) {
  std::array<std::int64_t, 3> run{0, 0, 0};
  for (std::size_t f = 0; f < result.firms; ++f)
    for (std::size_t s = 0; s < result.segments; ++s) {
      run[0] += result.count(Total::orphaned, f, s);
      run[1] += result.count(Total::stayed, f, s);
      run[2] += result.count(Total::followed, f, s);
    }
  for (std::size_t k = 0; k < levels_.size() && k < values.size(); ++k) {
    std::array<std::int64_t, 3>& into = totals_[k][bin_of(k, values[k])];
    for (std::size_t i = 0; i < 3; ++i) into[i] += run[i];
  }
}

void ParameterSummary::print(std::ostream& out) const {
  out << "\nby varied parameter (every finished run; all firms, segments and other parameters pooled):\n";
  for (std::size_t k = 0; k < levels_.size(); ++k) {
    out << "  " << paths_[k];
    if (!levels_[k].empty()) {
      out << " at";
      for (const double v : levels_[k]) out << " " << short_value(v);
    } else {
      out << ", by fifths of [" << short_value(range_[k].first) << ", " << short_value(range_[k].second) << "]";
    }
    out << "\n      follow";
    for (const auto& bin : totals_[k]) out << " " << rate_text(bin[2], bin[0]);
    out << "\n      retain";
    for (const auto& bin : totals_[k]) out << " " << rate_text(bin[1], bin[0]);
    out << "\n";
  }
}

void print_point_tables(std::ostream& out, const Design& design, const std::vector<RunResult>& points,
                        const std::vector<std::string>& firm_names, const std::vector<std::string>& segment_names,
                        const std::filesystem::path& file, const ParameterSummary* by_parameter) {
  const std::int64_t replicates = design.replicates();
  out << "by design point";
  if (replicates > 1) out << " (the " << replicates << " replicates of each point pooled)";
  out << ":\n";
  for (std::size_t p = 0; p < points.size(); ++p) {
    const auto point = static_cast<std::int64_t>(p);
    out << "\npoint " << p << " of " << design.point_count << ":";
    for (std::size_t k = 0; k < design.parameters(); ++k)
      out << (k ? ", " : " ") << design.path(k) << " = " << short_value(design.value(point, k));
    out << "\n";
    print_rates_table(out, points[p], firm_names, segment_names, false);
  }
  const std::int64_t left_out = design.point_count - static_cast<std::int64_t>(points.size());
  if (left_out > 0)
    out << "\n... " << left_out << " more design point" << (left_out == 1 ? "" : "s") << " not shown; every run is in "
        << file.string() << ": loyalsim export " << file.string()
        << " --csv DIR writes them as CSV tables, scripts/plot_sweep.py draws them\n";
  if (left_out > 0 && by_parameter != nullptr) by_parameter->print(out);
  out << "\n";
  print_rates_legend(out);
}

}  // namespace loyalsim::cli
