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

// Firm x segment table of the four headline rates.
void print_rates_table(std::ostream& out, const RunResult& result, const std::vector<std::string>& firm_names,
                       const std::vector<std::string>& segment_names);

// Customer-months per second and bytes per customer.
void print_throughput(std::ostream& out, const RunResult& result, std::int64_t customers, int threads);

// Shows months done on a terminal (a line redrawn in place), or a plain
// log line every few seconds otherwise; silent when quiet.
class Progress {
 public:
  Progress(bool quiet, std::string label);
  void update(std::int64_t done, std::int64_t total);
  void finish();

 private:
  bool quiet_;
  bool terminal_;
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

}  // namespace loyalsim::cli
