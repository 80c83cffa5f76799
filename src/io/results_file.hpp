// The HDF5 results file of SPEC section 4: one file per invocation, one row
// per run. A single run is a sweep of one. The file is built under a
// temporary name beside the final path (NAME.h5.partial) and renamed by
// commit(), so a failed or interrupted invocation never leaves a
// half-written file at that path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/run_result.hpp"
#include "core/sweep_spec.hpp"

namespace loyalsim::io {

// Shape of the file, fixed when it is created.
// NAME.h5 -> NAME.h5.partial: where a file lives until it is complete.
std::filesystem::path partial_path_for(const std::filesystem::path& final_path);

struct ResultsLayout {
  std::size_t runs = 1;
  std::size_t months = 0;  // recorded months (1..months)
  std::vector<std::string> firm_names;
  std::vector<std::string> segment_names;
  std::vector<std::string> varied_parameters;  // full parameter paths, one runs/ column each
  bool events = false;                         // create events/
  std::optional<Design> design;                // a sweep's design/ group, written as it is held
};

// Root attributes describing where the file came from.
struct FileMetadata {
  std::string software_version;
  std::string command_line;
  std::string scenario_path;
  std::string scenario_text;           // the full TOML text as read
  std::string resolved_scenario_text;  // every value in force (after --set, --seed), as TOML
  std::uint64_t scenario_seed = 0;
  std::string scenario_hash;  // identifies the scenario and sweep (resume checks it)
  // `run --only-run K`: the file holds run K of a sweep of sweep_runs runs
  // (root attributes only_run and sweep_runs); -1: every run of its design.
  std::int64_t only_run = -1;
  std::int64_t sweep_runs = 0;
};

enum class RunStatus : std::int8_t { pending = 0, done = 1, failed = 2 };

// One row of runs/.
struct RunRecord {
  std::int64_t run = 0;
  std::int64_t point = 0;
  std::int64_t replicate = 0;
  std::uint64_t seed = 0;
  RunStatus status = RunStatus::done;
  double wall_seconds = 0.0;
  std::int64_t scripted_shortfall = 0;
  std::vector<double> parameter_values;  // same order as ResultsLayout::varied_parameters
};

// The scenario_hash attribute of a complete results file (complete = 1), or
// nothing if the file is not one (missing, damaged, unfinished, foreign).
// Only reads.
std::optional<std::string> complete_file_scenario_hash(const std::filesystem::path& path);

class ResultsFile {
 public:
  // Creates the temporary file beside final_path with every group, dataset,
  // dimension scale and attribute of the layout. final_path is not touched.
  static ResultsFile create(const std::filesystem::path& final_path, const ResultsLayout& layout,
                            const FileMetadata& meta);

  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;
  ~ResultsFile();  // not committed: closes and removes the temporary file

  // Writes run `record.run`: its runs/ row, timeseries/, summary/ and (if the
  // layout has them) its events, which must be in (month, customer) order.
  // Runs may come in any order; their events are staged beside the file and
  // reach events/ in run order, a whole chunk at a time, once every earlier
  // run has been written (the rest when the file is committed or
  // suspended). After a throw the file is kept as it is: suspend() then
  // only closes it (the journal holds the runs).
  void write_run(const RunRecord& record, const RunResult& result);

  // Flushes and closes, keeping the temporary file (NAME.h5.partial) with
  // the runs written so far: an interrupted sweep, to be resumed.
  void suspend();

  // After a failure (disk full, file too large): keeps the temporary file,
  // whatever state it is in, and closes it without reporting errors. The
  // run journal, not this file, is what --resume rebuilds from.
  void keep_after_failure() noexcept;

  // Flushes, closes, and renames the temporary file onto final_path
  // (replacing it if it exists: the caller checks --force before running).
  void commit();

  const std::filesystem::path& temporary_path() const;

 private:
  struct Impl;
  explicit ResultsFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalsim::io
