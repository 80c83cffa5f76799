#include "cli/sweep_output.hpp"

#include "cli/output_checks.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

io::JournalHeader journal_header(const io::ResultsLayout& layout, const io::FileMetadata& meta) {
  return {meta.scenario_hash,          layout.runs,  layout.months, layout.firm_names.size(),
          layout.segment_names.size(), layout.events};
}

void check_output_entries(const OutputPaths& paths) {
  for (const fs::path* path : {&paths.final, &paths.partial, &paths.journal, &paths.journal_new, &paths.lock})
    check_output_entry(*path);
}

// Once a run is accepted, nothing is a refusal any more: an InputError from
// below (exit 2, which promises that no file changed) becomes an Error.
template <typename Body>
auto as_accepted(Body&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    throw Error(e.what());
  }
}

// Removes a leftover of a killed run that this run replaces (only ever done
// after every refusal check has passed, under the lock).
void remove_leftover(const fs::path& path) {
  std::error_code error;
  fs::remove(path, error);
  if (error) throw Error(path.string() + ": removing the leftover of an earlier run: " + error.message());
}

// Without --force, a new run replaces nothing: not a result, nor an
// interrupted run's files.
void refuse_what_a_new_run_would_replace(const OutputPaths& paths, const NextCommands& next) {
  if (file_exists(paths.final))
    throw InputError(paths.final.string() + ": exists; use --force to overwrite it or -o to write elsewhere");
  if (file_exists(paths.journal))
    throw InputError(paths.final.string() + ": an interrupted run left " + paths.journal.string() +
                     "; finish it with: " + next.resume + "  (or start over with: " + next.force + ")");
  if (file_exists(paths.partial))
    throw InputError(paths.partial.string() +
                     ": was left by a run stopped before it recorded any finished run, so there is nothing to "
                     "resume; start over with: " +
                     next.force);
}

}  // namespace

void check_output_path(const fs::path& path) { check_output_entry(path); }

void check_output_for_dry_run(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                              bool force, bool resume, const NextCommands& next) {
  check_names_a_file(paths.final);
  check_output_entries(paths);
  const fs::path folder = folder_of(paths.final);
  std::error_code error;
  const fs::file_status status = fs::status(folder, error);
  if (fs::exists(status)) prepare_folder(folder, false);  // an absent folder is created by the real run
  if (!resume) {
    if (!force) refuse_what_a_new_run_would_replace(paths, next);
    return;
  }
  if (!file_exists(paths.journal)) {
    if (file_exists(paths.final)) throw InputError(paths.final.string() + ": is already complete; nothing to resume");
    throw InputError(paths.final.string() + ": nothing to resume (no " + paths.journal.string() +
                     "); start the run with: " + next.again);
  }
  // The journal's header names its scenario: reading it changes nothing.
  const io::RunJournal checked = io::RunJournal::open_for_resume(paths.journal, journal_header(layout, meta));
}

OutputPaths output_paths(const fs::path& final_path) {
  OutputPaths paths;
  paths.final = final_path;
  paths.partial = io::partial_path_for(final_path);
  paths.journal = final_path;
  paths.journal += ".journal";
  paths.journal_new = paths.journal;
  paths.journal_new += ".new";
  paths.lock = io::lock_path_for(final_path);
  return paths;
}

RunTally::RunTally(const io::ResultsLayout& layout) : done(layout.runs, false) {
  const std::size_t firms = layout.firm_names.size(), segments = layout.segment_names.size();
  pooled.allocate(0, firms, segments);
  if (layout.design && layout.design->runs() == static_cast<std::int64_t>(layout.runs)) {  // a whole sweep
    const std::size_t fit = std::max<std::size_t>(1, max_table_rows / std::max<std::size_t>(1, firms * segments));
    by_point.resize(std::min({fit, max_table_points, static_cast<std::size_t>(layout.design->point_count)}));
    for (RunResult& point : by_point) point.allocate(0, firms, segments);
    if (static_cast<std::int64_t>(by_point.size()) < layout.design->point_count) by_parameter.emplace(*layout.design);
  }
}

void RunTally::count(const io::RunRecord& record, const RunResult& result) {
  const auto run = static_cast<std::size_t>(record.run);
  if (done[run]) return;
  done[run] = true;
  ++runs_done;
  scripted_shortfall += record.scripted_shortfall;
  if (by_parameter) by_parameter->count(record.parameter_values, result);
  // Every count total pools across runs (summed); the rates are recomputed
  // from the pooled counts (compute_rates).
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    if (summary_metrics[i].type != MetricType::count) continue;
    for (std::size_t cell = 0; cell < result.totals.counts[i].size(); ++cell)
      pooled.totals.counts[i][cell] += result.totals.counts[i][cell];
    if (record.point >= 0 && static_cast<std::size_t>(record.point) < by_point.size()) {
      RunResult& point = by_point[static_cast<std::size_t>(record.point)];
      for (std::size_t cell = 0; cell < result.totals.counts[i].size(); ++cell)
        point.totals.counts[i][cell] += result.totals.counts[i][cell];
    }
  }
}

SweepOutput::SweepOutput(OutputPaths paths, io::OutputLock lock, io::ResultsFile file, io::RunJournal journal,
                         RunTally tally)
    : paths_(std::move(paths)), lock_(std::move(lock)), file_(std::move(file)), journal_(std::move(journal)),
      tally_(std::move(tally)) {}

SweepOutput SweepOutput::start(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                               bool force, const NextCommands& next) {
  check_names_a_file(paths.final);
  check_output_entries(paths);
  prepare_folder(folder_of(paths.final), true);
  io::OutputLock lock = io::OutputLock::acquire(paths.lock, paths.final);
  check_output_entries(paths);  // again: before the lock another run could have been changing them
  if (!force) refuse_what_a_new_run_would_replace(paths, next);
  // Accepted: from here on this run writes.
  lock.claim();
  return as_accepted([&] {
    remove_leftover(paths.partial);
    remove_leftover(paths.journal_new);
    io::ResultsFile file = io::ResultsFile::create(paths.final, layout, meta);
    io::RunJournal journal = io::RunJournal::create(paths.journal, journal_header(layout, meta));
    // --force: the old result goes once the new run's files exist, so that
    // an interruption leaves an interrupted run (finished by --resume), not
    // an old result beside a new journal.
    if (force) remove_leftover(paths.final);
    return SweepOutput(paths, std::move(lock), std::move(file), std::move(journal), RunTally(layout));
  });
}

SweepOutput SweepOutput::resume(const OutputPaths& paths, const io::ResultsLayout& layout, const io::FileMetadata& meta,
                                const NextCommands& next) {
  check_names_a_file(paths.final);
  check_output_entries(paths);
  const auto nothing_to_resume = [&] {
    return InputError(paths.final.string() + ": nothing to resume (no " + paths.journal.string() +
                      "); start the run with: " + next.again);
  };
  if (!prepare_folder(folder_of(paths.final), false)) throw nothing_to_resume();
  io::OutputLock lock = io::OutputLock::acquire(paths.lock, paths.final);
  check_output_entries(paths);
  if (!file_exists(paths.journal)) {
    if (file_exists(paths.final)) throw InputError(paths.final.string() + ": is already complete; nothing to resume");
    if (file_exists(paths.partial))
      throw InputError(paths.partial.string() +
                       ": was left by a run stopped before it recorded any finished run, so there is nothing to "
                       "resume; start over with: " +
                       next.force);
    throw nothing_to_resume();
  }
  // A complete file beside the journal: a run killed between renaming its
  // finished file into place and deleting its journal. If the file is this
  // scenario's, finishing the run rewrites the same result; any other file
  // is not ours to replace.
  if (file_exists(paths.final)) {
    const std::optional<std::string> hash = io::complete_file_scenario_hash(paths.final);
    if (!hash || *hash != meta.scenario_hash)
      throw InputError(paths.final.string() + ": exists beside the journal of an interrupted run (" +
                       paths.journal.string() +
                       ") but is not that run's result; move it away, then run: " + next.resume);
  }
  const auto check_run_number = [&](const io::RunRecord& record) {
    if (record.run < 0 || static_cast<std::size_t>(record.run) >= layout.runs)
      throw InputError(paths.journal.string() + ": records run " + std::to_string(record.run) +
                       " outside this sweep; start over with: " + next.force);
  };
  // First pass: every refusal the journal can cause (another scenario, a
  // record that does not decode, a run outside this sweep) comes now, while
  // nothing has been written: recover() changes the journal only after it
  // has read every record (cutting a torn tail, or compacting around damaged
  // records, which costs no intact run).
  io::JournalRecovery found;
  {
    io::RunJournal checked = io::RunJournal::open_for_resume(paths.journal, journal_header(layout, meta));
    found = checked.recover([&](const io::RunRecord& record, const RunResult&) { check_run_number(record); });
  }
  // Accepted. The journal is the truth; the old partial file may be damaged
  // (a kill mid-write), so the file is rebuilt from the journal's runs.
  lock.claim();
  return as_accepted([&] {
    remove_leftover(paths.partial);
    remove_leftover(paths.journal_new);
    io::ResultsFile file = io::ResultsFile::create(paths.final, layout, meta);
    RunTally tally(layout);
    io::RunJournal journal = io::RunJournal::open_for_resume(paths.journal, journal_header(layout, meta));
    journal.recover([&](const io::RunRecord& record, const RunResult& result) {
      check_run_number(record);
      if (tally.done[static_cast<std::size_t>(record.run)]) return;
      file.write_run(record, result);
      tally.count(record, result);
    });
    std::cerr << "loyalsim: resuming: " << tally.runs_done << " of " << layout.runs << " runs recovered from "
              << paths.journal.string() << found.losses() << "\n";
    return SweepOutput(paths, std::move(lock), std::move(file), std::move(journal), std::move(tally));
  });
}

std::vector<std::int64_t> SweepOutput::pending_runs() const {
  std::vector<std::int64_t> pending;
  for (std::size_t run = 0; run < tally_.done.size(); ++run)
    if (!tally_.done[run]) pending.push_back(static_cast<std::int64_t>(run));
  return pending;
}

void SweepOutput::add(const io::RunRecord& record, const RunResult& result) {
  journal_.append(record, result);
  tally_.count(record, result);  // recorded: --resume recovers it even if the file write below fails
  file_.write_run(record, result);
}

void SweepOutput::suspend() { file_.suspend(); }

void SweepOutput::keep_after_failure() noexcept { file_.keep_after_failure(); }

void SweepOutput::commit() {
  file_.commit();
  io::RunJournal::remove(paths_.journal);
}

std::vector<RunResult>& SweepOutput::by_point() {
  for (RunResult& point : tally_.by_point) compute_rates(point);
  return tally_.by_point;
}

const RunResult& SweepOutput::pooled() {
  compute_rates(tally_.pooled);
  return tally_.pooled;
}

}  // namespace loyalsim::cli
