// `loyalsim run`: scenario in, HDF5 results and a headline table out. A
// scenario with a [sweep] table runs every point x replicate into one file;
// one without runs once (a sweep of one).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <tbb/global_control.h>
#include <boost/program_options.hpp>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/dry_run.hpp"
#include "cli/interrupt.hpp"
#include "cli/machine.hpp"
#include "cli/point_report.hpp"
#include "cli/report.hpp"
#include "cli/sweep_output.hpp"
#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/parameters.hpp"
#include "core/simulate.hpp"
#include "core/state.hpp"
#include "io/scenario_file.hpp"
#include "io/sweep_table.hpp"
#include "io/utf8.hpp"
#include "sweep/check_points.hpp"
#include "sweep/executor.hpp"
#include "version.hpp"
#ifdef LOYALSIM_WITH_MPI
#include "mpi/split_run.hpp"
#include "mpi/sweep_ranks.hpp"
#include "mpi/world.hpp"
#endif

namespace loyalsim::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

struct RunOptions {
  fs::path scenario;
  fs::path output;
  std::optional<std::uint64_t> seed;
  int threads = 0;  // 0: all cores
  std::vector<std::string> overrides;
  bool events = false;
  bool force = false;
  bool resume = false;
  bool quiet = false;
  bool dry_run = false;
  std::optional<std::string> only_run;  // --only-run K, as written (checked against the design)
  bool split_customers = false;         // under mpirun: spread a single run's customers over the ranks
};

po::options_description describe_options() {
  po::options_description options(
      "Usage: loyalsim run SCENARIO.toml [options]\n"
      "Simulates the scenario (every run of its [sweep] table, if it has one) and\n"
      "writes results/<scenario name>.h5 (or -o PATH).\n"
      "Options");
  options.add_options()("help,h", "show this help")("output,o", po::value<std::string>(),
                                                    "output HDF5 file (default: results/<scenario name>.h5)")(
      "seed", po::value<std::string>(), "replace the scenario's seed: a whole number in [0, 2^63-1]")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores); results do not depend on it")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a parameter: PATH=VALUE, e.g. --set market.substitutability=0.9 (repeatable; see 'loyalsim params')")(
      "events", "also write events/: one row per customer decision")(
      "force", "overwrite the output file (and any interrupted run's files) if they exist")(
      "resume", "finish an interrupted run of the same scenario into the same output")(
      "dry-run",
      "check the scenario, print the number of runs and the estimated memory, output size and time, "
      "and stop")("quiet,q", "print no progress")(
      "only-run", po::value<std::string>(),
      "run only run K of the sweep (0-based, as in runs/), with its own seed and parameter values, into "
      "results/<scenario name>.run<K>.h5 (or -o PATH); e.g. with --events to look inside it")(
      "split-customers",
      "under mpirun, spread a single run's customers over the ranks (done anyway when the run does not fit "
      "a rank's share of its node's memory); the results are the same. Without mpirun (one process), or for "
      "a sweep, it changes nothing");
  return options;
}

RunOptions parse_options(const std::vector<std::string>& args, bool& help, bool speaks) {
  po::options_description options = describe_options();
  const po::variables_map vm = parse_command_line(args, options, "scenario");
  help = vm.count("help") > 0;
  if (help) {
    if (speaks)
      std::cout << options << "\nExit status: 0 success, 2 bad input or arguments, 1 anything else"
                << " (including an interrupted run).\n";
    return {};
  }
  RunOptions o;
  if (!vm.count("scenario")) throw InputError("run: a scenario file is required (loyalsim run SCENARIO.toml)");
  o.scenario = vm["scenario"].as<std::string>();
  if (vm.count("output")) {
    o.output = vm["output"].as<std::string>();
    if (o.output.empty()) throw InputError("-o '': names no file; give a file name such as results/NAME.h5");
  }
  // Read as text, not by Boost into a uint64 (which turns -1 into 2^64-1):
  // the same exact, range-checked reading as --set seed=N.
  if (vm.count("seed")) {
    const std::string seed = vm["seed"].as<std::string>();
    o.seed = io::parse_seed(seed, "--seed " + io::printable(seed));
  }
  o.threads = vm["threads"].as<int>();
  if (o.threads < 0) throw InputError("--threads: must be 0 (all cores) or a positive number");
  if (vm.count("set")) o.overrides = vm["set"].as<std::vector<std::string>>();
  o.events = vm.count("events") > 0;
  o.force = vm.count("force") > 0;
  o.resume = vm.count("resume") > 0;
  o.quiet = vm.count("quiet") > 0;
  o.dry_run = vm.count("dry-run") > 0;
  if (vm.count("only-run")) o.only_run = vm["only-run"].as<std::string>();
  o.split_customers = vm.count("split-customers") > 0;
  if (o.resume && o.force) throw InputError("--resume and --force exclude each other: resume keeps, force discards");
  return o;
}

io::ResultsLayout make_layout(const Scenario& scenario, const Design& design, bool events) {
  io::ResultsLayout layout;
  layout.runs = static_cast<std::size_t>(design.runs());
  layout.months = static_cast<std::size_t>(scenario.market.months);
  for (const auto& f : scenario.firms) layout.firm_names.push_back(f.name);
  for (const auto& s : scenario.segments) layout.segment_names.push_back(s.name);
  layout.varied_parameters = design.paths();
  layout.events = events;
  if (design.is_sweep()) layout.design = design;
  return layout;
}

// Every design point must make a valid model (e.g. a swept burn-in must
// still contain the scripted departures) before any run starts, for a dry
// run and a real run alike. Returns what the largest run needs.
SweepExtent checked_extent(const Scenario& scenario, const Design& design, const fs::path& source) {
  try {
    return check_every_point(scenario, design);
  } catch (const InputError& e) {
    throw InputError(source.string() + ": " + e.what());
  }
}

// A --set of a value the sweep varies would be silently overwritten at
// every point, so it is refused; tied paths count by the values they set
// (--set firms.A.reps and a sweep of firms.*.reps overlap).
void check_overrides_against_design(const std::vector<std::string>& overrides, const Design& design,
                                    const Scenario& scenario) {
  for (const auto& assignment : overrides) {
    std::string path = assignment.substr(0, assignment.find('='));
    path.erase(0, path.find_first_not_of(" \t"));
    path.erase(path.find_last_not_of(" \t") + 1);
    const ParameterTargets set = resolve_parameter_targets(scenario, path);  // resolved once already: cannot fail
    for (std::size_t k = 0; k < design.parameters(); ++k)
      if (const std::string& varied = design.path(k); set.overlaps(resolve_parameter_targets(scenario, varied)))
        throw InputError("--set " + assignment + ": the [sweep] table varies " + varied +
                         "; change its values in the sweep instead");
  }
}

// The commands messages tell the user to run next: the same words (so the
// same --set, --seed, --events and -o, and so the same scenario and output),
// with --resume, --force or neither.
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                              "_-+=./:,@%") == std::string::npos)
    return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

NextCommands next_commands(const std::vector<std::string>& args) {
  std::string plain = "loyalsim run";
  for (const auto& word : args) {
    if (word == "--force" || word == "--resume") continue;
    plain += ' ';  // two steps: see the GCC 12 note in run_command
    plain += shell_word(word);
  }
  return {plain, plain + " --resume", plain + " --force"};
}

// --only-run K: a run number of the design, 0..runs-1, written as digits.
std::int64_t only_run_number(const std::string& written, const Design& design) {
  const std::string option = "--only-run " + io::printable(written);
  const std::string runs = design.is_sweep() ? "the sweep has " + std::to_string(design.runs()) + " run" +
                                                   (design.runs() == 1 ? "" : "s") + ", numbered 0.." +
                                                   std::to_string(design.runs() - 1)
                                             : "the scenario has no [sweep] table: its one run is run 0";
  std::int64_t run = -1;
  const char* end = written.data() + written.size();
  const auto [stop, error] = std::from_chars(written.data(), end, run);
  if (written.empty() || error != std::errc() || stop != end)
    throw InputError(option + ": expected a run number (a whole number: " + runs + ")");
  if (run < 0 || run >= design.runs()) throw InputError(option + ": no such run; " + runs);
  return run;
}

// The design of run `run` alone: its point's values, one replicate. Used to
// check memory and for the dry run's estimates; the run itself executes in
// the whole design, so its seed is the one it has there.
Design design_of_run(const Design& design, const RunId& id) {
  Design alone;
  alone.spec = design.spec;
  alone.spec.replicates = 1;
  alone.point_count = 1;
  const std::span<const double> values = design.point(id.point);
  alone.points.assign(values.begin(), values.end());
  return alone;
}

// "run 5 of 8 (point 2, replicate 1, seed 123): firms.*.non_solicit = 1"
std::string describe_run(const Design& design, const RunId& id) {
  std::ostringstream out;
  out << "run " << id.run << " of " << design.runs() << " (point " << id.point << ", replicate " << id.replicate
      << ", seed " << id.seed << ")";
  for (std::size_t k = 0; k < design.parameters(); ++k)
    out << (k ? ", " : ": ") << design.path(k) << " = " << shortest_text(design.value(id.point, k));
  return out.str();
}

// This process's place among mpirun's ranks: rank 0 of 1 without MPI.
struct Ranks {
#ifdef LOYALSIM_WITH_MPI
  mpi::World world = mpi::world();
  bool agreed = false;  // the ranks have compared their inputs (a collective, once)
  bool distributed() const { return world.distributed(); }
  bool root() const { return world.root(); }
#else
  bool distributed() const { return false; }
  bool root() const { return true; }
#endif
};

int run(const std::vector<std::string>& args, const std::string& command_line, Ranks& ranks);

// Whether this rank wants a single run split across the ranks
// (mpi/split_run.hpp), and what each node then needs: its ranks' slices
// of the customers, each with every rep and the run's metrics.
struct SplitPlan {
  bool wanted = false;
  std::size_t node_bytes = 0;
};

SplitPlan plan_split(const Ranks& ranks, bool asked, const Design& executed, const SweepExtent& extent,
                     const Scenario& scenario) {
  SplitPlan plan;
#ifdef LOYALSIM_WITH_MPI
  if (!ranks.distributed() || executed.runs() != 1) return plan;
  plan.wanted = mpi::split_wanted(ranks.world, asked, extent.largest_run_bytes, available_memory_bytes());
  const std::int64_t size = ranks.world.size;
  const std::size_t per_rank =
      run_bytes((extent.largest_customers + size - 1) / size, extent.largest_rep_capacity,
                static_cast<std::int64_t>(extent.months), scenario.firms.size(), scenario.segments.size());
  plan.node_bytes = per_rank * static_cast<std::size_t>(ranks.world.local_size);
#else
  (void)ranks, (void)asked, (void)executed, (void)extent, (void)scenario;
#endif
  return plan;
}

void print_split(std::ostream& out, const Ranks& ranks, const SplitPlan& plan) {
#ifdef LOYALSIM_WITH_MPI
  out << "split: the run's customers are spread over " << ranks.world.size << " ranks (" << ranks.world.local_size
      << " on this node): about " << std::fixed << std::setprecision(2)
      << static_cast<double>(plan.node_bytes) / static_cast<double>(ranks.world.local_size) / (1024.0 * 1024.0 * 1024.0)
      << " GiB per rank\n";
#else
  (void)out, (void)ranks, (void)plan;
#endif
}

#ifdef LOYALSIM_WITH_MPI
// A rank other than 0 in a split run: its slice of the run rank 0 names,
// written nowhere. 0 when done (or nothing to do), 1 when interrupted.
int follow_split_run(const Ranks& ranks, const Scenario& scenario, const Design& design, bool events) {
  const std::int64_t run = mpi::share_split_run(ranks.world, -1);
  if (run < 0) return 0;
  const InterruptGuard interrupt;
  ExecutorOptions executor;
  executor.record_events = events;
  executor.stop = &interrupt.requested();
  try {
    (void)mpi::execute_split_run(ranks.world, scenario, design, run, executor);
  } catch (const SweepInterrupted&) {
    return 1;  // rank 0 reports it
  }
  return 0;
}
#endif

}  // namespace

int run_command(const std::vector<std::string>& args, const std::string& command_line) {
  Ranks ranks;
#ifdef LOYALSIM_WITH_MPI
  // Under mpirun every rank reads the arguments and the scenario itself;
  // before anything is written they compare verdicts, so that an input
  // error is one message (rank 0's) and exit 2 on every rank, even when only
  // some rank saw it (a file it cannot read).
  if (ranks.distributed()) {
    const auto agree_on = [&](const std::string& problem) {
      ranks.agreed = true;
      return mpi::agree_on_inputs(ranks.world, problem);
    };
    try {
      return run(args, command_line, ranks);
    } catch (const InputError& e) {
      if (ranks.agreed) throw;
      if (const std::string first = agree_on(e.what()); first != e.what()) throw InputError(first);
      throw;
    } catch (const po::error& e) {
      if (ranks.agreed) throw;
      if (const std::string first = agree_on(e.what()); first != e.what()) throw InputError(first);
      throw;
    }
  }
#endif
  return run(args, command_line, ranks);
}

namespace {

int run(const std::vector<std::string>& args, const std::string& command_line, Ranks& ranks) {
  bool help = false;
  const RunOptions options = parse_options(args, help, ranks.root());
  if (help) return 0;

  // Input: the scenario, then --set and --seed on top of it, then the design.
  io::ScenarioFile file = io::load_scenario(options.scenario);
  Scenario& scenario = file.scenario;
  for (const auto& assignment : options.overrides) io::apply_override(scenario, assignment);
  io::validate_scenario(scenario, file.path.string());
  if (options.seed) scenario.seed = *options.seed;
  // Every check of the inputs happens here, once, before the dry run and
  // the real run part ways: a sweep that passes its dry run does not fail
  // later on its own inputs.
  Design design;
  try {
    design = file.sweep ? make_design(*file.sweep, scenario.seed) : single_run_design();
  } catch (const InputError& e) {
    throw InputError(file.path.string() + ": " + e.what());
  }
  check_overrides_against_design(options.overrides, design, scenario);
  SweepExtent extent = checked_extent(scenario, design, file.path);
  // --only-run K: every point was checked above, as for the whole sweep;
  // from here on, sizes are those of run K alone.
  std::optional<RunId> only;
  Design alone;
  if (options.only_run) {
    only = run_id(design, only_run_number(*options.only_run, design), scenario.seed);
    alone = design_of_run(design, *only);
    extent = checked_extent(scenario, alone, file.path);
  }
  const Design& executed = only ? alone : design;  // what the estimates and the memory check count
  int threads = available_threads(options.threads);
#ifdef LOYALSIM_WITH_MPI
  // All cores, under mpirun: the node's cores shared among its ranks.
  if (ranks.distributed() && options.threads == 0) threads = std::max(1, threads / ranks.world.local_size);
  if (ranks.distributed()) check_test_hooks(ranks.world);
#endif
  // A single run under mpirun may be split across the ranks (mpi/split_run.hpp):
  // then each rank needs only its share of the customers' memory.
  const SplitPlan plan = plan_split(ranks, options.split_customers, executed, extent, scenario);
  check_memory(plan.wanted ? plan.node_bytes : extent.largest_run_bytes, executed.runs(), threads,
               options.quiet || options.dry_run || !ranks.root());
  const std::string default_name = only ? file.name + ".run" + std::to_string(only->run) + ".h5" : file.name + ".h5";
  const OutputPaths paths = output_paths(options.output.empty() ? fs::path("results") / default_name : options.output);
  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                        static_cast<std::size_t>(threads));

  io::ResultsLayout layout = make_layout(scenario, design, options.events);
  if (only) layout.runs = 1;  // runs/ has run K's row (its point, replicate, seed); design/ the whole design
  std::string resolved = io::to_toml(scenario);
  // Appended in two steps, here and in next_commands: `"\n" + string`
  // trips a GCC 12 -Wrestrict false positive (a memcpy of 2^63 bytes) once
  // next_commands is inlined into this function.
  if (file.sweep) {
    resolved += '\n';
    resolved += io::sweep_to_toml(*file.sweep);
  }
  io::FileMetadata meta{software_version,
                        command_line,
                        file.path.string(),
                        file.text,
                        resolved,
                        scenario.seed,
                        io::scenario_hash(scenario, file.sweep, options.events)};
  if (only) {
    meta.only_run = only->run;
    meta.sweep_runs = design.runs();
    meta.scenario_hash += "-run" + std::to_string(only->run);  // --resume matches this run's output only
  }
  const NextCommands next = next_commands(args);
  bool split = false;  // the ranks agreed to split this single run
#ifdef LOYALSIM_WITH_MPI
  if (ranks.distributed()) {
    ranks.agreed = true;
    if (const std::string problem = mpi::agree_on_inputs(ranks.world, ""); !problem.empty()) throw InputError(problem);
    split = mpi::agree_to_split(ranks.world, plan.wanted);
    if (!ranks.root() && split) {
      if (options.dry_run) return 0;
      if (const int decision = mpi::share_decision(ranks.world, 0); decision != 0) return decision;
      return follow_split_run(ranks, scenario, design, options.events);
    }
    if (!ranks.root()) {
      // Rank 0 alone checks and opens the output; the others learn whether
      // it was accepted, then execute the runs it hands out.
      if (options.dry_run) return 0;
      if (const int decision = mpi::share_decision(ranks.world, 0); decision != 0) return decision;
      const InterruptGuard interrupt;
      ExecutorOptions executor;
      executor.record_events = options.events;
      executor.stop = &interrupt.requested();
      return mpi::serve_sweep(ranks.world, scenario, design, executor, threads);
    }
  }
#endif

  if (options.dry_run) {
    // The output too: a dry run that passes means the real run starts.
    check_output_for_dry_run(paths, layout, meta, options.force, options.resume, next);
    if (only) std::cout << "only " << describe_run(design, *only) << "\n";
    print_dry_run(std::cout, scenario, executed, extent, paths, threads, options.events);
    if (split) print_split(std::cout, ranks, plan);
    return 0;
  }

  // Output: a fresh file, or the interrupted one rebuilt from its journal.
  // Before any run, a failure (disk full, ...) leaves the files as they were
  // or as leftovers the same command clears: the hint is to run it again.
  const std::string same_command = options.resume ? next.resume : options.force ? next.force : next.again;
  // Under mpirun, the other ranks wait for this decision: 0 go, else their exit status.
  const auto tell_ranks = [&](int decision) {
#ifdef LOYALSIM_WITH_MPI
    if (ranks.distributed()) mpi::share_decision(ranks.world, decision);
#else
    (void)decision;
#endif
  };
  std::optional<SweepOutput> made;
  try {
    made.emplace(options.resume ? SweepOutput::resume(paths, layout, meta, next)
                                : SweepOutput::start(paths, layout, meta, options.force, next));
  } catch (const InputError&) {
    tell_ranks(2);
    throw;  // refused: nothing was changed
  } catch (const std::exception& e) {
    tell_ranks(1);
    std::cerr << "loyalsim: error: " << e.what()
              << "\nloyalsim: no run was started; once that is fixed, run: " << same_command << "\n";
    return 1;
  }
  tell_ranks(0);
  SweepOutput& output = *made;

  std::vector<std::int64_t> pending = output.pending_runs();
  // --only-run: the file's run 0 is the design's run K.
  if (only && !pending.empty()) pending = {only->run};
#ifdef LOYALSIM_WITH_MPI
  if (split) mpi::share_split_run(ranks.world, pending.empty() ? -1 : pending.front());
#endif
  const bool single = executed.runs() == 1;
  const std::int64_t total_runs = executed.runs();
  Progress progress(options.quiet, file.name, single ? "month" : "run");
  if (!single) progress.update(output.runs_done(), total_runs);

  const InterruptGuard interrupt;
  ExecutorOptions executor;
  executor.record_events = options.events;
  executor.stop = &interrupt.requested();
  executor.on_month = [&](std::int64_t done, std::int64_t total) { progress.update(done, total); };

  Throughput throughput;
  throughput.threads = threads;
  const auto start = std::chrono::steady_clock::now();
  // From the first run on, every finished run is in the journal: whatever
  // stops the sweep, --resume finishes it, and the last line says so.
  const auto finish_with = [&](const std::string& what) {
    std::cerr << "loyalsim: " << what << " after " << output.runs_done() << " of " << total_runs
              << " runs; the finished runs are kept in " << paths.journal.string() << "\n  finish with: " << next.resume
              << "\n";
  };
  try {
    bool failed = false;  // on_done calls are serialised by the executor
    const RunDone on_done = [&](const io::RunRecord& record, const RunResult& result) {
      // After a failed add, runs still finishing on other threads are not
      // recorded: the sweep is stopping, and --resume runs them again.
      if (failed) return;
      try {
        if (only) {
          io::RunRecord row = record;  // the file's one row, holding run K's point, replicate and seed
          row.run = 0;
          output.add(row, result);
        } else {
          output.add(record, result);
        }
      } catch (...) {
        failed = true;
        throw;
      }
      ++throughput.runs;
      throughput.customer_months += result.customer_months;
      throughput.state_bytes_per_customer =
          static_cast<double>(result.state_bytes) /
          static_cast<double>(scenario_at_point(scenario, design, record.point).market.customers);
      if (!single) progress.update(output.runs_done(), total_runs);
    };
#ifdef LOYALSIM_WITH_MPI
    // The same on_done, so the same file: the runs come from every rank.
    if (split) {
      for (const std::int64_t run : pending) {
        const FinishedRun finished = mpi::execute_split_run(ranks.world, scenario, design, run, executor);
        on_done(finished.record, finished.result);
      }
    } else if (ranks.distributed()) {
      mpi::lead_sweep(ranks.world, scenario, design, pending, executor, threads, on_done);
    } else {
      execute_runs(scenario, design, pending, executor, on_done);
    }
#else
    execute_runs(scenario, design, pending, executor, on_done);
#endif
  } catch (const SweepInterrupted&) {
    progress.finish();
    try {
      output.suspend();
    } catch (const std::exception& e) {
      output.keep_after_failure();
      std::cerr << "loyalsim: error: " << e.what() << "\n";
    }
    finish_with(interrupt.signal_number() == SIGTERM ? "terminated" : "interrupted");
    return 1;
  } catch (const std::exception& e) {
    progress.finish();
    output.keep_after_failure();
    std::cerr << "loyalsim: error: " << e.what() << "\n";
    finish_with("stopped by that error");
    return 1;
  }
  throughput.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  try {
    output.commit();
  } catch (const std::exception& e) {
    output.keep_after_failure();
    std::cerr << "loyalsim: error: " << e.what() << "\n";
    finish_with("stopped while finishing the file");
    return 1;
  }

  std::cout << "scenario " << file.path.string() << " (seed " << scenario.seed << ", " << total_runs << " run"
            << (total_runs == 1 ? "" : "s");
#ifdef LOYALSIM_WITH_MPI
  if (split) std::cout << ", customers split over " << ranks.world.size << " ranks";
#endif
  std::cout << ") -> " << paths.final.string() << "\n";
  if (only) std::cout << "only " << describe_run(design, *only) << "\n";
  std::cout << "\n";
  if (design.is_sweep() && !only)
    print_point_tables(std::cout, design, output.by_point(), layout.firm_names, layout.segment_names, paths.final,
                       output.by_parameter());
  else print_rates_table(std::cout, output.pooled(), layout.firm_names, layout.segment_names);
  std::cout << "\n";
  print_throughput(std::cout, throughput);
  if (output.scripted_shortfall() > 0)
    std::cout << "note: " << output.scripted_shortfall()
              << " scripted departures could not happen: the firm had fewer active reps than asked for\n";
  return 0;
}

}  // namespace

}  // namespace loyalsim::cli
