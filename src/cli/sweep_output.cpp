#include "cli/sweep_output.hpp"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <ostream>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/simulate.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::cli {
namespace {

namespace fs = std::filesystem;

bool file_exists(const fs::path& path) {
  std::error_code ignored;
  return fs::exists(path, ignored);
}

io::JournalHeader journal_header(const io::ResultsLayout& layout, const io::FileMetadata& meta) {
  return {meta.scenario_hash, layout.runs, layout.months, layout.firm_names.size(), layout.segment_names.size(),
          layout.events};
}

// An output that cannot be written is a bad argument (exit 2), found before
// any run starts.
void check_writable_destination(const fs::path& final_path) {
  std::error_code error;
  if (fs::is_directory(final_path, error))
    throw InputError(final_path.string() + ": is a directory; give a file name with -o");
  const fs::path folder = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder))
    throw InputError(folder.string() + ": cannot create the output folder" + (error ? ": " + error.message() : ""));
  if (::access(folder.c_str(), W_OK) != 0)
    throw InputError(folder.string() + ": the output folder is not writable");
}

// The decision totals that pool across runs (the rates are recomputed).
constexpr Total pooled_counts[] = {Total::orphaned, Total::stayed, Total::followed, Total::defected,
                                   Total::stays_12m_eligible, Total::stays_12m_retained};

}  // namespace

OutputPaths output_paths(const fs::path& final_path) {
  OutputPaths paths;
  paths.final = final_path;
  paths.partial = io::partial_path_for(final_path);
  paths.journal = final_path;
  paths.journal += ".journal";
  return paths;
}

RunTally::RunTally(const io::ResultsLayout& layout) : done(layout.runs, false) {
  pooled.allocate(0, layout.firm_names.size(), layout.segment_names.size());
}

void RunTally::count(const io::RunRecord& record, const RunResult& result) {
  const auto run = static_cast<std::size_t>(record.run);
  if (done[run]) return;
  done[run] = true;
  ++runs_done;
  scripted_shortfall += record.scripted_shortfall;
  for (const Total t : pooled_counts)
    for (std::size_t cell = 0; cell < result.totals[index_of(t)].size(); ++cell)
      pooled.totals[index_of(t)][cell] += result.totals[index_of(t)][cell];
}

SweepOutput::SweepOutput(OutputPaths paths, io::ResultsFile file, io::RunJournal journal, RunTally tally)
    : paths_(std::move(paths)), file_(std::move(file)), journal_(std::move(journal)), tally_(std::move(tally)) {}

SweepOutput SweepOutput::start(const OutputPaths& paths, const io::ResultsLayout& layout,
                               const io::FileMetadata& meta, bool force) {
  check_writable_destination(paths.final);
  if (!force) {
    if (file_exists(paths.final))
      throw InputError(paths.final.string() + ": exists; use --force to overwrite it or -o to write elsewhere");
    if (file_exists(paths.journal) || file_exists(paths.partial))
      throw InputError(paths.final.string() + ": an interrupted run left " +
                       (file_exists(paths.journal) ? paths.journal : paths.partial).string() +
                       "; finish it with --resume, or start over with --force");
  }
  io::ResultsFile file = io::ResultsFile::create(paths.final, layout, meta);
  io::RunJournal journal = io::RunJournal::create(paths.journal, journal_header(layout, meta));
  return SweepOutput(paths, std::move(file), std::move(journal), RunTally(layout));
}

SweepOutput SweepOutput::resume(const OutputPaths& paths, const io::ResultsLayout& layout,
                                const io::FileMetadata& meta) {
  check_writable_destination(paths.final);
  if (!file_exists(paths.journal)) {
    if (file_exists(paths.final))
      throw InputError(paths.final.string() + ": is already complete; nothing to resume");
    throw InputError(paths.final.string() + ": nothing to resume (no " + paths.journal.string() + ")");
  }
  if (file_exists(paths.final))
    throw InputError(paths.final.string() + ": exists beside an interrupted run's journal; move one of them away");
  // The journal is the truth; the old partial file may be damaged (a kill
  // mid-write), so the file is rebuilt from the journal's runs. The journal
  // is checked first: one that is refused leaves every file as it was.
  io::RunJournal journal = io::RunJournal::open_for_resume(paths.journal, journal_header(layout, meta));
  io::ResultsFile file = io::ResultsFile::create(paths.final, layout, meta);
  RunTally tally(layout);
  const io::JournalRecovery found = journal.recover([&](const io::RunRecord& record, const RunResult& result) {
    if (record.run < 0 || static_cast<std::size_t>(record.run) >= layout.runs)
      throw InputError(paths.journal.string() + ": records run " + std::to_string(record.run) +
                       " outside this sweep; start over with --force");
    if (tally.done[static_cast<std::size_t>(record.run)]) return;
    file.write_run(record, result);
    tally.count(record, result);
  });
  std::cerr << "loyalsim: resuming: " << tally.runs_done << " of " << layout.runs << " runs recovered from "
            << paths.journal.string() << found.losses() << "\n";
  return SweepOutput(paths, std::move(file), std::move(journal), std::move(tally));
}

std::vector<std::int64_t> SweepOutput::pending_runs() const {
  std::vector<std::int64_t> pending;
  for (std::size_t run = 0; run < tally_.done.size(); ++run)
    if (!tally_.done[run]) pending.push_back(static_cast<std::int64_t>(run));
  return pending;
}

void SweepOutput::add(const io::RunRecord& record, const RunResult& result) {
  journal_.append(record, result);
  file_.write_run(record, result);
  tally_.count(record, result);
}

void SweepOutput::suspend() { file_.suspend(); }

void SweepOutput::commit() {
  file_.commit();
  io::RunJournal::remove(paths_.journal);
}

const RunResult& SweepOutput::pooled() {
  compute_rates(tally_.pooled);
  return tally_.pooled;
}

}  // namespace loyalsim::cli
