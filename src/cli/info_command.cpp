// `loyalsim info FILE`: what a results file holds (scenario, design, runs
// done, dimensions, metrics, the command that made it), read-only.
#include <algorithm>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "io/results_reader.hpp"

namespace loyalsim::cli {
namespace {

std::string joined(const std::vector<std::string>& names, std::size_t most = 12) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < most; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > most) text += ", ... (" + std::to_string(names.size() - most) + " more)";
  return text;
}

std::string metric_names(const std::vector<io::StoredMetric>& metrics) {
  std::vector<std::string> names;
  for (const io::StoredMetric& m : metrics) names.emplace_back(m.info->name);
  return joined(names, names.size());
}

}  // namespace

int info_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description options(
      "Usage: loyalsim info RESULTS.h5\n"
      "Shows what a results file holds: the scenario, the design, the runs done, the\n"
      "dimensions and metrics, the command that made it and when. Reads only.\nOptions");
  options.add_options()("help,h", "show this help");
  const po::variables_map vm = parse_command_line(args, options, "file");
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  if (!vm.count("file")) throw InputError("info: a results file is required (loyalsim info RESULTS.h5)");
  const io::ResultsReader file = io::ResultsReader::open(vm["file"].as<std::string>());

  const std::vector<std::int8_t> status = file.statuses();
  const auto done = std::count(status.begin(), status.end(), std::int8_t{1});
  const auto failed = std::count(status.begin(), status.end(), std::int8_t{2});
  const std::string scenario_path = file.text_attribute("scenario_path");
  std::cout << "file:        " << file.path().string()
            << (file.complete() ? " (complete)"
                                : " (not complete: the results so far of an interrupted or running "
                                  "invocation; finish it with run --resume)")
            << "\n"
            << "scenario:    " << std::filesystem::path(scenario_path).stem().string() << " (" << scenario_path
            << "), seed " << file.integer_attribute("scenario_seed").value_or(0) << "\n"
            << "created:     " << file.text_attribute("created_utc") << " by loyalsim "
            << file.text_attribute("software_version") << "\n"
            << "command:     " << file.text_attribute("command_line") << "\n";

  const std::string type = file.design_type();
  if (type.empty()) {
    std::cout << "design:      a single run (no [sweep] table)\n";
  } else {
    std::cout << "design:      " << type << ", " << file.design_points() << " point"
              << (file.design_points() == 1 ? "" : "s") << " x " << file.replicates() << " replicate"
              << (file.replicates() == 1 ? "" : "s") << "\n"
              << "varied:      " << joined(file.varied_parameters(), file.varied_parameters().size()) << "\n";
  }
  if (const auto only = file.integer_attribute("only_run"))
    std::cout << "only run:    run " << *only << " of the sweep's " << file.integer_attribute("sweep_runs").value_or(0)
              << " (run --only-run)\n";
  std::cout << "runs:        " << done << " of " << file.runs() << " done";
  if (failed > 0) std::cout << ", " << failed << " failed";
  std::cout << "\n"
            << "dimensions:  run " << file.runs() << ", month " << file.months() << ", firm " << file.firms().size()
            << " (" << joined(file.firms()) << "), segment " << file.segments().size() << " ("
            << joined(file.segments()) << ")\n"
            << "summary/:    " << file.summary().size()
            << " metrics (run x firm x segment): " << metric_names(file.summary()) << "\n"
            << "timeseries/: " << file.timeseries().size()
            << " metrics (run x month x firm [x segment]): " << metric_names(file.timeseries()) << "\n";
  if (const auto rows = file.event_rows()) std::cout << "events/:     " << *rows << " decisions\n";
  else std::cout << "events/:     none (run with --events to record every decision)\n";
  return 0;
}

}  // namespace loyalsim::cli
