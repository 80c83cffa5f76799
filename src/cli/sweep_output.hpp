// Where a run's results go, and how they survive interruption: the results
// file (NAME.h5.partial until complete, then NAME.h5) plus a journal of
// finished runs (NAME.h5.journal) from which --resume rebuilds the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <vector>

#include "core/run_result.hpp"
#include "core/scenario.hpp"
#include "io/results_file.hpp"
#include "io/run_journal.hpp"
#include "sweep/design.hpp"

namespace loyalsim::cli {

struct OutputPaths {
  std::filesystem::path final;    // NAME.h5: only ever a complete file
  std::filesystem::path partial;  // NAME.h5.partial: the file while runs are added
  std::filesystem::path journal;  // NAME.h5.journal: finished runs, crash-safe
};

OutputPaths output_paths(const std::filesystem::path& final_path);

// Which runs are finished, and their decision totals pooled.
struct RunTally {
  explicit RunTally(const io::ResultsLayout& layout);
  void count(const io::RunRecord& record, const RunResult& result);

  std::vector<bool> done;
  std::int64_t runs_done = 0;
  RunResult pooled;  // totals summed over finished runs; rates from compute_rates
  std::int64_t scripted_shortfall = 0;
};

class SweepOutput {
 public:
  // A new output. Refuses (InputError) to replace an existing result, or an
  // interrupted run's files, without `force`.
  static SweepOutput start(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                           bool force);
  // Rebuilds the results file from the journal of an interrupted run of the
  // same scenario (refused, with InputError, for another scenario).
  static SweepOutput resume(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta);

  std::vector<std::int64_t> pending_runs() const;
  std::int64_t runs_done() const { return tally_.runs_done; }

  // Records a finished run: journal first (crash-safe), then the file.
  void add(const io::RunRecord& record, const RunResult& result);
  // Interrupted: keeps NAME.h5.partial and the journal for --resume.
  void suspend();
  // Complete: renames NAME.h5.partial to NAME.h5 and deletes the journal.
  void commit();

  // Decision totals summed over every finished run, with their rates.
  const RunResult& pooled();
  std::int64_t scripted_shortfall() const { return tally_.scripted_shortfall; }

 private:
  SweepOutput(OutputPaths paths, io::ResultsFile file, io::RunJournal journal, RunTally tally);

  OutputPaths paths_;
  io::ResultsFile file_;
  io::RunJournal journal_;
  RunTally tally_;
};

}  // namespace loyalsim::cli
