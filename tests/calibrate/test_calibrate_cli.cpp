// `loyalsim calibrate` as a user runs it: the outputs it writes (the fitted
// scenario runs; the HDF5 file holds every evaluation and the fit), and
// Ctrl-C, which stops the search and still writes the trace so far and the
// best point.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <string>

#include "cli/cli_process.hpp"
#include "io/hdf5.hpp"

namespace {

namespace fs = std::filesystem;
namespace h5 = loyalsim::io::hdf5;
using cli_test::contains;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("loyalsim_calibrate_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// A scenario whose evaluations take a moment each (for the interruption),
// and a calibration of one of its parameters.
std::string scenario_text(int customers) {
  return "seed = 3\n[market]\ncustomers = " + std::to_string(customers) +
         "\nmonths = 36\nburn_in_months = 6\n"
         "[[firms]]\nname = \"A\"\nreps = 20\nrep_turnover_annual = 0.3\nto_competitor = 0.8\n"
         "[[firms]]\nname = \"B\"\nreps = 20\nrep_turnover_annual = 0.3\n"
         "[[segments]]\nname = \"s\"\nrep_weight = 2.0\n";
}

std::string calibration_text(int budget) {
  return "scenario = \"scenario.toml\"\n"
         "[[parameters]]\npath = \"segments.s.rep_weight\"\nlower = 0.5\nupper = 5.0\nstart = 1.0\n"
         "[[targets]]\nmetric = \"follow_rate\"\nvalue = 0.2\nse = 0.01\n"
         "[calibration]\nreplicates = 2\nbudget = " +
         std::to_string(budget) + "\n";
}

TEST(CalibrateCli, WritesTheTraceAndAFittedScenarioThatRuns) {
  const fs::path dir = scratch("outputs");
  write(dir / "scenario.toml", scenario_text(800));
  write(dir / "fit.toml", calibration_text(12));
  const auto done = cli_test::loyalsim("calibrate " + cli_test::quoted((dir / "fit.toml").string()) + " -o " +
                                       cli_test::quoted((dir / "fit.h5").string()) + " --quiet");
  ASSERT_EQ(done.status, 0) << done.output;
  EXPECT_TRUE(contains(done.output, "follow_rate[*, *]")) << done.output;
  EXPECT_TRUE(contains(done.output, "segments.s.rep_weight")) << done.output;

  const h5::File file = h5::File::open(dir / "fit.h5", h5::File::Access::read_only);
  EXPECT_EQ(file.read_string_attribute("status"), "complete");
  const auto objective = file.open_dataset("evaluations/objective");
  // The search's evaluations and the two of the finite difference.
  EXPECT_GE(objective.dims().front(), 3u);
  EXPECT_EQ(objective.read_string_attribute("units"), "1");
  EXPECT_FALSE(std::isnan(file.open_dataset("fit/standard_error").read<double>().front()));

  // The fitted scenario is a scenario `run` reads.
  const auto run = cli_test::loyalsim("run " + cli_test::quoted((dir / "fit.fitted.toml").string()) + " -o " +
                                      cli_test::quoted((dir / "run.h5").string()) + " --quiet");
  EXPECT_EQ(run.status, 0) << run.output;
  fs::remove_all(dir);
}

TEST(CalibrateCli, TheFitDoesNotDependOnTheThreadCount) {
  const fs::path dir = scratch("threads");
  write(dir / "scenario.toml", scenario_text(800));
  write(dir / "fit.toml", calibration_text(12));
  for (const std::string threads : {"1", "2"}) {
    // Built by appending: GCC 12 warns falsely (-Wrestrict) on "t" + string.
    std::string name = "t";
    name += threads;
    name += ".h5";
    const auto done = cli_test::loyalsim("calibrate " + cli_test::quoted((dir / "fit.toml").string()) + " -o " +
                                         cli_test::quoted((dir / name).string()) + " -q --threads " + threads);
    ASSERT_EQ(done.status, 0) << done.output;
  }
  // The fitted scenario holds the fitted values (and their standard errors) in full precision.
  EXPECT_EQ(cli_test::read_text(dir / "t1.fitted.toml"), cli_test::read_text(dir / "t2.fitted.toml"));
  fs::remove_all(dir);
}

TEST(CalibrateCli, TheWorkedExampleIsAValidCalibration) {
  const fs::path dir = scratch("example");
  const auto plan = cli_test::loyalsim("calibrate " +
                                       cli_test::quoted(std::string(LOYALSIM_SCENARIOS) + "/calibration/example.toml") +
                                       " --dry-run -o " + cli_test::quoted((dir / "example.h5").string()));
  EXPECT_EQ(plan.status, 0) << plan.output;
  EXPECT_TRUE(contains(plan.output, "follow_rate_when_possible[Incumbent, relationship]")) << plan.output;
  EXPECT_FALSE(fs::exists(dir / "example.h5"));
  fs::remove_all(dir);
}

TEST(CalibrateCli, InterruptKeepsTheTraceAndPrintsTheBestPoint) {
  const fs::path dir = scratch("interrupt");
  write(dir / "scenario.toml", scenario_text(20000));
  write(dir / "fit.toml", calibration_text(100000));
  cli_test::Child child({"calibrate", (dir / "fit.toml").string(), "-o", (dir / "fit.h5").string()}, dir / "log");
  ASSERT_TRUE(child.started());
  // The first evaluation is logged on a line of its own: then the search is under way.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!contains(child.output(), "evaluation 1: objective") && !child.ended() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_FALSE(child.ended()) << child.output();
  child.signal(SIGINT);
  ASSERT_TRUE(child.wait());
  const std::string output = child.output();
  EXPECT_TRUE(WIFEXITED(child.raw()) && WEXITSTATUS(child.raw()) == 1) << output;
  EXPECT_TRUE(contains(output, "interrupted after")) << output;
  EXPECT_TRUE(contains(output, "best objective")) << output;
  EXPECT_TRUE(contains(output, "segments.s.rep_weight")) << output;

  const h5::File file = h5::File::open(dir / "fit.h5", h5::File::Access::read_only);
  EXPECT_EQ(file.read_string_attribute("status"), "interrupted");
  EXPECT_GE(file.open_dataset("evaluations/objective").dims().front(), 1u);
  EXPECT_TRUE(contains(cli_test::read_text(dir / "fit.fitted.toml"), "INTERRUPTED"));
  // No lock or partial file is left behind.
  EXPECT_FALSE(fs::exists(dir / "fit.h5.lock"));
  EXPECT_FALSE(fs::exists(dir / "fit.h5.partial"));
  fs::remove_all(dir);
}

}  // namespace
