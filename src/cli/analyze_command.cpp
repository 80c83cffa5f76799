// `loyalsim analyze RESULTS.h5`: which parameters drive each headline rate
// (docs/SENSITIVITY.md). Reads the results file read-only and writes its
// tables to a new file, with the output rules of `run`: an existing output
// is replaced only with --force, the output is a regular file, and one
// process writes it at a time (NAME.lock); the file appears complete or
// not at all (written as NAME.partial, then renamed).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <limits>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/sensitivity.hpp"
#include "cli/sweep_output.hpp"
#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/parameters.hpp"
#include "io/output_lock.hpp"
#include "io/results_file.hpp"
#include "io/sensitivity_file.hpp"
#include "io/sweep_results.hpp"
#include "io/utf8.hpp"
#include "version.hpp"

namespace loyalsim::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

po::options_description describe_options() {
  po::options_description options(
      "Usage: loyalsim analyze RESULTS.h5 [options]\n"
      "Sensitivity of the summary metrics to the swept parameters: Sobol' indices\n"
      "(saltelli design), elementary effects (morris), or partial rank correlations\n"
      "(any other design), with bootstrap 95% intervals and the model's noise share.\n"
      "Never modifies RESULTS.h5; writes results/<stem>.sensitivity.h5 (or -o PATH).\n"
      "Options");
  options.add_options()("help,h", "show this help")("metric", po::value<std::vector<std::string>>()->composing(),
                                                    "a summary metric (repeatable; default: every rate)")(
      "firm", po::value<std::vector<std::string>>()->composing(), "a firm (repeatable; default: every firm)")(
      "segment", po::value<std::vector<std::string>>()->composing(), "a segment (repeatable; default: every segment)")(
      "output,o", po::value<std::string>(), "output HDF5 file (default: results/<stem>.sensitivity.h5)")(
      "bootstrap", po::value<std::string>()->default_value("1000"),
      "bootstrap resamples for the intervals, 0 to 100000 (0: no intervals)")(
      "seed", po::value<std::string>()->default_value("1"), "seed of the bootstrap resampling")(
      "force", "overwrite the output file if it exists");
  return options;
}

std::vector<std::string> strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}

std::int64_t whole(const std::string& text, const std::string& option, std::int64_t low, std::int64_t high) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < low || value > high)
    throw InputError(option + " " + io::printable(text) + ": expected a whole number in [" + std::to_string(low) +
                     ", " + std::to_string(high) + "]");
  return value;
}

// Names picked from `all` (every one when none is asked), each checked.
std::vector<std::size_t> pick(const std::vector<std::string>& asked, const std::vector<std::string>& all,
                              const std::string& option, const std::string& source) {
  std::vector<std::size_t> picked;
  if (asked.empty()) {
    for (std::size_t i = 0; i < all.size(); ++i) picked.push_back(i);
    return picked;
  }
  for (const std::string& name : asked) {
    const auto at = std::find(all.begin(), all.end(), name);
    if (at == all.end()) {
      std::string problem = option + " " + io::printable(name) + ": " + source + " has no such " + option.substr(2);
      const std::string hint = nearest_name(name, all);
      if (!hint.empty()) problem += " (did you mean '" + io::printable(hint) + "'?)";
      throw InputError(problem);
    }
    const auto index = static_cast<std::size_t>(at - all.begin());
    if (std::find(picked.begin(), picked.end(), index) == picked.end()) picked.push_back(index);
  }
  return picked;
}

std::vector<std::string> checked_metrics(const std::vector<std::string>& asked) {
  std::vector<std::string> names, rates;
  for (const MetricInfo& m : summary_metrics) {
    names.emplace_back(m.name);
    if (m.type == MetricType::real) rates.emplace_back(m.name);
  }
  if (asked.empty()) return rates;
  for (const std::string& name : asked)
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string problem = "--metric " + io::printable(name) + ": not a summary metric";
      const std::string hint = nearest_name(name, names);
      if (!hint.empty()) problem += " (did you mean '" + hint + "'?)";
      throw InputError(problem);
    }
  return asked;
}

fs::path default_output(const fs::path& results) {
  std::string stem = results.filename().string();
  if (stem.size() > 3 && stem.ends_with(".h5")) stem.resize(stem.size() - 3);
  return fs::path("results") / (stem + ".sensitivity.h5");
}

// The output may not be the results file itself (under any name).
void refuse_the_input(const fs::path& output, const fs::path& input) {
  std::error_code error;
  if (fs::equivalent(output, input, error))
    throw InputError("-o " + output.string() + ": is the results file being analysed; analyze never writes into it");
}

}  // namespace

int analyze_command(const std::vector<std::string>& args, const std::string& command_line) {
  po::options_description options = describe_options();
  const po::variables_map vm = parse_command_line(args, options, "results");
  if (vm.count("help")) {
    std::cout << options << "\nExit status: 0 success, 2 bad input or arguments, 1 anything else.\n";
    return 0;
  }
  if (!vm.count("results")) throw InputError("analyze: a results file is required (loyalsim analyze RESULTS.h5)");
  const fs::path input = vm["results"].as<std::string>();
  fs::path output = vm.count("output") ? fs::path(vm["output"].as<std::string>()) : default_output(input);
  if (output.empty() || !output.has_filename() || output.filename() == "." || output.filename() == "..")
    throw InputError("-o '" + output.string() +
                     "': names no file; give a file name such as results/NAME.sensitivity.h5");
  AnalysisRequest request;
  request.metrics = checked_metrics(strings(vm, "metric"));
  request.bootstrap.resamples =
      static_cast<std::size_t>(whole(vm["bootstrap"].as<std::string>(), "--bootstrap", 0, 100000));
  const std::int64_t seed = whole(vm["seed"].as<std::string>(), "--seed", 0, std::numeric_limits<std::int64_t>::max());
  request.bootstrap.seed = static_cast<std::uint64_t>(seed);
  const bool force = vm.count("force") > 0;

  // Every refusal before anything is written.
  const io::SweepResults results = io::read_sweep_results(input);
  request.firms = pick(strings(vm, "firm"), results.firms, "--firm", input.string());
  request.segments = pick(strings(vm, "segment"), results.segments, "--segment", input.string());
  const fs::path partial = io::partial_path_for(output), lock_path = io::lock_path_for(output);
  for (const fs::path& path : {output, partial, lock_path}) check_output_path(path);
  refuse_the_input(output, input);
  refuse_the_input(partial, input);
  auto refuse_existing = [&] {
    std::error_code error;
    if (!force && fs::exists(fs::symlink_status(output, error)))
      throw InputError(output.string() + ": exists; give --force to replace it, or another path with -o");
  };
  refuse_existing();
  const fs::path folder = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::exists(folder, error)) {
    fs::create_directories(folder, error);
    if (error) throw InputError(folder.string() + ": cannot create the output folder: " + error.message());
  }
  io::OutputLock lock = io::OutputLock::acquire(lock_path, output);
  refuse_existing();  // again under the lock: another writer may have finished meanwhile

  // A design whose point roles do not pair up (a damaged or hand-made
  // file) is bad input, like any other inconsistency of the file.
  const AnalysisTables tables = [&] {
    try {
      return analyse(results, request);
    } catch (const std::invalid_argument& e) {
      throw InputError(input.string() + ": " + e.what());
    }
  }();
  lock.claim();
  io::SensitivityMetadata meta;
  meta.software_version = software_version;
  meta.command_line = command_line;
  meta.source = input.string();
  meta.design = design_name(results.design.spec.design);
  meta.bootstrap = static_cast<std::int64_t>(request.bootstrap.resamples);
  meta.seed = seed;
  meta.replicates = results.design.replicates();
  try {
    io::write_sensitivity_file(partial, meta, tables.indices, tables.cells);
    fs::rename(partial, output);
  } catch (...) {
    fs::remove(partial, error);
    throw;
  }
  std::cout << format_table(tables, meta.design);
  std::cout << "design " << meta.design << ", " << results.design.point_count << " points x "
            << results.design.replicates() << " replicates; intervals: bootstrap 95% (" << meta.bootstrap
            << " resamples); noise: share of run-to-run variance that is the model's own noise\n"
            << "written: " << output.string() << "\n";
  return 0;
}

}  // namespace loyalsim::cli
