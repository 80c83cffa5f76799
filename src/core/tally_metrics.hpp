// Where each recorded metric's values come from (docs/MODEL.md section 7.8).
// Most are a month's Tally field copied into a series, or summed into a
// total: those pairs are the tables below, and record_month (simulate.cpp)
// walks them. The rest are computed in code, and are listed so that the
// static_asserts can check that every Tally field is recorded and every
// metric has exactly one source: a field or metric added without its row
// here does not compile.
#pragma once

#include <cstddef>

#include "core/metrics.hpp"
#include "core/state.hpp"

namespace loyalsim {

struct TallyToSeries {
  Tally::Field field;
  Series metric;
};
struct TallyToTotal {
  Tally::Field field;
  Total metric;
};

// series[metric](month, firm, segment) = the month's field of that cell.
inline constexpr TallyToSeries series_from_tally[] = {
    {Tally::customers, Series::customers},
    {Tally::orphaned, Series::orphaned},
    {Tally::could_follow, Series::could_follow},
    {Tally::stayed, Series::stayed},
    {Tally::followed, Series::followed},
    {Tally::defected, Series::defected},
    {Tally::followers_gained, Series::followers_gained},
    {Tally::churned, Series::churned},
    {Tally::acquired, Series::acquired},
};

// totals[metric](firm, segment) += the month's field of that cell.
inline constexpr TallyToTotal totals_from_tally[] = {
    {Tally::orphaned, Total::orphaned},
    {Tally::stayed, Total::stayed},
    {Tally::followed, Total::followed},
    {Tally::defected, Total::defected},
    {Tally::could_follow, Total::could_follow},
    {Tally::stayed_contested, Total::stayed_when_contested},
    {Tally::stays_eligible, Total::stays_12m_eligible},
    {Tally::churned, Total::churned},
    {Tally::book_before, Total::book_months_before},
};

// Fields read by code in record_month rather than copied.
inline constexpr Tally::Field tally_fields_computed[] = {Tally::brand_sum,    Tally::rep_sum,
                                                         Tally::stays_broken, Tally::stay_months_broken,
                                                         Tally::all_before,   Tally::all_after};
// Series computed in record_month: from loyalty sums, rep counters, or the
// scenario.
inline constexpr Series series_computed[] = {Series::revenue,          Series::brand_loyalty_mean,
                                             Series::rep_loyalty_mean, Series::reps_active,
                                             Series::rep_departures,   Series::rep_departures_to_competitor};
// Totals computed in record_month and simulate (stays_12m_retained, the
// start-of-month stocks and rep counters, the DiD's after and all-customer
// sums), and the rates of compute_rates.
inline constexpr Total totals_computed[] = {Total::stays_12m_retained,
                                            Total::customer_months,
                                            Total::rep_departures,
                                            Total::rep_months,
                                            Total::book_months_after,
                                            Total::all_months_before,
                                            Total::all_months_after,
                                            Total::rep_turnover_realised,
                                            Total::customer_churn_realised,
                                            Total::departure_triggered_share,
                                            Total::book_revenue_change_did,
                                            Total::firm_retention_rate,
                                            Total::follow_rate,
                                            Total::follow_rate_when_possible,
                                            Total::retention_when_contested,
                                            Total::rep_ownership_share,
                                            Total::retained_12m_after_stay};

namespace detail {
// Every field of the Tally feeds at least one metric.
constexpr bool every_tally_field_recorded() {
  for (std::size_t f = 0; f < Tally::field_count; ++f) {
    bool used = false;
    for (const auto& row : series_from_tally) used = used || row.field == f;
    for (const auto& row : totals_from_tally) used = used || row.field == f;
    for (const auto field : tally_fields_computed) used = used || field == f;
    if (!used) return false;
  }
  return true;
}
// Every series metric has exactly one source; copied ones are per-cell counts.
constexpr bool every_series_has_one_source() {
  for (std::size_t m = 0; m < series_metrics.size(); ++m) {
    std::size_t sources = 0;
    for (const auto& row : series_from_tally) {
      if (index_of(row.metric) != m) continue;
      ++sources;
      if (series_metrics[m].shape != MetricShape::firm_segment || series_metrics[m].type != MetricType::count)
        return false;
    }
    for (const auto metric : series_computed)
      if (index_of(metric) == m) ++sources;
    if (sources != 1) return false;
  }
  return true;
}
constexpr bool every_total_has_one_source() {
  for (std::size_t m = 0; m < summary_metrics.size(); ++m) {
    std::size_t sources = 0;
    for (const auto& row : totals_from_tally) {
      if (index_of(row.metric) != m) continue;
      ++sources;
      if (summary_metrics[m].type != MetricType::count) return false;
    }
    for (const auto metric : totals_computed)
      if (index_of(metric) == m) ++sources;
    if (sources != 1) return false;
  }
  return true;
}
}  // namespace detail

static_assert(detail::every_tally_field_recorded(), "a Tally field feeds no metric: add its row here");
static_assert(detail::every_series_has_one_source(),
              "each series metric needs exactly one source here (copied ones are firm_segment counts)");
static_assert(detail::every_total_has_one_source(),
              "each summary metric needs exactly one source here (summed ones are counts)");

}  // namespace loyalsim
