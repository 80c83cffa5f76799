// Where a run's results go, and how they survive interruption: the results
// file (NAME.h5.partial until complete, then NAME.h5) plus a journal of
// finished runs (NAME.h5.journal) from which --resume rebuilds the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/point_report.hpp"
#include "core/run_result.hpp"
#include "core/scenario.hpp"
#include "io/output_lock.hpp"
#include "io/results_file.hpp"
#include "io/run_journal.hpp"
#include "sweep/design.hpp"

namespace loyalsim::cli {

struct OutputPaths {
  std::filesystem::path final;        // NAME.h5: only ever a complete file
  std::filesystem::path partial;      // NAME.h5.partial: the file while runs are added
  std::filesystem::path journal;      // NAME.h5.journal: finished runs, crash-safe
  std::filesystem::path journal_new;  // NAME.h5.journal.new: a journal being created
  std::filesystem::path lock;         // NAME.h5.lock: held by the one process writing
};

// The commands a message tells the user to run next: the words they typed,
// without --resume and --force (so the same scenario, --set, --seed,
// --events and -o), shell-quoted, and with either added.
struct NextCommands {
  std::string again;   // neither: a fresh run
  std::string resume;  // ... --resume
  std::string force;   // ... --force
};

OutputPaths output_paths(const std::filesystem::path& final_path);

// An output path must be absent or a regular file (not a device, FIFO,
// directory, socket or symbolic link): throws InputError otherwise. The
// check every writer (run, analyze) applies before opening anything.
void check_output_path(const std::filesystem::path& path);

// Which runs are finished, and their decision totals pooled.
// --dry-run: the refusals the real run's output would give (a path that is
// not a regular file, an existing result without --force, nothing to
// resume, another scenario's journal), without creating, locking for
// writing or changing anything.
void check_output_for_dry_run(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                              bool force, bool resume, const NextCommands& next);

// The table after a sweep shows at most this many firm x segment rows, one
// block of rows per design point (at least one point, at most
// max_table_points), so a large sweep's table stays readable.
inline constexpr std::size_t max_table_rows = 48;
inline constexpr std::size_t max_table_points = 8;

struct RunTally {
  explicit RunTally(const io::ResultsLayout& layout);
  void count(const io::RunRecord& record, const RunResult& result);

  std::vector<bool> done;
  std::int64_t runs_done = 0;
  RunResult pooled;  // totals summed over finished runs; rates from compute_rates
  // The first design points the table shows (see max_table_rows): totals
  // summed over each point's finished replicates.
  std::vector<RunResult> by_point;
  // Every run by varied parameter, for a sweep with more points than shown.
  std::optional<ParameterSummary> by_parameter;
  std::int64_t scripted_shortfall = 0;
};

class SweepOutput {
 public:
  // Every refusal below is an InputError thrown before any file is created,
  // opened for writing or removed (the lock file this process created is
  // removed again): a refused command changes nothing.

  // A new output. Takes the output's lock, then refuses to replace an
  // existing result, or an interrupted run's files, without `force`. With
  // `force` the old result is removed once the new files exist, so an
  // interruption leaves a run that --resume finishes.
  static SweepOutput start(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                           bool force, const NextCommands& next);
  // Takes the output's lock and rebuilds the results file from the journal
  // of an interrupted run of the same scenario. The journal is read through
  // once before anything is written, so a refusal (another scenario, a
  // damaged journal) leaves the old files as they were.
  static SweepOutput resume(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                            const NextCommands& next);

  std::vector<std::int64_t> pending_runs() const;
  std::int64_t runs_done() const { return tally_.runs_done; }

  // Records a finished run: journal first (crash-safe), then the file.
  void add(const io::RunRecord& record, const RunResult& result);
  // Interrupted: keeps NAME.h5.partial and the journal for --resume.
  void suspend();
  // Failed (disk full, file too large): keeps whatever is on disk, reporting
  // nothing; the journal holds every finished run for --resume.
  void keep_after_failure() noexcept;
  // Complete: renames NAME.h5.partial to NAME.h5 and deletes the journal.
  void commit();

  // Decision totals summed over every finished run, with their rates.
  const RunResult& pooled();
  // The same per design point, for the first points the table shows.
  std::vector<RunResult>& by_point();
  const ParameterSummary* by_parameter() const { return tally_.by_parameter ? &*tally_.by_parameter : nullptr; }
  std::int64_t scripted_shortfall() const { return tally_.scripted_shortfall; }

 private:
  SweepOutput(OutputPaths paths, io::OutputLock lock, io::ResultsFile file, io::RunJournal journal, RunTally tally);

  OutputPaths paths_;
  io::OutputLock lock_;  // declared first: released last, after the files are closed
  io::ResultsFile file_;
  io::RunJournal journal_;
  RunTally tally_;
};

}  // namespace loyalsim::cli
