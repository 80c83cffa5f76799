#include "cli/point_report.hpp"

#include <ostream>
#include <sstream>

#include "cli/report.hpp"

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

}  // namespace

void print_point_tables(std::ostream& out, const Design& design, const std::vector<RunResult>& points,
                        const std::vector<std::string>& firm_names, const std::vector<std::string>& segment_names,
                        const std::filesystem::path& file) {
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
  out << "\n";
  print_rates_legend(out);
}

}  // namespace loyalsim::cli
