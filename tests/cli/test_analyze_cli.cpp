// `loyalsim analyze` end to end on a small saltelli sweep through the
// engine (tests/data/sweeps/saltelli.toml): a parameter that cannot move a
// rate gets a total index of ~0 within its interval, the dominant one the
// largest; the results file is never modified; the output follows run's
// rules (no overwrite without --force, never the results file itself); and
// scripts/plot_sensitivity.py draws the output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli_process.hpp"
#include "io/hdf5.hpp"

namespace {

namespace fs = std::filesystem;
namespace h5 = loyalsim::io::hdf5;
using namespace cli_test;

const std::string saltelli_sweep = std::string(LOYALSIM_TEST_DATA) + "/sweeps/saltelli.toml";

std::string bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Index {
  double estimate, low, high;
};

// indices/ rows of one metric and cell: parameter -> index name -> estimate.
std::map<std::string, std::map<std::string, Index>> read_indices(const fs::path& file, const std::string& metric,
                                                                 const std::string& firm, const std::string& segment) {
  const h5::File f = h5::File::open(file, h5::File::Access::read_only);
  const h5::Group g = f.open_group("indices");
  const auto metrics = g.open_dataset("metric").read_strings();
  const auto firms = g.open_dataset("firm").read_strings();
  const auto segments = g.open_dataset("segment").read_strings();
  const auto parameters = g.open_dataset("parameter").read_strings();
  const auto names = g.open_dataset("index").read_strings();
  const auto estimate = g.open_dataset("estimate").read<double>();
  const auto low = g.open_dataset("low").read<double>();
  const auto high = g.open_dataset("high").read<double>();
  std::map<std::string, std::map<std::string, Index>> out;
  for (std::size_t r = 0; r < metrics.size(); ++r)
    if (metrics[r] == metric && firms[r] == firm && segments[r] == segment)
      out[parameters[r]][names[r]] = Index{estimate[r], low[r], high[r]};
  return out;
}

class AnalyzeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = fs::temp_directory_path() / ("loyalsim_analyze_cli_" + std::to_string(getpid()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    const Outcome o = cli_test::loyalsim("run " + saltelli_sweep + " -q -o " + results().string());
    ASSERT_EQ(o.status, 0) << o.output;
  }
  static void TearDownTestSuite() { fs::remove_all(folder_); }
  static fs::path results() { return folder_ / "saltelli.h5"; }
  static fs::path path(const std::string& name) { return folder_ / name; }
  static inline fs::path folder_;
};

TEST_F(AnalyzeCli, NullParameterHasTotalIndexZeroAndTheDominantOneTheLargest) {
  const std::string before = bytes(results());
  const fs::path out = path("e2e.sensitivity.h5");
  const Outcome o =
      cli_test::loyalsim("analyze " + results().string() + " -o " + out.string() + " --metric follow_rate");
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_EQ(bytes(results()), before) << "analyze must never modify the results file";
  EXPECT_TRUE(contains(o.output, "firms.Alpha.non_solicit")) << o.output;

  const auto cell = read_indices(out, "follow_rate", "Alpha", "complex");
  ASSERT_EQ(cell.size(), 3u);
  const Index null = cell.at("segments.complex.monthly_value").at("ST");
  const Index dominant = cell.at("firms.Alpha.non_solicit").at("ST");
  const Index other = cell.at("market.substitutability").at("ST");
  EXPECT_LE(null.low, 0.0);  // monthly_value cannot move a rate: 0 lies in its interval
  EXPECT_GE(null.high, 0.0);
  EXPECT_GT(dominant.low, 0.0);
  EXPECT_GT(dominant.estimate, null.estimate);
  EXPECT_GT(dominant.estimate, other.estimate);
  EXPECT_GT(dominant.low, null.estimate);
  // The pooled cell exists, and every rate has its S1 and ST.
  EXPECT_EQ(read_indices(out, "follow_rate", "all", "all").size(), 3u);
}

TEST_F(AnalyzeCli, DefaultAnalysesEveryRateOfEveryCellAndRefusesToOverwrite) {
  const fs::path out = path("default.sensitivity.h5");
  const Outcome first = cli_test::loyalsim("analyze " + results().string() + " -o " + out.string() + " --bootstrap 50");
  ASSERT_EQ(first.status, 0) << first.output;
  for (const char* rate : {"firm_retention_rate", "follow_rate", "follow_rate_when_possible",
                           "retention_when_contested", "rep_ownership_share", "retained_12m_after_stay"})
    for (const auto& [firm, segment] : std::array<std::pair<const char*, const char*>, 5>{
             {{"Alpha", "complex"}, {"Alpha", "simple"}, {"Beta", "complex"}, {"Beta", "simple"}, {"all", "all"}}})
      EXPECT_EQ(read_indices(out, rate, firm, segment).size(), 3u) << rate << " " << firm << " " << segment;

  const std::string kept = bytes(out);
  const Outcome again = cli_test::loyalsim("analyze " + results().string() + " -o " + out.string());
  EXPECT_EQ(again.status, 2) << again.output;
  EXPECT_TRUE(contains(again.output, "--force")) << again.output;
  EXPECT_EQ(bytes(out), kept);
  EXPECT_FALSE(fs::exists(path("default.sensitivity.h5.lock")));

  const std::string before = bytes(results());
  const Outcome into = cli_test::loyalsim("analyze " + results().string() + " -o " + results().string() + " --force");
  EXPECT_EQ(into.status, 2) << into.output;
  EXPECT_EQ(bytes(results()), before);

  const Outcome forced = cli_test::loyalsim("analyze " + results().string() + " -o " + out.string() +
                                            " --force --metric follow_rate --bootstrap 0");
  EXPECT_EQ(forced.status, 0) << forced.output;
  EXPECT_EQ(read_indices(out, "firm_retention_rate", "Alpha", "complex").size(), 0u);
}

TEST_F(AnalyzeCli, PlotSensitivityDrawsThePanelsAndRejectsBadArguments) {
  const fs::path out = path("plot.sensitivity.h5");
  ASSERT_EQ(cli_test::loyalsim("analyze " + results().string() + " -o " + out.string() + " --bootstrap 100").status, 0);
  const std::string script = std::string(LOYALSIM_PYTHON) + " " + LOYALSIM_SCRIPTS + "/plot_sensitivity.py ";
  const fs::path png = path("sensitivity.png");
  const Outcome drawn = shell(script + out.string() + " --firm Alpha --segment complex --metric follow_rate " +
                              "--metric firm_retention_rate -o " + png.string() + " --dpi 40");
  ASSERT_EQ(drawn.status, 0) << drawn.output;
  std::ifstream in(png, std::ios::binary);
  std::array<char, 8> magic{};
  in.read(magic.data(), magic.size());
  EXPECT_EQ(std::string(magic.data() + 1, 3), "PNG");

  EXPECT_EQ(shell(script + out.string() + " --metric follow_rte -o " + png.string()).status, 2);
  EXPECT_EQ(shell(script + results().string() + " -o " + png.string()).status, 2);  // not an analyze output
}

// Raising samples (saltelli) or trajectories (morris) adds runs after the
// existing ones: every run of the smaller sweep is in the larger one, with
// the same seed and the same data.
TEST_F(AnalyzeCli, MoreSamplesOrTrajectoriesKeepEveryExistingRun) {
  const std::string base =
      "seed = 3\n[market]\ncustomers = 200\nmonths = 6\n[[firms]]\nname = \"A\"\nreps = 4\n"
      "[[firms]]\nname = \"B\"\nreps = 3\n[[segments]]\nname = \"s\"\nshare = 1.0\n[sweep]\nreplicates = 2\n";
  const std::string parameters =
      "[sweep.parameters]\n\"market.substitutability\" = [0.1, 0.9]\n\"firms.A.non_solicit\" = [0.0, 1.0]\n";
  for (const auto& [design, small, large] : std::array<std::array<std::string, 3>, 2>{
           {{"saltelli", "samples = 3", "samples = 7"}, {"morris", "trajectories = 2", "trajectories = 5"}}}) {
    std::vector<std::vector<std::int64_t>> followed;
    std::vector<std::vector<std::uint64_t>> seeds;
    for (const std::string& size : {small, large}) {
      const fs::path toml = path(design + ".toml"), out = path(design + "_" + size.substr(size.size() - 1) + ".h5");
      std::ofstream(toml) << base << "design = \"" << design << "\"\n" << size << "\n" << parameters;
      const Outcome o = cli_test::loyalsim("run " + toml.string() + " -q -o " + out.string());
      ASSERT_EQ(o.status, 0) << o.output;
      const h5::File f = h5::File::open(out, h5::File::Access::read_only);
      followed.push_back(f.open_group("summary").open_dataset("followed").read<std::int64_t>());
      seeds.push_back(f.open_group("runs").open_dataset("seed").read<std::uint64_t>());
    }
    ASSERT_LT(seeds[0].size(), seeds[1].size()) << design;
    EXPECT_TRUE(std::equal(seeds[0].begin(), seeds[0].end(), seeds[1].begin())) << design;
    EXPECT_TRUE(std::equal(followed[0].begin(), followed[0].end(), followed[1].begin())) << design;
  }
}

}  // namespace
