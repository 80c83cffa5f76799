#include "cli/report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace loyalsim::cli {
namespace {

std::string rate_text(double value) {
  if (std::isnan(value)) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << value;
  return out.str();
}

}  // namespace

void print_rates_table(std::ostream& out, const RunResult& result, const std::vector<std::string>& firm_names,
                       const std::vector<std::string>& segment_names) {
  std::size_t firm_width = 4, segment_width = 7;
  for (const auto& n : firm_names) firm_width = std::max(firm_width, n.size());
  for (const auto& n : segment_names) segment_width = std::max(segment_width, n.size());
  const Total columns[] = {Total::orphaned, Total::firm_retention_rate, Total::follow_rate,
                           Total::rep_ownership_share, Total::retained_12m_after_stay};

  out << std::left << std::setw(static_cast<int>(firm_width) + 2) << "firm" << std::setw(static_cast<int>(segment_width) + 2)
      << "segment";
  for (const Total c : columns) {
    const std::string_view name = summary_metrics[index_of(c)].name;
    out << std::right << std::setw(static_cast<int>(name.size()) + 2) << name;
  }
  out << "\n";
  for (std::size_t f = 0; f < result.firms; ++f) {
    for (std::size_t s = 0; s < result.segments; ++s) {
      out << std::left << std::setw(static_cast<int>(firm_width) + 2) << firm_names[f]
          << std::setw(static_cast<int>(segment_width) + 2) << segment_names[s];
      for (const Total c : columns) {
        const std::string_view name = summary_metrics[index_of(c)].name;
        const double v = result.total(c, f, s);
        const std::string text = c == Total::orphaned ? std::to_string(static_cast<std::int64_t>(v)) : rate_text(v);
        out << std::right << std::setw(static_cast<int>(name.size()) + 2) << text;
      }
      out << "\n";
    }
  }
  out << "(rates over the orphaned customers of the recorded months; '-' = undefined: no orphaned customers,\n"
         " or for retained_12m_after_stay no stay decision whose 12-month mark is recorded)\n";
}

void print_throughput(std::ostream& out, const RunResult& result, std::int64_t customers, int threads) {
  const double rate = result.wall_seconds > 0 ? static_cast<double>(result.customer_months) / result.wall_seconds : 0.0;
  out << "throughput: " << std::scientific << std::setprecision(3) << rate << " customer-months/s ("
      << result.customer_months << " customer-months in " << std::fixed << std::setprecision(3)
      << result.wall_seconds << " s, " << threads << " thread" << (threads == 1 ? "" : "s") << "), "
      << std::setprecision(1) << static_cast<double>(result.state_bytes) / static_cast<double>(customers)
      << " bytes/customer of state\n";
}

Progress::Progress(bool quiet, std::string label)
    : quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1), label_(std::move(label)),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(std::int64_t done, std::int64_t total) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  // Redraw a terminal line at most 10 times a second; log every 5 s otherwise.
  if (since_last < (terminal_ ? 0.1 : 5.0) && done < total) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = done > 0 ? elapsed * static_cast<double>(total - done) / static_cast<double>(done) : 0.0;
  char line[160];
  std::snprintf(line, sizeof line, "%s: month %lld/%lld (%3.0f%%), %.1f s elapsed, ETA %.1f s", label_.c_str(),
                static_cast<long long>(done), static_cast<long long>(total),
                100.0 * static_cast<double>(done) / static_cast<double>(total), elapsed, eta);
  if (terminal_) std::cerr << "\r" << line << "\033[K" << std::flush;
  else std::cerr << line << "\n";
  shown_ = true;
}

void Progress::finish() {
  if (!quiet_ && terminal_ && shown_) std::cerr << "\n";
}

}  // namespace loyalsim::cli
