#include "cli/report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string_view>

#include "core/state.hpp"

namespace loyalsim::cli {
namespace {

std::string rate_text(double value) {
  if (std::isnan(value)) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << value;
  return out.str();
}

// The table's columns: short headers, so that a firm x segment row fits in
// 100 columns; the legend below the table names each metric in full.
struct RateColumn {
  Total metric;
  std::string_view header;
};
constexpr RateColumn rate_columns[] = {
    {Total::orphaned, "orphaned"},
    {Total::firm_retention_rate, "retain"},
    {Total::follow_rate, "follow"},
    {Total::could_follow, "could_follow"},
    {Total::retention_when_contested, "retain_c"},
    {Total::follow_rate_when_possible, "follow_c"},
    {Total::rep_ownership_share, "owned"},
    {Total::retained_12m_after_stay, "kept_12m"},
};

}  // namespace

void print_rates_table(std::ostream& out, const RunResult& result, const std::vector<std::string>& firm_names,
                       const std::vector<std::string>& segment_names, bool legend) {
  std::size_t firm_width = 4, segment_width = 7;
  for (const auto& n : firm_names) firm_width = std::max(firm_width, n.size());
  for (const auto& n : segment_names) segment_width = std::max(segment_width, n.size());
  // Right-aligned columns at least 6 wide (a rate is "0.123") plus one space.
  const auto width = [](const RateColumn& c) {
    return static_cast<int>(std::max<std::size_t>(c.header.size(), 6) + 1);
  };

  out << std::left << std::setw(static_cast<int>(firm_width) + 2) << "firm"
      << std::setw(static_cast<int>(segment_width) + 1) << "segment";
  for (const RateColumn& c : rate_columns) out << std::right << std::setw(width(c)) << c.header;
  out << "\n";
  for (std::size_t f = 0; f < result.firms; ++f) {
    for (std::size_t s = 0; s < result.segments; ++s) {
      out << std::left << std::setw(static_cast<int>(firm_width) + 2) << firm_names[f]
          << std::setw(static_cast<int>(segment_width) + 1) << segment_names[s];
      for (const RateColumn& c : rate_columns) {
        const std::string text = summary_metrics[index_of(c.metric)].type == MetricType::count
                                     ? std::to_string(result.count(c.metric, f, s))
                                     : rate_text(result.real(c.metric, f, s));
        out << std::right << std::setw(width(c)) << text;
      }
      out << "\n";
    }
  }
  if (legend) print_rates_legend(out);
}

void print_rates_legend(std::ostream& out) {
  out << "overall, over every orphaned customer: retain = firm_retention_rate, follow = follow_rate;\n"
         "contested (_c), over could_follow (the rep joined a competitor, unbarred: following was possible):\n"
         "  retain_c = retention_when_contested, follow_c = follow_rate_when_possible;\n"
         "owned = rep_ownership_share, kept_12m = retained_12m_after_stay; '-' = undefined (nothing to rate)\n";
}

void print_throughput(std::ostream& out, const Throughput& t) {
  if (t.runs == 0) {
    // A --resume that found every run in the journal: nothing was timed.
    out << "throughput: no run simulated by this command (every finished run came from the journal)\n";
    return;
  }
  const double rate = t.seconds > 0 ? static_cast<double>(t.customer_months) / t.seconds : 0.0;
  out << "throughput: " << std::scientific << std::setprecision(3) << rate << " customer-months/s (" << t.runs << " run"
      << (t.runs == 1 ? "" : "s") << ", " << t.customer_months << " customer-months in " << std::fixed
      << std::setprecision(3) << t.seconds << " s, " << t.threads << " thread" << (t.threads == 1 ? "" : "s") << "), "
      << std::setprecision(1) << t.state_bytes_per_customer << " bytes/customer of state, "
      << customer_month_bytes_moved << " bytes moved/customer-month\n";
}

Progress::Progress(bool quiet, std::string label, std::string unit)
    : quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1), label_(std::move(label)), unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(std::int64_t done, std::int64_t total) {
  if (quiet_ || total <= 0) return;
  if (first_done_ < 0) first_done_ = done;
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  // Redraw a terminal line at most 10 times a second; log every 5 s otherwise.
  if (since_last < (terminal_ ? 0.1 : 5.0) && done < total) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double made = static_cast<double>(done - first_done_);
  const double rate = elapsed > 0 ? made / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  char line[200];
  if (terminal_) {
    constexpr int width = 30;
    std::string bar(static_cast<std::size_t>(fraction * width), '#');
    bar.resize(width, '-');
    std::snprintf(line, sizeof line, "%s [%s] %lld/%lld %ss %3.0f%%  %.1f %s/s  ETA %.0f s", label_.c_str(),
                  bar.c_str(), static_cast<long long>(done), static_cast<long long>(total), unit_.c_str(),
                  100.0 * fraction, rate, unit_.c_str(), eta);
    std::cerr << "\r" << line << (note_.empty() ? "" : "  ") << note_ << "\033[K" << std::flush;
  } else {
    std::snprintf(line, sizeof line, "%s: %lld/%lld %ss (%.0f%%), %.1f %s/s, %.1f s elapsed, ETA %.0f s",
                  label_.c_str(), static_cast<long long>(done), static_cast<long long>(total), unit_.c_str(),
                  100.0 * fraction, rate, unit_.c_str(), elapsed, eta);
    std::cerr << line << (note_.empty() ? "" : ", ") << note_ << "\n";
  }
  shown_ = true;
}

void Progress::finish() {
  if (!quiet_ && terminal_ && shown_) std::cerr << "\n";
}

}  // namespace loyalsim::cli
