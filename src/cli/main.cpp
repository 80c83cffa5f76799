// loyalsim: who keeps the customer when a sales rep leaves, the firm or the
// rep? Entry point: dispatches to a subcommand and maps errors to exit
// statuses (2 for bad input, 1 for anything else).
#include <boost/program_options/errors.hpp>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "version.hpp"
#ifdef LOYALSIM_WITH_MPI
#include "mpi/world.hpp"
#endif

namespace {

const char* usage =
    "loyalsim - agent-based simulation of who keeps the customer when a sales rep leaves\n"
    "\n"
    "Usage:\n"
    "  loyalsim run SCENARIO.toml [options]   simulate a scenario and write HDF5 results\n"
    "  loyalsim calibrate CALIBRATION.toml    fit scenario parameters to target moments (simulated method of moments)\n"
    "  loyalsim analyze RESULTS.h5 [options]  which swept parameters drive each rate (sensitivity indices)\n"
    "  loyalsim params [NAME]                 list scenario parameters and the keys of [sweep] and other tables\n"
    "  loyalsim info RESULTS.h5               what a results file holds: scenario, design, runs, metrics\n"
    "  loyalsim export RESULTS.h5 --csv DIR   the results as CSV tables (for spreadsheets, Stata, R)\n"
    "  loyalsim --help | --version\n"
    "\n"
    "Run 'loyalsim COMMAND --help' for the options of a command.\n"
    "Exit status: 0 success, 2 bad input or arguments, 1 anything else.\n";

}  // namespace

int main(int argc, char** argv) {
#ifdef LOYALSIM_WITH_MPI
  // Under mpirun: MPI starts here and ends when main returns (nothing if
  // not launched by mpirun). Every rank parses the same arguments and
  // scenario, so they agree on an input error; only rank 0 speaks.
  const loyalsim::mpi::Session mpi_session(argc, argv);
  const loyalsim::mpi::World world = loyalsim::mpi::world();
  const bool speaks = world.root();
  // Only `run` spreads its work over the ranks; any other command is run
  // by rank 0 alone (N copies would write one output N times).
  if (world.distributed() && !speaks && (argc < 2 || std::string(argv[1]) != "run")) return 0;
#else
  const bool speaks = true;
#endif
  // A file-size limit (ulimit -f) would otherwise kill the process with
  // SIGXFSZ mid-write, silently. Ignored, the write fails with EFBIG
  // instead, and the run stops with a message and a --resume hint.
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> words(argv + 1, argv + argc);
  std::string command_line = argv[0];
  for (const auto& w : words) command_line += " " + w;

  try {
    if (words.empty()) {
      std::cerr << "loyalsim: error: no command given (try loyalsim run SCENARIO.toml, or loyalsim --help)\n";
      return 2;
    }
    const std::string command = words.front();
    const std::vector<std::string> args(words.begin() + 1, words.end());
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << usage;
      return 0;
    }
    if (command == "--version") {
      std::cout << "loyalsim " << loyalsim::software_version << "\n";
      return 0;
    }
    if (command == "run") return loyalsim::cli::run_command(args, command_line);
    if (command == "params") return loyalsim::cli::params_command(args);
    if (command == "calibrate") return loyalsim::cli::calibrate_command(args, command_line);
    if (command == "info") return loyalsim::cli::info_command(args);
    if (command == "export") return loyalsim::cli::export_command(args);
    if (command == "analyze") return loyalsim::cli::analyze_command(args, command_line);
    // One line, like every refusal: the usage is one --help away.
    std::cerr << "loyalsim: error: unknown command '" << command
              << "' (the commands are run, calibrate, analyze, params, info and export; see loyalsim --help)\n";
    return 2;
  } catch (const loyalsim::InputError& e) {
    if (speaks) std::cerr << "loyalsim: error: " << e.what() << "\n";
    return 2;
  } catch (const boost::program_options::error& e) {
    if (speaks) std::cerr << "loyalsim: error: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const std::exception& e) {
    if (speaks) std::cerr << "loyalsim: error: " << e.what() << "\n";
    return 1;
  }
}
