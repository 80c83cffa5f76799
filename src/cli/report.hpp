// What `loyalsim run` prints: progress while it works, then the headline
// table and the throughput.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/run_result.hpp"

namespace loyalsim::cli {

// Firm x segment table of the orphaned and could_follow counts and the
// headline rates, overall and contested, with a legend (unless `legend` is
// false: several tables in a row share one, print_rates_legend).
void print_rates_table(std::ostream& out, const RunResult& result, const std::vector<std::string>& firm_names,
                       const std::vector<std::string>& segment_names, bool legend = true);
void print_rates_legend(std::ostream& out);

struct Throughput {
  std::int64_t runs = 0;
  std::int64_t customer_months = 0;  // simulated, burn-in included
  double seconds = 0.0;              // wall time of the simulation phase
  double state_bytes_per_customer = 0.0;
  int threads = 1;
};

// Runs, customer-months per second and bytes per customer.
void print_throughput(std::ostream& out, const Throughput& t);

// Shows progress on a terminal as a bar redrawn in place, otherwise as a
// plain log line every few seconds; silent when quiet. `unit` names what
// is counted ("month", "run").
class Progress {
 public:
  Progress(bool quiet, std::string label, std::string unit);
  void update(std::int64_t done, std::int64_t total);
  void finish();
  // Text shown after the counts from the next line on ("best 1.23").
  void note(std::string text) { note_ = std::move(text); }

 private:
  bool quiet_;
  bool terminal_;
  std::string label_;
  std::string unit_;
  std::string note_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  std::int64_t first_done_ = -1;  // progress already made when we started (resume)
  bool shown_ = false;
};

}  // namespace loyalsim::cli
