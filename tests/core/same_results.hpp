// Bit-for-bit comparison of two runs' results, for the tests that promise
// identity (thread counts, run order, a run split into parts): every metric
// of the tables in core/metrics.hpp and every column of the decision log in
// core/event_columns.hpp, so a new metric or event column is compared
// without being listed here.
#pragma once

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "core/event_columns.hpp"
#include "core/metrics.hpp"
#include "core/run_result.hpp"

namespace loyalsim::test {

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

template <class T>
bool same_value_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

inline bool same_event(const DecisionEvent& a, const DecisionEvent& b) {
  bool same = true;
  for_each_event_column(
      [&](const auto& column) { same = same && same_value_bits(a.*column.member, b.*column.member); });
  return same;
}

inline void expect_same_metrics(const RunResult& a, const RunResult& b) {
  for (std::size_t k = 0; k < series_metrics.size(); ++k)
    EXPECT_TRUE(a.series.counts[k] == b.series.counts[k] && same_bits(a.series.reals[k], b.series.reals[k]))
        << "series " << series_metrics[k].name;
  for (std::size_t k = 0; k < summary_metrics.size(); ++k)
    EXPECT_TRUE(a.totals.counts[k] == b.totals.counts[k] && same_bits(a.totals.reals[k], b.totals.reals[k]))
        << "summary " << summary_metrics[k].name;
  EXPECT_EQ(a.customer_months, b.customer_months);
  EXPECT_EQ(a.scripted_shortfall, b.scripted_shortfall);
}

}  // namespace loyalsim::test
