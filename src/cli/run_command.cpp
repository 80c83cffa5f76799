// `loyalsim run`: scenario in, HDF5 results and a headline table out.
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/program_options.hpp>
#include <tbb/global_control.h>

#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/simulate.hpp"
#include "io/results_file.hpp"
#include "io/scenario_file.hpp"
#include "version.hpp"

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
  bool quiet = false;
  bool dry_run = false;
};

po::options_description describe_options() {
  po::options_description options(
      "Usage: loyalsim run SCENARIO.toml [options]\n"
      "Simulates the scenario and writes results/<scenario name>.h5 (or -o PATH).\n"
      "Options");
  options.add_options()
      ("help,h", "show this help")
      ("output,o", po::value<std::string>(), "output HDF5 file (default: results/<scenario name>.h5)")
      ("seed", po::value<std::uint64_t>(), "replace the scenario's seed")
      ("threads", po::value<int>()->default_value(0), "worker threads (0: all cores); results do not depend on it")
      ("set", po::value<std::vector<std::string>>()->composing(),
       "override a parameter: PATH=VALUE, e.g. --set market.substitutability=0.9 (repeatable; see 'loyalsim params')")
      ("events", "also write events/: one row per customer decision")
      ("force", "overwrite the output file if it exists")
      ("dry-run", "check the scenario, print the run's size and estimated memory, and stop")
      ("quiet,q", "print no progress");
  return options;
}

RunOptions parse_options(const std::vector<std::string>& args, bool& help) {
  po::options_description options = describe_options();
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("scenario", 1);

  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  help = vm.count("help") > 0;
  if (help) {
    std::cout << options << "\nExit status: 0 success, 2 bad input or arguments, 1 anything else.\n";
    return {};
  }
  RunOptions o;
  if (!vm.count("scenario")) throw InputError("run: a scenario file is required (loyalsim run SCENARIO.toml)");
  o.scenario = vm["scenario"].as<std::string>();
  if (vm.count("output")) o.output = vm["output"].as<std::string>();
  if (vm.count("seed")) o.seed = vm["seed"].as<std::uint64_t>();
  o.threads = vm["threads"].as<int>();
  if (o.threads < 0) throw InputError("--threads: must be 0 (all cores) or a positive number");
  if (vm.count("set")) o.overrides = vm["set"].as<std::vector<std::string>>();
  o.events = vm.count("events") > 0;
  o.force = vm.count("force") > 0;
  o.quiet = vm.count("quiet") > 0;
  o.dry_run = vm.count("dry-run") > 0;
  return o;
}

// Refuses, before any work, an output that would overwrite a file without
// --force or that cannot be written at all.
void check_output(const fs::path& output, bool force) {
  std::error_code error;
  if (fs::is_directory(output, error)) throw InputError(output.string() + ": is a directory; give a file name with -o");
  if (fs::exists(output, error) && !force)
    throw InputError(output.string() + ": exists; use --force to overwrite it or -o to write elsewhere");
  const fs::path parent = output.has_parent_path() ? output.parent_path() : fs::path(".");
  fs::create_directories(parent, error);
  if (error || !fs::is_directory(parent))
    throw InputError(parent.string() + ": cannot create the output folder: " + error.message());
}

void print_dry_run(const Model& model, const fs::path& output) {
  const double customers = static_cast<double>(model.customers);
  const double state_bytes = customers * 19.0 + static_cast<double>(model.rep_capacity) * 26.0;
  std::cout << "dry run: 1 point x 1 replicate = 1 run\n"
            << "  " << model.customers << " customers, " << model.firms() << " firms, " << model.segments()
            << " segments, " << model.burn_in << " burn-in + " << model.months << " recorded months\n"
            << "  estimated memory: " << state_bytes / 1048576.0 << " MiB of agent state\n"
            << "  output: " << output.string() << "\n";
}

}  // namespace

int run_command(const std::vector<std::string>& args, const std::string& command_line) {
  bool help = false;
  RunOptions options = parse_options(args, help);
  if (help) return 0;

  // Input: the scenario, then --set and --seed on top of it.
  io::ScenarioFile file = io::load_scenario(options.scenario);
  Scenario& scenario = file.scenario;
  for (const auto& assignment : options.overrides) io::apply_override(scenario, assignment);
  io::validate_scenario(scenario, file.path.string());
  if (options.seed) scenario.seed = *options.seed;

  const fs::path output = options.output.empty() ? fs::path("results") / (file.name + ".h5") : options.output;
  const std::uint64_t run_seed = derive_run_seed(scenario.seed, 0, 0);
  const Model model = make_model(scenario, run_seed);
  if (options.dry_run) {
    print_dry_run(model, output);
    return 0;
  }
  check_output(output, options.force);

  const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  // The file is created (under a temporary name) before the run, so that an
  // unwritable output fails fast rather than after the simulation.
  io::ResultsLayout layout;
  layout.runs = 1;
  layout.months = static_cast<std::size_t>(scenario.market.months);
  for (const auto& f : scenario.firms) layout.firm_names.push_back(f.name);
  for (const auto& s : scenario.segments) layout.segment_names.push_back(s.name);
  layout.events = options.events;
  io::FileMetadata meta{software_version, command_line, file.path.string(), file.text, io::to_toml(scenario),
                        scenario.seed};
  io::ResultsFile results = io::ResultsFile::create(output, layout, meta);

  Progress progress(options.quiet, file.name);
  SimulationOptions simulation;
  simulation.record_events = options.events;
  simulation.on_month = [&](std::int64_t done, std::int64_t total) { progress.update(done, total); };
  const RunResult result = simulate(model, simulation);
  progress.finish();

  io::RunRecord record;
  record.seed = run_seed;
  record.wall_seconds = result.wall_seconds;
  record.scripted_shortfall = result.scripted_shortfall;
  results.write_run(record, result);
  results.commit();

  std::cout << "scenario " << file.path.string() << " (seed " << scenario.seed << ") -> " << output.string() << "\n\n";
  print_rates_table(std::cout, result, layout.firm_names, layout.segment_names);
  std::cout << "\n";
  print_throughput(std::cout, result, model.customers, threads);
  if (result.scripted_shortfall > 0)
    std::cout << "note: " << result.scripted_shortfall
              << " scripted departures could not happen: the firm had fewer active reps than asked for\n";
  return 0;
}

}  // namespace loyalsim::cli
