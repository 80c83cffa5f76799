// `loyalsim calibrate CALIBRATION.toml` (docs/CALIBRATION.md): fits the
// named parameters of a scenario to target moments by the simulated method
// of moments, with common random numbers and an NLopt optimiser, then
// writes the fitted scenario and the trace of every evaluation, and prints
// the targets beside the fitted moments and the parameters with their
// approximate standard errors.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

#include <tbb/global_control.h>
#include <boost/program_options.hpp>

#include "calibrate/calibration_file.hpp"
#include "calibrate/calibration_output.hpp"
#include "calibrate/evaluator.hpp"
#include "calibrate/search.hpp"
#include "calibrate/standard_errors.hpp"
#include "cli/calibrate_output.hpp"
#include "cli/calibrate_report.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/machine.hpp"
#include "cli/report.hpp"
#include "core/errors.hpp"
#include "sweep/check_points.hpp"
#include "sweep/design.hpp"
#include "sweep/executor.hpp"
#include "version.hpp"

namespace loyalsim::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace loyalsim::calibrate;

struct CalibrateOptions {
  fs::path calibration;
  fs::path output;
  int threads = 0;
  bool force = false;
  bool quiet = false;
  bool dry_run = false;
};

po::options_description describe_options() {
  po::options_description options(
      "Usage: loyalsim calibrate CALIBRATION.toml [options]\n"
      "Fits the calibration file's parameters to its target moments (simulated method of\n"
      "moments; docs/CALIBRATION.md) and writes results/<name>.h5 (every evaluation and the\n"
      "fit) and results/<name>.fitted.toml (the fitted scenario, which 'loyalsim run' reads).\n"
      "Ctrl-C stops the search: the evaluations so far and the best point are still written.\n"
      "Options");
  options.add_options()("help,h", "show this help")(
      "output,o", po::value<std::string>(),
      "output HDF5 file (default: results/<name>.h5); the fitted scenario goes beside it as <NAME>.fitted.toml")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores); results do not depend on it")(
      "force", "overwrite the outputs if they exist")(
      "dry-run", "check the calibration file and the outputs, print the plan, and stop")("quiet,q",
                                                                                         "print no progress");
  return options;
}

std::optional<CalibrateOptions> parse_options(const std::vector<std::string>& args) {
  po::options_description options = describe_options();
  const po::variables_map vm = parse_command_line(args, options, "calibration");
  if (vm.count("help")) {
    std::cout << options << "\nExit status: 0 success, 2 bad input or arguments, 1 anything else"
              << " (including an interrupted calibration).\n";
    return std::nullopt;
  }
  CalibrateOptions o;
  if (!vm.count("calibration"))
    throw InputError("calibrate: a calibration file is required (loyalsim calibrate CALIBRATION.toml)");
  o.calibration = vm["calibration"].as<std::string>();
  if (vm.count("output")) {
    o.output = vm["output"].as<std::string>();
    if (o.output.empty()) throw InputError("-o '': names no file; give a file name such as results/NAME.h5");
  }
  o.threads = vm["threads"].as<int>();
  if (o.threads < 0) throw InputError("--threads: must be 0 (all cores) or a positive number");
  o.force = vm.count("force") > 0;
  o.quiet = vm.count("quiet") > 0;
  o.dry_run = vm.count("dry-run") > 0;
  return o;
}

// The scenario must make a valid model (core's checks) at the start
// values; the fitted parameters are real-valued and do not change the
// model's structure, so one point answers for the whole box. Returns the
// size of one evaluation.
SweepExtent checked_extent(const CalibrationSpec& spec, const std::string& source) {
  Design design;
  design.spec.design = DesignType::list;
  design.spec.replicates = spec.search.replicates;
  for (const FittedParameter& p : spec.parameters) {
    SweepParameter parameter;
    parameter.path = p.path;
    parameter.values = {p.start};
    design.spec.parameters.push_back(parameter);
    design.points.push_back(p.start);
  }
  design.point_count = 1;
  try {
    return check_every_point(spec.scenario, design);
  } catch (const InputError& e) {
    throw InputError(source + ": " + e.what());
  }
}

std::vector<fs::path> input_files(const CalibrationFile& file) {
  std::vector<fs::path> inputs{file.path};
  if (file.spec.scenario_path != file.path.string()) inputs.emplace_back(file.spec.scenario_path);
  return inputs;
}

// Targets whose moment was undefined in some evaluation: a note, since the
// penalty steered the search there.
void note_undefined_moments(std::ostream& out, const CalibrationSpec& spec, const Trace& trace) {
  std::int64_t evaluations = 0;
  std::vector<bool> seen(spec.targets.size(), false);
  for (const TraceEntry& e : trace.entries) {
    if (e.undefined == 0) continue;
    ++evaluations;
    for (std::size_t j = 0; j < e.moments.size(); ++j) seen[j] = seen[j] || std::isnan(e.moments[j]);
  }
  if (evaluations == 0) return;
  out << "loyalsim: note: " << evaluations << " of " << trace.entries.size()
      << " evaluations had an undefined moment (no decisions to compute it from), each adding "
      << table_number(undefined_moment_penalty) << " to the objective:";
  for (std::size_t j = 0; j < seen.size(); ++j)
    if (seen[j]) out << " " << spec.targets[j].label;
  out << "\n";
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args, const std::string& command_line) {
  const std::optional<CalibrateOptions> parsed = parse_options(args);
  if (!parsed) return 0;
  const CalibrateOptions& options = *parsed;

  // Every input is checked here, once, for the dry run and the real run.
  const CalibrationFile file = load_calibration(options.calibration);
  const CalibrationSpec& spec = file.spec;
  const SweepExtent extent = checked_extent(spec, file.path.string());
  const CalibrationPaths paths =
      calibration_paths(options.output.empty() ? fs::path("results") / (file.name + ".h5") : options.output);
  const std::vector<fs::path> inputs = input_files(file);
  const int threads = available_threads(options.threads);
  // Each evaluation runs its replicates side by side, as a sweep does.
  check_memory(extent.largest_run_bytes, spec.search.replicates, threads, options.quiet || options.dry_run);
  if (options.dry_run) {
    check_calibration_output(paths, options.force, inputs);
    print_calibration_plan(std::cout, file.path.string(), spec, extent, paths);
    return 0;
  }
  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                        static_cast<std::size_t>(threads));
  const io::OutputLock lock = lock_calibration_output(paths, options.force, inputs);

  // The search. Every evaluation lands in the trace as it finishes, so
  // whatever ends the search, the trace so far is written.
  const InterruptGuard interrupt;
  const Evaluator evaluator(spec, &interrupt.requested());
  Trace trace;
  Progress progress(options.quiet, file.name, "evaluation");
  const auto start = std::chrono::steady_clock::now();
  const OnEvaluation on_search_evaluation = [&](const Trace& t) {
    const double best = t.entries[*t.best].objective;
    // The first evaluation is logged on its own line: the objective at the
    // start values, and a sign that the search has begun.
    if (t.entries.size() == 1 && !options.quiet)
      std::cerr << file.name << ": evaluation 1: objective " << table_number(best) << " at the start values\n";
    progress.note("best objective " + table_number(best));
    progress.update(t.search_evaluations, spec.search.budget);
  };
  SearchOutcome outcome;
  std::optional<StandardErrors> errors;
  try {
    outcome = search(spec, evaluator, trace, on_search_evaluation);
    progress.finish();
    if (!outcome.interrupted && trace.best) {
      Progress se_progress(options.quiet, file.name + " standard errors", "evaluation");
      const auto p = static_cast<std::int64_t>(spec.parameters.size());
      std::int64_t done = 0;
      const std::vector<double> jacobian =
          moment_jacobian(spec, evaluator, trace.entries[*trace.best].parameters, trace,
                          [&](const Trace&) { se_progress.update(++done, 2 * p); });
      se_progress.finish();
      errors = standard_errors(spec, trace.best_evaluation, jacobian);
    }
  } catch (const SweepInterrupted&) {
    progress.finish();
    outcome.interrupted = true;
  } catch (const std::exception& e) {
    progress.finish();
    std::cerr << "loyalsim: error: " << e.what() << "\nloyalsim: the calibration stopped after " << trace.entries.size()
              << " evaluations; nothing was written\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const char* stopped = interrupt.signal_number() == SIGTERM ? "terminated" : "interrupted";
  if (!trace.best) {
    std::cerr << "loyalsim: " << stopped << " before the first evaluation finished; nothing was written\n";
    return 1;
  }

  CalibrationRecord record{spec,
                           trace,
                           errors ? &*errors : nullptr,
                           !outcome.interrupted,
                           outcome.interrupted ? std::string(stopped) : outcome.stop_reason,
                           std::string(software_version),
                           command_line,
                           file.path.string(),
                           file.text};
  try {
    write_calibration_outputs(paths, record);
  } catch (const std::exception& e) {
    std::cerr << "loyalsim: error: " << e.what() << "\n";
    return 1;
  }

  const std::size_t best = *trace.best;
  std::cout << "calibration " << file.path.string() << ": " << trace.search_evaluations << " evaluations of "
            << spec.search.replicates << " replicates (seed " << spec.search.seed << ") in " << table_number(seconds)
            << " s; " << (outcome.interrupted ? std::string(stopped) : "search " + outcome.stop_reason) << "\n"
            << "best objective " << table_number(trace.entries[best].objective) << " at evaluation " << best << " -> "
            << paths.h5.string() << ", " << paths.toml.string() << "\n\n";
  print_calibration_table(std::cout, spec, trace, errors ? &*errors : nullptr);
  note_undefined_moments(std::cerr, spec, trace);
  if (errors)
    for (const std::string& warning : errors->warnings) std::cerr << "loyalsim: warning: " << warning << "\n";
  if (outcome.interrupted) {
    std::cerr << "loyalsim: " << stopped << " after " << trace.search_evaluations
              << " evaluations: the best point so far is above and in " << paths.toml.string()
              << " (no standard errors); every evaluation is in " << paths.h5.string() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace loyalsim::cli
