#include "cli/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "analysis/design_outputs.hpp"
#include "analysis/morris_indices.hpp"
#include "analysis/regression_indices.hpp"
#include "analysis/replicates.hpp"
#include "analysis/sobol_indices.hpp"
#include "core/metrics.hpp"
#include "core/rates.hpp"

namespace loyalsim::cli {
namespace {

using analysis::Estimate;

std::size_t metric_index(const std::string& name) {
  for (std::size_t m = 0; m < summary_metrics.size(); ++m)
    if (summary_metrics[m].name == name) return m;
  return summary_metrics.size();
}

// One run's totals as a RunResult, so pool_totals gives the pooled rates
// exactly as the run table does (rates from pooled counts).
RunResult run_totals(const io::SweepResults& r, std::size_t run) {
  RunResult result;
  result.firms = r.firms.size();
  result.segments = r.segments.size();
  const auto cells = [&](const MetricInfo& m) {
    return result.firms * (m.shape == MetricShape::firm_segment ? result.segments : 1);
  };
  result.totals.allocate(summary_metrics, cells);
  for (std::size_t m = 0; m < summary_metrics.size(); ++m) {
    if (summary_metrics[m].type != MetricType::count) continue;
    const std::size_t n = cells(summary_metrics[m]);
    std::copy_n(r.counts[m].begin() + static_cast<std::ptrdiff_t>(run * n), n, result.totals.counts[m].begin());
  }
  return result;
}

double value_of(const RunResult& pooled, std::size_t m) {
  return summary_metrics[m].type == MetricType::count ? static_cast<double>(pooled.totals.counts[m][0])
                                                      : pooled.totals.reals[m][0];
}

// |PRCC| as the ranking index: an interval straddling 0 becomes [0, max |end|].
std::vector<Estimate> magnitudes(const std::vector<Estimate>& values) {
  std::vector<Estimate> out = values;
  for (Estimate& e : out) {
    const double a = std::abs(e.low), b = std::abs(e.high);
    e.value = std::abs(e.value);
    if (e.low <= 0 && e.high >= 0) e.low = 0, e.high = std::max(a, b);
    else e.low = std::min(a, b), e.high = std::max(a, b);
  }
  return out;
}

struct Cell {
  std::string firm, segment;
  std::vector<double> runs;  // one output per run (NaN: undefined or not done)
};

}  // namespace

AnalysisTables analyse(const io::SweepResults& r, const AnalysisRequest& request) {
  const Design& design = r.design;
  const std::size_t d = design.parameters();
  const auto replicates = static_cast<std::size_t>(design.replicates());
  const auto points = static_cast<std::size_t>(design.point_count);
  const std::size_t runs = r.done.size();
  const std::size_t firms = r.firms.size(), segments = r.segments.size();

  // Pooled totals per run, over the selected firms and segments.
  std::vector<bool> firm_mask(firms, false), segment_mask(segments, false);
  for (const std::size_t f : request.firms) firm_mask[f] = true;
  for (const std::size_t s : request.segments) segment_mask[s] = true;
  std::vector<RunResult> pooled;
  for (std::size_t run = 0; run < runs; ++run)
    pooled.push_back(pool_totals(run_totals(r, run), firm_mask, segment_mask));

  std::vector<double> unit;  // points in [0, 1] per parameter (morris)
  if (design.spec.design == DesignType::morris)
    for (std::size_t p = 0; p < points; ++p)
      for (std::size_t i = 0; i < d; ++i) {
        const SweepParameter& s = design.spec.parameters[i];
        unit.push_back((design.value(static_cast<std::int64_t>(p), i) - s.low) / (s.high - s.low));
      }

  AnalysisTables tables;
  for (const std::string& name : request.metrics) {
    const std::size_t m = metric_index(name);
    const bool count = summary_metrics[m].type == MetricType::count;
    // A per-firm metric has one cell per firm ("all" segments).
    const bool by_segment = summary_metrics[m].shape == MetricShape::firm_segment;
    const std::size_t cell_segments = by_segment ? request.segments.size() : 1;
    std::vector<Cell> cells;
    for (const std::size_t f : request.firms)
      for (std::size_t k = 0; k < cell_segments; ++k) {
        const std::size_t s = by_segment ? request.segments[k] : 0;
        Cell cell{r.firms[f], by_segment ? r.segments[s] : "all", std::vector<double>(runs)};
        for (std::size_t run = 0; run < runs; ++run) {
          const std::size_t at = by_segment ? (run * firms + f) * segments + s : run * firms + f;
          cell.runs[run] = count ? static_cast<double>(r.counts[m][at]) : r.reals[m][at];
        }
        cells.push_back(std::move(cell));
      }
    if (request.firms.size() * cell_segments > 1) {
      Cell all{"all", "all", std::vector<double>(runs)};
      for (std::size_t run = 0; run < runs; ++run) all.runs[run] = value_of(pooled[run], m);
      cells.push_back(std::move(all));
    }

    for (Cell& cell : cells) {
      // points x replicates, by each run's point and replicate.
      std::vector<double> matrix(points * replicates, analysis::not_a_number);
      for (std::size_t run = 0; run < runs; ++run)
        if (r.done[run])
          matrix[static_cast<std::size_t>(r.run_point[run]) * replicates +
                 static_cast<std::size_t>(r.run_replicate[run])] = cell.runs[run];
      const analysis::ReplicateSummary rep = analysis::summarize_replicates(matrix, replicates);

      io::CellRow row;
      row.metric = name;
      row.firm = cell.firm;
      row.segment = cell.segment;
      row.runs_used = static_cast<std::int64_t>(rep.runs_used);
      row.runs_excluded = static_cast<std::int64_t>(rep.runs_excluded);
      row.variance = analysis::variance(rep.means);
      row.noise_variance = rep.noise_known ? rep.noise_variance : analysis::not_a_number;
      row.noise_share = rep.noise_share;
      row.analysed_noise_share = rep.analysed_noise_share;
      row.noise_floor = analysis::not_a_number;
      row.r2 = analysis::not_a_number;
      const double mean_noise = rep.noise_known ? rep.mean_noise : 0.0;
      auto add = [&](std::size_t i, const char* index, const Estimate& e, std::string other = {}) {
        tables.indices.push_back(io::IndexRow{name, cell.firm, cell.segment, design.path(i), std::move(other), index,
                                              e.value, e.low, e.high, e.se});
      };
      std::vector<Estimate> ranking;
      switch (design.spec.design) {
        case DesignType::saltelli: {
          // With replicates, each output is corrected by its own point's noise.
          const analysis::SaltelliOutputs y =
              rep.noise_known
                  ? analysis::saltelli_outputs(design.places, rep.means, rep.point_noise, d, design.spec.second_order)
                  : analysis::saltelli_outputs(design.places, rep.means, d, design.spec.second_order);
          const analysis::SobolIndices s = analysis::sobol_indices(y, request.bootstrap);
          row.method = "sobol";
          row.units_used = static_cast<std::int64_t>(s.samples_used);
          row.units_excluded = static_cast<std::int64_t>(s.samples_excluded);
          row.noise_floor = s.noise_floor;
          for (std::size_t i = 0; i < d; ++i) add(i, "S1", s.first[i]);
          for (std::size_t i = 0; i < d; ++i) add(i, "ST", s.total[i]);
          if (design.spec.second_order)
            for (std::size_t i = 0; i < d; ++i)
              for (std::size_t k = i + 1; k < d; ++k) add(i, "S2", s.second[i * d + k], design.path(k));
          ranking = s.total;
          break;
        }
        case DesignType::morris: {
          const std::vector<double> effects = analysis::morris_effects(design.places, unit, rep.means, d);
          const double p = static_cast<double>(design.spec.levels);
          const double delta = p / (2.0 * (p - 1.0));
          const analysis::MorrisIndices s =
              analysis::morris_indices(effects, d, request.bootstrap, 2.0 * mean_noise / (delta * delta));
          row.method = "morris";
          row.units_used = static_cast<std::int64_t>(s.trajectories_used);
          row.units_excluded = static_cast<std::int64_t>(effects.size() / d - s.trajectories_used);
          row.noise_floor = s.noise_floor;
          for (std::size_t i = 0; i < d; ++i) add(i, "mu_star", s.mu_star[i]);
          for (std::size_t i = 0; i < d; ++i) add(i, "mu", s.mu[i]);
          for (std::size_t i = 0; i < d; ++i) add(i, "sigma", s.sigma[i]);
          ranking = s.mu_star;
          break;
        }
        default: {
          const analysis::RegressionIndices s =
              analysis::regression_indices(design.points, rep.means, d, request.bootstrap);
          row.method = "regression";
          row.units_used = static_cast<std::int64_t>(s.points_used);
          row.units_excluded = static_cast<std::int64_t>(s.points_excluded);
          row.r2 = s.r2.value;
          for (std::size_t i = 0; i < d; ++i) add(i, "PRCC", s.prcc[i]);
          for (std::size_t i = 0; i < d; ++i) add(i, "SRC", s.src[i]);
          ranking = magnitudes(s.prcc);
          break;
        }
      }
      row.verdict = analysis::verdict_text(analysis::ranking_verdict(ranking, rep.analysed_noise_share),
                                           rep.analysed_noise_share);
      if (!rep.noise_known) row.verdict += "; noise unknown (1 replicate)";
      tables.cells.push_back(std::move(row));
    }
  }
  return tables;
}

namespace {

std::string with_interval(const Estimate& e) {
  if (!std::isfinite(e.value)) return "undefined";
  char text[64];
  if (std::isfinite(e.low)) std::snprintf(text, sizeof text, "%6.3f [%6.3f, %6.3f]", e.value, e.low, e.high);
  else std::snprintf(text, sizeof text, "%6.3f", e.value);
  return text;
}

std::string percent(double share) {
  if (!std::isfinite(share)) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", 100.0 * share);
  return text;
}

}  // namespace

std::string format_table(const AnalysisTables& tables, const std::string& design) {
  const bool sobol = design == "saltelli", morris = design == "morris";
  const std::vector<std::string> columns = sobol    ? std::vector<std::string>{"S1", "ST"}
                                           : morris ? std::vector<std::string>{"mu_star", "mu", "sigma"}
                                                    : std::vector<std::string>{"PRCC", "SRC"};
  const std::string rank_by = sobol ? "ST" : morris ? "mu_star" : "PRCC";

  // Index rows by (metric, firm, segment, parameter) -> index -> estimate.
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::vector<std::string>> order;
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, Estimate> by;
  std::size_t width = 9;
  for (const io::IndexRow& row : tables.indices) {
    if (!row.parameter2.empty()) continue;  // S2: in the file, not the table
    const Key key{row.metric, row.firm, row.segment};
    auto& params = order[key];
    if (std::find(params.begin(), params.end(), row.parameter) == params.end()) params.push_back(row.parameter);
    by[{row.metric, row.firm, row.segment, row.parameter, row.index}] =
        Estimate{row.estimate, row.low, row.high, row.se};
    width = std::max(width, row.parameter.size());
  }
  std::size_t metric_width = 6, firm_width = 4, segment_width = 7;
  for (const io::CellRow& c : tables.cells) {
    metric_width = std::max(metric_width, c.metric.size());
    firm_width = std::max(firm_width, c.firm.size());
    segment_width = std::max(segment_width, c.segment.size());
  }
  std::ostringstream out;
  auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); };
  out << pad("metric", metric_width) << "  " << pad("firm", firm_width) << "  " << pad("segment", segment_width) << "  "
      << pad("parameter", width);
  for (const std::string& c : columns) out << "  " << pad(c + " [95%]", 24);
  out << "  noise  note\n";
  for (const io::CellRow& cell : tables.cells) {
    const Key key{cell.metric, cell.firm, cell.segment};
    std::vector<std::string> params = order[key];
    auto rank_value = [&](const std::string& p) {
      const double v = by[{cell.metric, cell.firm, cell.segment, p, rank_by}].value;
      return std::isfinite(v) ? (rank_by == "PRCC" ? std::abs(v) : v) : -HUGE_VAL;
    };
    std::stable_sort(params.begin(), params.end(),
                     [&](const std::string& a, const std::string& b) { return rank_value(a) > rank_value(b); });
    for (std::size_t k = 0; k < params.size(); ++k) {
      out << pad(cell.metric, metric_width) << "  " << pad(cell.firm, firm_width) << "  "
          << pad(cell.segment, segment_width) << "  " << pad(params[k], width);
      for (const std::string& c : columns)
        out << "  " << pad(with_interval(by[{cell.metric, cell.firm, cell.segment, params[k], c}]), 24);
      if (k == 0) {
        out << "  " << pad(percent(cell.noise_share), 5) << "  " << cell.verdict;
        if (cell.method == "morris" && std::isfinite(cell.noise_floor) && cell.noise_floor > 0) {
          char floor[48];
          std::snprintf(floor, sizeof floor, "; mu* noise floor %.3g", cell.noise_floor);
          out << floor;
        }
        if (std::isfinite(cell.r2)) {
          char r2[32];
          std::snprintf(r2, sizeof r2, "; R2 %.2f", cell.r2);
          out << r2;
        }
        if (cell.runs_excluded > 0) out << "; " << cell.runs_excluded << " runs with NaN left out";
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace loyalsim::cli
