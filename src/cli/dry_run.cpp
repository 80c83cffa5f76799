#include "cli/dry_run.hpp"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <vector>

#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/simulate.hpp"
#include "core/state.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::cli {
namespace {

// Bytes of one events/ row, column by column (io/events_table.cpp): event
// and run (int64), month, customer and rep (int32), segment, from_firm and
// to_firm (int16), B and R (float), choice (int8).
constexpr double event_row_bytes = 2 * 8 + 3 * 4 + 3 * 2 + 2 * 4 + 1;
// The results file's deflate level (io/results_layout.cpp), for timing the
// compression of events/.
constexpr int events_deflate_level = 4;

struct Probe {
  bool measured = false;
  double customer_months_per_second = 0.0;
  double state_bytes_per_customer = static_cast<double>(customer_state_bytes);
  double events_per_customer_month = 0.0;
  double seconds_per_event_written = 0.0;
};

// Seconds to deflate the probe's events as the file stores them (column by
// column), per event: the cost --events adds beyond recording them.
double deflate_seconds_per_event(const std::vector<DecisionEvent>& events) {
  if (events.empty()) return 0.0;
  std::vector<unsigned char> columns;
  columns.reserve(events.size() * static_cast<std::size_t>(event_row_bytes));
  auto put = [&](const auto& value) {
    unsigned char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    columns.insert(columns.end(), bytes, bytes + sizeof value);
  };
  for (std::size_t i = 0; i < events.size(); ++i) put(static_cast<std::int64_t>(i));
  for (std::size_t i = 0; i < events.size(); ++i) put(std::int64_t{0});
  for (const DecisionEvent& e : events) put(e.month);
  for (const DecisionEvent& e : events) put(e.customer);
  for (const DecisionEvent& e : events) put(e.rep);
  for (const DecisionEvent& e : events) put(static_cast<std::int16_t>(e.segment));
  for (const DecisionEvent& e : events) put(e.from_firm);
  for (const DecisionEvent& e : events) put(e.to_firm);
  for (const DecisionEvent& e : events) put(e.brand_loyalty);
  for (const DecisionEvent& e : events) put(e.rep_loyalty);
  for (const DecisionEvent& e : events) put(static_cast<std::int8_t>(e.choice));
  std::vector<unsigned char> packed(compressBound(static_cast<uLong>(columns.size())));
  auto packed_size = static_cast<uLongf>(packed.size());
  const auto start = std::chrono::steady_clock::now();
  compress2(packed.data(), &packed_size, columns.data(), static_cast<uLong>(columns.size()), events_deflate_level);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return seconds / static_cast<double>(events.size());
}

// A small run like the first design point, to measure this machine: at most
// probe_max_customers customers (the reps scaled with them, so each rep
// serves as many customers as in the real run, but at most probe_max_reps
// in all) and probe_max_customer_months
// customer-months, no scripted departures. Skipped when the model has too
// many firm x segment cells to record even one month cheaply.
Probe measure(const Scenario& scenario, const Design& design, bool events) {
  Probe probe;
  Scenario small = scenario_at_point(scenario, design, 0);
  const double cells = static_cast<double>(small.firms.size()) * static_cast<double>(small.segments.size());
  if (cells > probe_max_cells) return probe;

  const std::int64_t customers = std::min(small.market.customers, probe_max_customers);
  double headcount = 0.0;
  for (const FirmParams& firm : small.firms) headcount += static_cast<double>(firm.reps);
  const double scale = std::min(static_cast<double>(customers) / static_cast<double>(small.market.customers),
                                static_cast<double>(probe_max_reps) / std::max(headcount, 1.0));
  for (FirmParams& firm : small.firms)
    if (firm.reps > 0) firm.reps = std::max<std::int64_t>(1, std::llround(static_cast<double>(firm.reps) * scale));
  const std::int64_t steps = small.market.burn_in_months + small.market.months;
  small.market.customers = customers;
  small.market.burn_in_months = 0;
  small.market.months = std::clamp<std::int64_t>(probe_max_customer_months / customers, 1, steps);
  small.departures.clear();

  SimulationOptions options;
  options.record_events = events;
  const RunResult result = simulate(make_model(small, 1), options);
  probe.measured = true;
  const auto customer_months = static_cast<double>(result.customer_months);
  probe.customer_months_per_second = customer_months / std::max(result.wall_seconds, 1e-6);
  probe.state_bytes_per_customer = static_cast<double>(result.state_bytes) / static_cast<double>(customers);
  if (events) {
    probe.events_per_customer_month = static_cast<double>(result.events.size()) / customer_months;
    probe.seconds_per_event_written = deflate_seconds_per_event(result.events);
  }
  return probe;
}

std::string mebibytes(double bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1);
  if (bytes >= 1024.0 * 1048576.0) out << bytes / (1024.0 * 1048576.0) << " GiB";
  else if (bytes >= 1048576.0) out << bytes / 1048576.0 << " MiB";
  else out << bytes / 1024.0 << " KiB";
  return out.str();
}

std::string count_text(double n) {
  std::ostringstream out;
  if (n < 1e15) out << std::fixed << std::setprecision(0) << n;
  else out << std::scientific << std::setprecision(2) << n;
  return out.str();
}

}  // namespace

std::string human_duration(double seconds) {
  std::ostringstream out;
  if (!std::isfinite(seconds)) return "unknown";
  if (seconds < 60.0) {
    out << std::fixed << std::setprecision(1) << seconds << " s";
    return out.str();
  }
  const double minutes_in_all = std::round(seconds / 60.0);
  if (seconds < 3600.0) {
    const auto s = static_cast<long long>(std::round(seconds));
    out << s / 60 << " min";
    if (s % 60 != 0) out << " " << s % 60 << " s";
    return out.str();
  }
  const double days = std::floor(minutes_in_all / 1440.0);
  const double rest = minutes_in_all - days * 1440.0;
  const auto hours = static_cast<long long>(rest / 60.0);
  const auto minutes = static_cast<long long>(rest) % 60;
  out << std::fixed << std::setprecision(0);
  if (days > 0) out << days << " d ";
  out << hours << " h " << minutes << " min";
  return out.str();
}

void print_dry_run(std::ostream& out, const Scenario& scenario, const Design& design, const SweepExtent& extent,
                   const OutputPaths& paths, int threads, bool events) {
  const std::int64_t runs = design.runs();
  const auto firms = static_cast<double>(scenario.firms.size());
  const auto segments = static_cast<double>(scenario.segments.size());
  const Probe probe = measure(scenario, design, events);

  // Memory: the largest run's agent state and results, as many at once as
  // there are threads; with events, that run's decisions too, held up to
  // three times over until the run is written (recorded per thread,
  // gathered into the run's result, encoded for the journal).
  const std::int64_t concurrent = std::min<std::int64_t>(runs, threads);
  // Events are recorded in recorded months only (the probe has no burn-in).
  const double largest_run_customer_months = static_cast<double>(extent.largest_customers) * extent.months;
  const double event_memory =
      events ? probe.events_per_customer_month * largest_run_customer_months * 3.0 * sizeof(DecisionEvent) : 0.0;
  const double memory =
      static_cast<double>(concurrent) * (static_cast<double>(extent.largest_run_bytes) + event_memory);

  // Output: eight bytes per value of every timeseries and summary metric,
  // plus the runs/ row; events/ rows on top.
  double per_run = 64.0;
  for (const MetricInfo& m : series_metrics)
    per_run += 8.0 * extent.months * firms * (m.shape == MetricShape::firm_segment ? segments : 1.0);
  for (const MetricInfo& m : summary_metrics)
    per_run += 8.0 * firms * (m.shape == MetricShape::firm_segment ? segments : 1.0);
  const double event_rows = probe.events_per_customer_month * extent.recorded_customer_months;
  const double output = per_run * static_cast<double>(runs) + event_rows * event_row_bytes;

  out << "dry run: " << design.point_count << " point" << (design.point_count == 1 ? "" : "s") << " x "
      << design.replicates() << " replicate" << (design.replicates() == 1 ? "" : "s") << " = " << runs << " run"
      << (runs == 1 ? "" : "s") << "\n"
      << "  simulated: " << count_text(extent.customer_months) << " customer-months (burn-in included)\n"
      << "  estimated memory: " << mebibytes(memory) << " (" << concurrent << (concurrent == 1 ? " run" : " runs")
      << " at once: agent state at " << std::fixed << std::setprecision(1) << probe.state_bytes_per_customer
      << " bytes/customer, the recorded metrics" << (events ? ", the run's events" : "") << ")\n"
      << "  estimated output: at most " << mebibytes(output) << " before compression";
  if (events) out << " (events/: about " << count_text(event_rows) << " rows)";
  out << "\n";
  if (probe.measured) {
    const double seconds =
        extent.customer_months / probe.customer_months_per_second + event_rows * probe.seconds_per_event_written;
    out << "  estimated time: " << human_duration(seconds) << " at " << std::scientific << std::setprecision(2)
        << probe.customer_months_per_second << " customer-months/s" << (events ? " with events" : "")
        << " (measured now on " << threads << " thread" << (threads == 1 ? "" : "s") << ")\n";
  } else {
    out << "  estimated time: not measured (more than " << std::fixed << std::setprecision(0) << probe_max_cells
        << " firm x segment cells to record)\n";
  }
  out << "  output: " << paths.final.string() << "\n";
}

}  // namespace loyalsim::cli
