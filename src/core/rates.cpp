#include "core/rates.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace loyalsim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double ratio(double numerator, double denominator) { return denominator > 0.0 ? numerator / denominator : nan; }

// An annual rate from a monthly one: 1 - (1 - monthly)^12 (NaN stays NaN).
double annual(double monthly) { return 1.0 - std::pow(1.0 - monthly, 12.0); }

bool selected(const std::vector<bool>& mask, std::size_t i) { return mask.empty() || mask[i]; }

}  // namespace

void compute_rates(RunResult& result) {
  for (std::size_t f = 0; f < result.firms; ++f) {
    result.real(Total::rep_turnover_realised, f) =
        annual(ratio(static_cast<double>(result.count(Total::rep_departures, f)),
                     static_cast<double>(result.count(Total::rep_months, f))));
    for (std::size_t s = 0; s < result.segments; ++s) {
      const auto count = [&](Total t) { return static_cast<double>(result.count(t, f, s)); };
      const double orphaned = count(Total::orphaned), stayed = count(Total::stayed), followed = count(Total::followed);
      const double could_follow = count(Total::could_follow);
      result.real(Total::firm_retention_rate, f, s) = ratio(stayed, orphaned);
      result.real(Total::follow_rate, f, s) = ratio(followed, orphaned);
      // A follow is only possible when contestable, so followed counts
      // contestable decisions only; stays need their own contested count.
      result.real(Total::follow_rate_when_possible, f, s) = ratio(followed, could_follow);
      result.real(Total::retention_when_contested, f, s) = ratio(count(Total::stayed_when_contested), could_follow);
      result.real(Total::rep_ownership_share, f, s) = ratio(followed, stayed + followed);
      result.real(Total::retained_12m_after_stay, f, s) =
          ratio(count(Total::stays_12m_retained), count(Total::stays_12m_eligible));

      const double triggered = followed + count(Total::defected), lost = triggered + count(Total::churned);
      result.real(Total::customer_churn_realised, f, s) = annual(ratio(lost, count(Total::customer_months)));
      result.real(Total::departure_triggered_share, f, s) = ratio(triggered, lost);

      const double book_before = count(Total::book_months_before), book_after = count(Total::book_months_after);
      const double other_before = count(Total::all_months_before) - book_before;
      const double other_after = count(Total::all_months_after) - book_after;
      result.real(Total::book_revenue_change_did, f, s) =
          ratio(book_after, book_before) - ratio(other_after, other_before);
    }
  }
}

RunResult pool_totals(const RunResult& result, const std::vector<bool>& firms, const std::vector<bool>& segments) {
  if (!firms.empty() && firms.size() != result.firms)
    throw std::invalid_argument("pool_totals: a firm mask of " + std::to_string(firms.size()) + " for " +
                                std::to_string(result.firms) + " firms");
  if (!segments.empty() && segments.size() != result.segments)
    throw std::invalid_argument("pool_totals: a segment mask of " + std::to_string(segments.size()) + " for " +
                                std::to_string(result.segments) + " segments");
  RunResult pooled;
  pooled.allocate(0, 1, 1);
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    if (summary_metrics[i].type != MetricType::count) continue;
    const std::vector<std::int64_t>& values = result.totals.counts[i];
    std::int64_t sum = 0;
    for (std::size_t f = 0; f < result.firms; ++f) {
      if (!selected(firms, f)) continue;
      if (summary_metrics[i].shape == MetricShape::firm) {
        sum += values[f];  // a per-firm count belongs to no segment: every segment selection keeps it
        continue;
      }
      for (std::size_t s = 0; s < result.segments; ++s)
        if (selected(segments, s)) sum += values[f * result.segments + s];
    }
    pooled.totals.counts[i][0] = sum;
  }
  compute_rates(pooled);
  return pooled;
}

}  // namespace loyalsim
