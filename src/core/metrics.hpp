// The one list of recorded metrics. Allocation (RunResult), the HDF5 layout
// (io/results_file) and the tests all walk these tables, so adding a metric
// is one edit here plus the line in step.cpp that counts it.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace loyalsim {

enum class MetricShape { firm_segment, firm };  // trailing dims after (run, month)
enum class MetricType { count, real };          // count: stored as int64

struct MetricInfo {
  std::string_view name;
  MetricShape shape;
  MetricType type;
  std::string_view units;
  std::string_view description;
};

// Timeseries metrics, dims (run, month, firm[, segment]). The enum order is
// the table order.
enum class Series : std::size_t {
  customers, orphaned, stayed, followed, defected, followers_gained, churned,
  acquired, revenue, brand_loyalty_mean, rep_loyalty_mean,
  reps_active, rep_departures, rep_departures_to_competitor,
};

inline constexpr std::array<MetricInfo, 14> series_metrics{{
    {"customers", MetricShape::firm_segment, MetricType::count, "customers",
     "attached customers at the end of the month"},
    {"orphaned", MetricShape::firm_segment, MetricType::count, "customers",
     "customers in the book of a rep who left the firm this month (decisions made)"},
    {"stayed", MetricShape::firm_segment, MetricType::count, "customers",
     "orphaned customers who stayed with the firm the rep left"},
    {"followed", MetricShape::firm_segment, MetricType::count, "customers",
     "orphaned customers who followed the rep to a competitor (counted at the firm left)"},
    {"defected", MetricShape::firm_segment, MetricType::count, "customers",
     "orphaned customers who took the outside option and became unattached"},
    {"followers_gained", MetricShape::firm_segment, MetricType::count, "customers",
     "customers who followed a rep into this firm this month"},
    {"churned", MetricShape::firm_segment, MetricType::count, "customers",
     "customers lost to baseline churn this month"},
    {"acquired", MetricShape::firm_segment, MetricType::count, "customers",
     "unattached customers won by the firm this month"},
    {"revenue", MetricShape::firm_segment, MetricType::real, "currency units per month",
     "customers x the segment's monthly_value, at the end of the month"},
    {"brand_loyalty_mean", MetricShape::firm_segment, MetricType::real, "1",
     "mean brand loyalty B over attached customers at the end of the month (NaN if none)"},
    {"rep_loyalty_mean", MetricShape::firm_segment, MetricType::real, "1",
     "mean rep loyalty R over attached customers at the end of the month (NaN if none)"},
    {"reps_active", MetricShape::firm, MetricType::count, "reps",
     "active reps at the end of the month"},
    {"rep_departures", MetricShape::firm, MetricType::count, "reps",
     "reps who left the firm this month (random and scripted)"},
    {"rep_departures_to_competitor", MetricShape::firm, MetricType::count, "reps",
     "of rep_departures, those who joined another firm"},
}};

// Summary metrics, dims (run, firm, segment): totals over recorded months.
enum class Total : std::size_t {
  orphaned, stayed, followed, defected, stays_12m_eligible, stays_12m_retained,
  firm_retention_rate, follow_rate, rep_ownership_share, retained_12m_after_stay,
};

inline constexpr std::array<MetricInfo, 10> summary_metrics{{
    {"orphaned", MetricShape::firm_segment, MetricType::count, "customers",
     "total orphaned customers (decisions) over the recorded months"},
    {"stayed", MetricShape::firm_segment, MetricType::count, "customers",
     "total stay decisions over the recorded months"},
    {"followed", MetricShape::firm_segment, MetricType::count, "customers",
     "total follow decisions over the recorded months (at the firm left)"},
    {"defected", MetricShape::firm_segment, MetricType::count, "customers",
     "total defect decisions over the recorded months"},
    {"stays_12m_eligible", MetricShape::firm_segment, MetricType::count, "decisions",
     "stay decisions whose 12-month mark falls inside the recorded months"},
    {"stays_12m_retained", MetricShape::firm_segment, MetricType::count, "decisions",
     "of stays_12m_eligible, those whose customer stayed attached to the firm for 12 months"},
    {"firm_retention_rate", MetricShape::firm_segment, MetricType::real, "1",
     "stayed / orphaned (NaN if no orphaned customers)"},
    {"follow_rate", MetricShape::firm_segment, MetricType::real, "1",
     "followed / orphaned (NaN if no orphaned customers)"},
    {"rep_ownership_share", MetricShape::firm_segment, MetricType::real, "1",
     "followed / (stayed + followed) (NaN if both are 0)"},
    {"retained_12m_after_stay", MetricShape::firm_segment, MetricType::real, "1",
     "stays_12m_retained / stays_12m_eligible (NaN if none eligible)"},
}};

inline constexpr std::size_t index_of(Series s) { return static_cast<std::size_t>(s); }
inline constexpr std::size_t index_of(Total t) { return static_cast<std::size_t>(t); }

}  // namespace loyalsim
