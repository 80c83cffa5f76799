// Reading a results file back, for `loyalsim info` and `loyalsim export`:
// what it holds (provenance, design, dimensions, metrics, runs done) and
// its tables, a block of runs at a time. Opens the file read-only and
// never changes it. A path that is not a regular file, not HDF5 or not a
// loyalsim results file is an InputError (exit 2) naming it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "io/hdf5.hpp"

namespace loyalsim::io {

// One metric dataset of summary/ or timeseries/ present in the file.
struct StoredMetric {
  const MetricInfo* info = nullptr;
  hdf5::Dataset dataset;
};

class ResultsReader {
 public:
  static ResultsReader open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  // Root attributes ("" when absent).
  std::string text_attribute(const char* name) const;
  std::optional<std::int64_t> integer_attribute(const char* name) const;
  bool complete() const;  // the complete attribute is 1: a finished file, not NAME.h5.partial

  std::size_t runs() const { return runs_; }
  std::size_t months() const { return months_; }
  const std::vector<std::string>& firms() const { return firms_; }
  const std::vector<std::string>& segments() const { return segments_; }

  // The design/ group: empty type for a single run.
  std::string design_type() const;
  std::int64_t design_points() const;
  std::int64_t replicates() const;
  const std::vector<std::string>& varied_parameters() const { return varied_; }

  // runs/: one value per run.
  std::vector<std::int64_t> runs_integer(const char* column) const;
  std::vector<std::uint64_t> seeds() const;
  std::vector<std::int8_t> statuses() const;  // 0 pending, 1 done, 2 failed
  std::vector<double> runs_real(const std::string& column) const;

  const std::vector<StoredMetric>& summary() const { return summary_; }
  const std::vector<StoredMetric>& timeseries() const { return series_; }
  std::optional<std::uint64_t> event_rows() const;  // nothing: no events/ group

  // Runs [first, first + count) of a metric, as doubles (counts exactly:
  // every count is below 2^53), C order (run, ...).
  std::vector<double> read_runs(const StoredMetric& metric, std::size_t first, std::size_t count) const;

 private:
  ResultsReader() = default;
  std::filesystem::path path_;
  hdf5::File file_;
  std::size_t runs_ = 0, months_ = 0;
  std::vector<std::string> firms_, segments_, varied_;
  std::vector<StoredMetric> summary_, series_;
};

// "pending", "done", "failed" (or the number, for a value outside them).
std::string run_status_name(std::int8_t status);

}  // namespace loyalsim::io
