// What one run produces: everything the output layer writes, in memory,
// free of any file format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.hpp"

namespace loyalsim {

enum class Choice : std::uint8_t { stay = 0, follow = 1, defect = 2 };

// One row of events/: a customer's decision after its rep left.
struct DecisionEvent {
  std::int32_t month;      // recorded numbering (1..months)
  std::int32_t customer;
  std::int32_t rep;        // the departing rep's id
  std::int16_t from_firm;  // the firm the rep left
  std::int16_t to_firm;    // firm after the decision; -1 = unattached
  std::uint8_t segment;
  Choice choice;
  float brand_loyalty;     // B just before the decision
  float rep_loyalty;       // R just before the decision
};

struct RunResult {
  std::size_t months = 0;    // recorded months
  std::size_t firms = 0;
  std::size_t segments = 0;

  // series[metric] is month-major: index ((month * firms) + firm) * segments
  // + segment for firm_segment metrics, month * firms + firm for firm ones.
  std::vector<std::vector<double>> series;
  // totals[metric], index firm * segments + segment.
  std::vector<std::vector<double>> totals;
  // Decisions in (month, customer) order; filled only when events are asked for.
  std::vector<DecisionEvent> events;

  double wall_seconds = 0.0;
  std::int64_t customer_months = 0;      // customers x simulated months (burn-in included)
  std::int64_t scripted_shortfall = 0;   // scripted leavers asked for but not available
  std::size_t state_bytes = 0;           // memory held by the run's agent arrays

  std::size_t series_size(const MetricInfo& m) const {
    return months * firms * (m.shape == MetricShape::firm_segment ? segments : 1);
  }
  double& at(Series s, std::size_t month, std::size_t firm, std::size_t segment) {
    return series[index_of(s)][(month * firms + firm) * segments + segment];
  }
  double& at(Series s, std::size_t month, std::size_t firm) {
    return series[index_of(s)][month * firms + firm];
  }
  double& total(Total t, std::size_t firm, std::size_t segment) {
    return totals[index_of(t)][firm * segments + segment];
  }
  double total(Total t, std::size_t firm, std::size_t segment) const {
    return totals[index_of(t)][firm * segments + segment];
  }

  void allocate(std::size_t n_months, std::size_t n_firms, std::size_t n_segments) {
    months = n_months;
    firms = n_firms;
    segments = n_segments;
    series.clear();
    for (const auto& m : series_metrics) series.emplace_back(series_size(m), 0.0);
    totals.assign(summary_metrics.size(), std::vector<double>(firms * segments, 0.0));
  }
};

// The one shape check of a run's arrays, used by every writer (the results
// file, the journal): what is wrong with `result` for a file of `months` x
// `firms` x `segments` (`holder` names that file in the message), or nothing.
inline std::optional<std::string> run_shape_problem(const RunResult& result, std::size_t months, std::size_t firms,
                                                    std::size_t segments, std::string_view holder) {
  if (result.months != months || result.firms != firms || result.segments != segments) {
    return "the result has " + std::to_string(result.months) + " months x " + std::to_string(result.firms) +
           " firms x " + std::to_string(result.segments) + " segments, the " + std::string(holder) + " " +
           std::to_string(months) + " x " + std::to_string(firms) + " x " + std::to_string(segments);
  }
  if (result.series.size() != series_metrics.size() || result.totals.size() != summary_metrics.size()) {
    return std::string("the result was not allocated for the metric tables");
  }
  for (std::size_t i = 0; i < series_metrics.size(); ++i) {
    if (result.series[i].size() != result.series_size(series_metrics[i]))
      return "timeseries '" + std::string(series_metrics[i].name) + "' has the wrong size";
  }
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    if (result.totals[i].size() != firms * segments)
      return "summary '" + std::string(summary_metrics[i].name) + "' has the wrong size";
  }
  return std::nullopt;
}

}  // namespace loyalsim
