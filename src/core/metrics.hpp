// The one list of recorded metrics. Allocation (RunResult), the HDF5 layout
// (io/results_layout, io/results_file), the run journal and the tests all
// walk these tables. Each table's size is its enum's count and each row
// names its enumerator, so an enumerator without its row (or out of order)
// does not compile; core/tally_metrics.hpp says where each metric's values
// come from.
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
  customers,
  orphaned,
  could_follow,
  stayed,
  followed,
  defected,
  followers_gained,
  churned,
  acquired,
  revenue,
  brand_loyalty_mean,
  rep_loyalty_mean,
  reps_active,
  rep_departures,
  rep_departures_to_competitor,
  end  // the count, not a metric
};

// Summary metrics, dims (run, firm, segment), or (run, firm) for per-firm
// ones: totals over recorded months, and rates computed from the count
// totals only (core/rates.hpp), so that they pool.
enum class Total : std::size_t {
  orphaned,
  stayed,
  followed,
  defected,
  could_follow,
  stayed_when_contested,
  stays_12m_eligible,
  stays_12m_retained,
  churned,
  customer_months,
  rep_departures,
  rep_months,
  book_months_before,
  book_months_after,
  all_months_before,
  all_months_after,
  firm_retention_rate,
  follow_rate,
  follow_rate_when_possible,
  retention_when_contested,
  rep_ownership_share,
  retained_12m_after_stay,
  rep_turnover_realised,
  customer_churn_realised,
  departure_triggered_share,
  book_revenue_change_did,
  end  // the count, not a metric
};

inline constexpr std::size_t index_of(Series s) { return static_cast<std::size_t>(s); }
inline constexpr std::size_t index_of(Total t) { return static_cast<std::size_t>(t); }

// A row of a metric table: the enumerator it describes, and its description.
template <class Id>
struct MetricRow {
  Id id;
  MetricInfo info;
};

namespace detail {
template <class Id, std::size_t N>
constexpr std::array<MetricInfo, N> infos_of(const MetricRow<Id> (&rows)[N]) {
  static_assert(N == index_of(Id::end), "a metric table needs one row per enumerator");
  std::array<MetricInfo, N> infos{};
  for (std::size_t i = 0; i < N; ++i) infos[i] = rows[i].info;
  return infos;
}
template <class Id, std::size_t N>
constexpr bool rows_in_enum_order(const MetricRow<Id> (&rows)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (index_of(rows[i].id) != i) return false;
  return true;
}
template <std::size_t N>
constexpr bool names_unique_and_described(const std::array<MetricInfo, N>& metrics) {
  for (std::size_t i = 0; i < N; ++i) {
    if (metrics[i].name.empty() || metrics[i].units.empty() || metrics[i].description.empty()) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (metrics[i].name == metrics[j].name) return false;
  }
  return true;
}
}  // namespace detail

inline constexpr MetricRow<Series> series_rows[] = {
    {Series::customers,
     {"customers", MetricShape::firm_segment, MetricType::count, "customers",
      "attached customers at the end of the month"}},
    {Series::orphaned,
     {"orphaned", MetricShape::firm_segment, MetricType::count, "customers",
      "customers in the book of a rep who left the firm this month (decisions made)"}},
    {Series::could_follow,
     {"could_follow", MetricShape::firm_segment, MetricType::count, "customers",
      "of orphaned, the contestable decisions: the rep joined a competitor and was not barred by non-solicit"}},
    {Series::stayed,
     {"stayed", MetricShape::firm_segment, MetricType::count, "customers",
      "orphaned customers who stayed with the firm the rep left"}},
    {Series::followed,
     {"followed", MetricShape::firm_segment, MetricType::count, "customers",
      "orphaned customers who followed the rep to a competitor (counted at the firm left)"}},
    {Series::defected,
     {"defected", MetricShape::firm_segment, MetricType::count, "customers",
      "orphaned customers who took the outside option and became unattached"}},
    {Series::followers_gained,
     {"followers_gained", MetricShape::firm_segment, MetricType::count, "customers",
      "customers who followed a rep into this firm this month"}},
    {Series::churned,
     {"churned", MetricShape::firm_segment, MetricType::count, "customers",
      "customers lost to baseline churn this month"}},
    {Series::acquired,
     {"acquired", MetricShape::firm_segment, MetricType::count, "customers",
      "unattached customers won by the firm this month"}},
    {Series::revenue,
     {"revenue", MetricShape::firm_segment, MetricType::real, "currency units per month",
      "customers x the segment's monthly_value, at the end of the month"}},
    {Series::brand_loyalty_mean,
     {"brand_loyalty_mean", MetricShape::firm_segment, MetricType::real, "1",
      "mean brand loyalty B over attached customers at the end of the month (NaN if none)"}},
    {Series::rep_loyalty_mean,
     {"rep_loyalty_mean", MetricShape::firm_segment, MetricType::real, "1",
      "mean rep loyalty R over attached customers at the end of the month (NaN if none)"}},
    {Series::reps_active,
     {"reps_active", MetricShape::firm, MetricType::count, "reps", "active reps at the end of the month"}},
    {Series::rep_departures,
     {"rep_departures", MetricShape::firm, MetricType::count, "reps",
      "reps who left the firm this month (random and scripted)"}},
    {Series::rep_departures_to_competitor,
     {"rep_departures_to_competitor", MetricShape::firm, MetricType::count, "reps",
      "of rep_departures, those who joined another firm"}},
};
inline constexpr std::array series_metrics = detail::infos_of(series_rows);

inline constexpr MetricRow<Total> summary_rows[] = {
    {Total::orphaned,
     {"orphaned", MetricShape::firm_segment, MetricType::count, "customers",
      "total orphaned customers (decisions) over the recorded months"}},
    {Total::stayed,
     {"stayed", MetricShape::firm_segment, MetricType::count, "customers",
      "total stay decisions over the recorded months"}},
    {Total::followed,
     {"followed", MetricShape::firm_segment, MetricType::count, "customers",
      "total follow decisions over the recorded months (at the firm left)"}},
    {Total::defected,
     {"defected", MetricShape::firm_segment, MetricType::count, "customers",
      "total defect decisions over the recorded months"}},
    {Total::could_follow,
     {"could_follow", MetricShape::firm_segment, MetricType::count, "customers",
      "total contestable decisions (the rep joined a competitor, not barred by non-solicit) over the recorded "
      "months"}},
    {Total::stayed_when_contested,
     {"stayed_when_contested", MetricShape::firm_segment, MetricType::count, "customers",
      "of could_follow, the stay decisions"}},
    {Total::stays_12m_eligible,
     {"stays_12m_eligible", MetricShape::firm_segment, MetricType::count, "decisions",
      "stay decisions whose 12-month mark falls inside the recorded months"}},
    {Total::stays_12m_retained,
     {"stays_12m_retained", MetricShape::firm_segment, MetricType::count, "decisions",
      "of stays_12m_eligible, those whose customer stayed attached to the firm for 12 months"}},
    {Total::churned,
     {"churned", MetricShape::firm_segment, MetricType::count, "customers",
      "total customers lost to baseline churn over the recorded months"}},
    {Total::customer_months,
     {"customer_months", MetricShape::firm_segment, MetricType::count, "customer-months",
      "customers attached to the firm at the start of each recorded month, summed over those months"}},
    {Total::rep_departures,
     {"rep_departures", MetricShape::firm, MetricType::count, "reps",
      "reps who left the firm over the recorded months (random and scripted)"}},
    {Total::rep_months,
     {"rep_months", MetricShape::firm, MetricType::count, "rep-months",
      "active reps of the firm at the start of each recorded month, before its departures, summed"}},
    {Total::book_months_before,
     {"book_months_before", MetricShape::firm_segment, MetricType::count, "customer-months",
      "over anchor months t, the months t-12..t-1 that the customers of reps leaving at t were attached"}},
    {Total::book_months_after,
     {"book_months_after", MetricShape::firm_segment, MetricType::count, "customer-months",
      "over anchor months t, the months t+1..t+12 that the customers of reps leaving at t stayed attached"}},
    {Total::all_months_before,
     {"all_months_before", MetricShape::firm_segment, MetricType::count, "customer-months",
      "as book_months_before, over every customer attached at the start of an anchor month"}},
    {Total::all_months_after,
     {"all_months_after", MetricShape::firm_segment, MetricType::count, "customer-months",
      "as book_months_after, over every customer attached at the start of an anchor month"}},
    {Total::firm_retention_rate,
     {"firm_retention_rate", MetricShape::firm_segment, MetricType::real, "1",
      "stayed / orphaned (NaN if no orphaned customers)"}},
    {Total::follow_rate,
     {"follow_rate", MetricShape::firm_segment, MetricType::real, "1",
      "followed / orphaned (NaN if no orphaned customers)"}},
    {Total::follow_rate_when_possible,
     {"follow_rate_when_possible", MetricShape::firm_segment, MetricType::real, "1",
      "followed / could_follow: the share of the contestable decisions that followed (NaN if none)"}},
    {Total::retention_when_contested,
     {"retention_when_contested", MetricShape::firm_segment, MetricType::real, "1",
      "stayed_when_contested / could_follow: the share of the contestable decisions that stayed (NaN if none)"}},
    {Total::rep_ownership_share,
     {"rep_ownership_share", MetricShape::firm_segment, MetricType::real, "1",
      "followed / (stayed + followed) (NaN if both are 0)"}},
    {Total::retained_12m_after_stay,
     {"retained_12m_after_stay", MetricShape::firm_segment, MetricType::real, "1",
      "stays_12m_retained / stays_12m_eligible (NaN if none eligible)"}},
    {Total::rep_turnover_realised,
     {"rep_turnover_realised", MetricShape::firm, MetricType::real, "1 per year",
      "realised annual rep turnover: 1 - (1 - rep_departures / rep_months)^12 (NaN if no rep-months)"}},
    {Total::customer_churn_realised,
     {"customer_churn_realised", MetricShape::firm_segment, MetricType::real, "1 per year",
      "realised annual customer loss: 1 - (1 - (churned + defected + followed) / customer_months)^12 "
      "(NaN if no customer-months)"}},
    {Total::departure_triggered_share,
     {"departure_triggered_share", MetricShape::firm_segment, MetricType::real, "1",
      "(followed + defected) / (followed + defected + churned): lost customers whose loss a rep's "
      "departure triggered (NaN if none lost)"}},
    {Total::book_revenue_change_did,
     {"book_revenue_change_did", MetricShape::firm_segment, MetricType::real, "1",
      "book_months_after / book_months_before minus the same ratio for the other customers (all - book): "
      "the departing reps' books' revenue change over 12 months, net of the firm's (NaN if undefined)"}},
};
inline constexpr std::array summary_metrics = detail::infos_of(summary_rows);

static_assert(detail::rows_in_enum_order(series_rows), "series_rows must follow the order of enum Series");
static_assert(detail::rows_in_enum_order(summary_rows), "summary_rows must follow the order of enum Total");
static_assert(detail::names_unique_and_described(series_metrics), "series metric names must be unique and described");
static_assert(detail::names_unique_and_described(summary_metrics), "summary metric names must be unique and described");

}  // namespace loyalsim
