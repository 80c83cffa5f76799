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
  std::int32_t month;  // recorded numbering (1..months)
  std::int32_t customer;
  std::int32_t rep;          // the departing rep's id
  std::int16_t from_firm;    // the firm the rep left
  std::int16_t to_firm;      // firm after the decision; -1 = unattached
  std::int16_t destination;  // firm the rep joined; -1 (to_industry) = left the industry
  std::uint8_t barred;       // 1 = non-solicit barred the rep's book (only for a competitor join)
  std::uint8_t segment;
  Choice choice;
  float brand_loyalty;  // B just before the decision
  float rep_loyalty;    // R just before the decision
};

// One metric table's arrays, by metric index: a count metric's values are
// counts[i] (and reals[i] is empty), a real metric's are reals[i] (and
// counts[i] is empty). Counts stay integers from the tally to the file.
struct MetricArrays {
  std::vector<std::vector<std::int64_t>> counts;
  std::vector<std::vector<double>> reals;

  // Sizes every metric of `table` to `size(metric)` zeros of its type.
  template <class Table, class Size>
  void allocate(const Table& table, Size size) {
    counts.clear();
    reals.clear();
    for (const MetricInfo& m : table) {
      const bool count = m.type == MetricType::count;
      counts.emplace_back(count ? size(m) : 0, std::int64_t{0});
      reals.emplace_back(count ? 0 : size(m), 0.0);
    }
  }
};

struct RunResult {
  std::size_t months = 0;  // recorded months
  std::size_t firms = 0;
  std::size_t segments = 0;

  // series: month-major, index ((month * firms) + firm) * segments + segment
  // for firm_segment metrics, month * firms + firm for firm ones.
  MetricArrays series;
  // totals: index firm * segments + segment for firm_segment metrics, firm
  // for firm ones.
  MetricArrays totals;
  // Decisions in (month, customer) order; filled only when events are asked for.
  std::vector<DecisionEvent> events;

  double wall_seconds = 0.0;
  std::int64_t customer_months = 0;     // customers x simulated months (burn-in included), for throughput;
                                        // not summary/customer_months (Total::customer_months)
  std::int64_t scripted_shortfall = 0;  // scripted leavers asked for but not available
  std::size_t state_bytes = 0;          // memory held by the run's agent arrays

  std::size_t series_size(const MetricInfo& m) const {
    return months * firms * (m.shape == MetricShape::firm_segment ? segments : 1);
  }
  std::size_t totals_size(const MetricInfo& m) const {
    return firms * (m.shape == MetricShape::firm_segment ? segments : 1);
  }
  // Elements of a metric: count(...) for count metrics, real(...) for real
  // ones (the other type's array is empty).
  std::int64_t& count(Series s, std::size_t month, std::size_t firm, std::size_t segment) {
    return series.counts[index_of(s)][(month * firms + firm) * segments + segment];
  }
  std::int64_t& count(Series s, std::size_t month, std::size_t firm) {
    return series.counts[index_of(s)][month * firms + firm];
  }
  double& real(Series s, std::size_t month, std::size_t firm, std::size_t segment) {
    return series.reals[index_of(s)][(month * firms + firm) * segments + segment];
  }
  std::int64_t& count(Total t, std::size_t firm, std::size_t segment) {
    return totals.counts[index_of(t)][firm * segments + segment];
  }
  std::int64_t count(Total t, std::size_t firm, std::size_t segment) const {
    return totals.counts[index_of(t)][firm * segments + segment];
  }
  double& real(Total t, std::size_t firm, std::size_t segment) {
    return totals.reals[index_of(t)][firm * segments + segment];
  }
  double real(Total t, std::size_t firm, std::size_t segment) const {
    return totals.reals[index_of(t)][firm * segments + segment];
  }
  // Per-firm (MetricShape::firm) totals.
  std::int64_t& count(Total t, std::size_t firm) { return totals.counts[index_of(t)][firm]; }
  std::int64_t count(Total t, std::size_t firm) const { return totals.counts[index_of(t)][firm]; }
  double& real(Total t, std::size_t firm) { return totals.reals[index_of(t)][firm]; }
  double real(Total t, std::size_t firm) const { return totals.reals[index_of(t)][firm]; }

  void allocate(std::size_t n_months, std::size_t n_firms, std::size_t n_segments) {
    months = n_months;
    firms = n_firms;
    segments = n_segments;
    series.allocate(series_metrics, [&](const MetricInfo& m) { return series_size(m); });
    totals.allocate(summary_metrics, [&](const MetricInfo& m) { return totals_size(m); });
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
  const auto problem_in = [](const MetricArrays& arrays, const auto& table, std::string_view group,
                             auto size) -> std::optional<std::string> {
    if (arrays.counts.size() != table.size() || arrays.reals.size() != table.size())
      return std::string("the result was not allocated for the metric tables");
    for (std::size_t i = 0; i < table.size(); ++i) {
      const bool count = table[i].type == MetricType::count;
      if (arrays.counts[i].size() != (count ? size(table[i]) : 0) ||
          arrays.reals[i].size() != (count ? 0 : size(table[i])))
        return std::string(group) + " '" + std::string(table[i].name) + "' has the wrong size";
    }
    return std::nullopt;
  };
  if (auto problem = problem_in(result.series, series_metrics, "timeseries",
                                [&](const MetricInfo& m) { return result.series_size(m); }))
    return problem;
  if (auto problem = problem_in(result.totals, summary_metrics, "summary",
                                [&](const MetricInfo& m) { return result.totals_size(m); }))
    return problem;
  return std::nullopt;
}

}  // namespace loyalsim
