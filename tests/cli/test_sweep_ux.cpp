// Sweeps that are easy to work with (issue 11, item 3), through the loyalsim
// executable: tied parameters (firms.*.NAME), re-running one run of a sweep
// alone (--only-run), the per-point table, `info`, `export` and `params
// NAME`. HDF5 contents are checked by tests/cli/sweep_ux_check.py (h5py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "calibrate/calibration_file.hpp"
#include "cli_process.hpp"
#include "core/metrics.hpp"
#include "io/scenario_file.hpp"
#include "io/sweep_table.hpp"

namespace {

namespace fs = std::filesystem;
using namespace cli_test;

const std::string sweep_data = std::string(LOYALSIM_TEST_DATA) + "/sweeps";
const std::string tied_sweep = sweep_data + "/tied.toml";

// tests/cli/sweep_ux_check.py COMMAND ARGS...
Outcome ux_check(const std::vector<std::string>& args) {
  std::string line = LOYALSIM_PYTHON;
  line += ' ';
  line += quoted(std::string(LOYALSIM_TEST_DATA) + "/../cli/sweep_ux_check.py");
  for (const auto& arg : args) {
    line += ' ';
    line += quoted(arg);
  }
  return shell(line);
}

class SweepUx : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("loyalsim_sweep_ux_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return path(name);
  }
  // The tied sweep's text with its [sweep] table replaced.
  std::string tied_with(const std::string& name, const std::string& sweep) const {
    std::string text = read_text(tied_sweep);
    text = text.substr(0, text.find("[sweep]"));
    return write(name, text + sweep);
  }

  fs::path dir_;
};

// ------------------------------------------------------------ tied parameters

TEST_F(SweepUx, TiedParameterIsOneColumnAndEqualsListingEveryFirm) {
  const std::string tied = path("tied.h5");
  const Outcome run = cli_test::loyalsim("run " + tied_sweep + " -q --threads 2 -o " + tied);
  ASSERT_EQ(run.status, 0) << run.output;
  const Outcome column = ux_check({"column", tied, "firms.*.non_solicit"});
  EXPECT_EQ(column.status, 0) << column.output;
  EXPECT_EQ(column.output, "0.0\n0.0\n0.0\n0.0\n1.0\n1.0\n1.0\n1.0\n");

  // The same points written out firm by firm (a list design of the grid's
  // 4 points) give the same runs: same seeds, same values in every firm.
  const std::string listed = tied_with("listed.toml",
                                       "[sweep]\ndesign = \"list\"\nreplicates = 2\n\n[sweep.parameters]\n"
                                       "\"firms.Alpha.non_solicit\" = [0.0, 0.0, 1.0, 1.0]\n"
                                       "\"firms.Beta.non_solicit\" = [0.0, 0.0, 1.0, 1.0]\n"
                                       "\"segments.complex.rep_weight\" = [0.5, 2.0, 0.5, 2.0]\n"
                                       "\"segments.simple.rep_weight\" = [0.5, 2.0, 0.5, 2.0]\n");
  const Outcome list_run = cli_test::loyalsim("run " + listed + " -q --threads 1 -o " + path("listed.h5"));
  ASSERT_EQ(list_run.status, 0) << list_run.output;
  const Outcome same = ux_check({"same-runs-data", tied, path("listed.h5")});
  EXPECT_EQ(same.status, 0) << same.output;
}

TEST_F(SweepUx, TiedParameterRefusalsAreTheSameForDryRunAndRun) {
  struct Case {
    std::string sweep, expected;
  };
  const std::vector<Case> cases{
      {"\"firms.*.non_solicitt\" = [0.0, 1.0]\n", "did you mean 'firms.*.non_solicit'"},
      {"\"segments.*.share\" = [0.5, 1.0]\n", "segment shares cannot be swept"},
      {"\"market.*.customers\" = [100, 200]\n", "unknown parameter path"},
      {"\"firms.*.reps\" = [1, 2]\n\"firms.Beta.reps\" = [3, 4]\n", "also sets"},
      {"\"firms.*.vacancy_months\" = [0.5, 1]\n", "whole number"},
  };
  for (const Case& c : cases) {
    const std::string scenario = tied_with("bad.toml", "[sweep]\ndesign = \"grid\"\n\n[sweep.parameters]\n" + c.sweep);
    for (const std::string mode : {" --dry-run", ""}) {
      const Outcome o = cli_test::loyalsim("run " + scenario + " -q -o " + path("out.h5") + mode);
      EXPECT_EQ(o.status, 2) << c.sweep << mode << o.output;
      EXPECT_TRUE(contains(o.output, c.expected)) << c.sweep << mode << o.output;
      EXPECT_TRUE(contains(o.output, "bad.toml:")) << o.output;  // file:line:key
      EXPECT_FALSE(fs::exists(path("out.h5")));
    }
  }
  // --set a value the tied sweep varies.
  const Outcome o = cli_test::loyalsim("run " + tied_sweep + " -q --dry-run --set firms.Alpha.non_solicit=0.5");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "the [sweep] table varies firms.*.non_solicit")) << o.output;
}

TEST_F(SweepUx, SetWithATiedPathSetsEveryFirm) {
  const std::string single = tied_with("single.toml", "");
  ASSERT_EQ(cli_test::loyalsim("run " + single + " -q -o " + path("tied.h5") + " --set firms.*.non_solicit=1").status,
            0);
  ASSERT_EQ(cli_test::loyalsim("run " + single + " -q -o " + path("each.h5") +
                               " --set firms.Alpha.non_solicit=1 --set firms.Beta.non_solicit=1")
                .status,
            0);
  const Outcome same = ux_check({"same-run-data", path("tied.h5"), "0", path("each.h5"), "0"});
  EXPECT_EQ(same.status, 0) << same.output;
}

// ------------------------------------------------------------ --only-run

TEST_F(SweepUx, OnlyRunReproducesRunKOfTheSweepExactly) {
  for (const std::string& scenario : {tied_sweep, sweep_data + "/lhs.toml"}) {
    const std::string full = path("full.h5");
    fs::remove(full);
    ASSERT_EQ(cli_test::loyalsim("run " + scenario + " -q --threads 2 -o " + full).status, 0);
    for (const int run : {0, 5, 7}) {
      const std::string k = std::to_string(run);
      // The default output names the run; --events to look inside it.
      const Outcome o = shell("cd " + quoted(dir_.string()) + " && " + LOYALSIM_EXE + " run " + scenario +
                              " -q --events --only-run " + k);
      ASSERT_EQ(o.status, 0) << o.output;
      const std::string alone = path("results/" + fs::path(scenario).stem().string() + ".run" + k + ".h5");
      ASSERT_TRUE(fs::exists(alone)) << o.output;
      const Outcome same = ux_check({"same-run", full, k, alone, "0"});
      EXPECT_EQ(same.status, 0) << scenario << " run " << run << ": " << same.output;
    }
    fs::remove_all(path("results"));
  }
}

TEST_F(SweepUx, OnlyRunRefusesARunTheSweepDoesNotHave) {
  for (const std::string k : {"8", "-1", "x", "1.0", ""}) {
    const Outcome o = cli_test::loyalsim("run " + tied_sweep + " -q --only-run '" + k + "' -o " + path("out.h5"));
    EXPECT_EQ(o.status, 2) << k << ": " << o.output;
    EXPECT_TRUE(contains(o.output, "--only-run")) << o.output;
    EXPECT_TRUE(contains(o.output, "numbered 0..7")) << o.output;
    EXPECT_FALSE(fs::exists(path("out.h5")));
  }
  const Outcome dry = cli_test::loyalsim("run " + tied_sweep + " --dry-run --only-run 3 -o " + path("out.h5"));
  EXPECT_EQ(dry.status, 0) << dry.output;
  EXPECT_TRUE(contains(dry.output, "only run 3 of 8 (point 1, replicate 1")) << dry.output;
  EXPECT_TRUE(contains(dry.output, "= 1 run")) << dry.output;
}

// ------------------------------------------------------------ the table after a sweep

TEST_F(SweepUx, TableAfterASweepIsPerDesignPoint) {
  const Outcome o = cli_test::loyalsim("run " + tied_sweep + " --threads 2 -o " + path("out.h5"));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_FALSE(contains(o.output, "pooled over all runs")) << o.output;
  EXPECT_TRUE(contains(o.output, "by design point (the 2 replicates of each point pooled)")) << o.output;
  EXPECT_TRUE(contains(o.output, "point 2 of 4: firms.*.non_solicit = 1, segments.*.rep_weight = 0.5\n")) << o.output;
  // Non-solicit everywhere: nobody can follow at points 2 and 3.
  const std::string point2 = o.output.substr(o.output.find("point 2 of 4"));
  EXPECT_TRUE(contains(point2.substr(0, point2.find("point 3 of 4")), "Alpha  complex")) << o.output;
  EXPECT_FALSE(contains(o.output, "more design point")) << o.output;
  EXPECT_FALSE(contains(o.output, "by varied parameter")) << o.output;  // every point is shown
}

TEST_F(SweepUx, TableAfterALargeSweepShowsItsFirstPointsAndSaysHowManyAreLeftOut) {
  const std::string scenario = tied_with("many.toml",
                                         "[sweep]\ndesign = \"sobol\"\nsamples = 30\n\n[sweep.parameters]\n"
                                         "\"firms.*.non_solicit\" = [0.0, 1.0]\n\"market.customers\" = [20, 40]\n");
  const Outcome o = cli_test::loyalsim("run " + scenario + " -q --threads 2 -o " + path("out.h5"));
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "point 7 of 30:")) << o.output;
  EXPECT_FALSE(contains(o.output, "point 8 of 30:")) << o.output;
  EXPECT_TRUE(contains(o.output, "... 22 more design points not shown")) << o.output;
  EXPECT_TRUE(contains(o.output, "loyalsim export " + path("out.h5") + " --csv DIR")) << o.output;
  // Every run, by each varied parameter: non_solicit bars following, so the
  // follow rate of its top fifth is below that of its bottom fifth.
  EXPECT_TRUE(contains(o.output, "by varied parameter (every finished run")) << o.output;
  EXPECT_TRUE(contains(o.output, "  market.customers, by fifths of [20, 40]\n      follow ")) << o.output;
  const std::size_t tied = o.output.find("  firms.*.non_solicit, by fifths of [0, 1]\n      follow ");
  ASSERT_NE(tied, std::string::npos) << o.output;
  std::istringstream follow(o.output.substr(tied + o.output.substr(tied).find("follow") + 6));
  std::vector<double> rates(5);
  for (double& rate : rates) follow >> rate;
  EXPECT_LT(rates[4], rates[0]) << o.output;
  std::size_t lines = 0;
  for (const char c : o.output) lines += c == '\n';
  EXPECT_LT(lines, 80u) << o.output;
}

// ------------------------------------------------------------ info and export

TEST_F(SweepUx, InfoSaysWhatAResultsFileHoldsAndChangesNothing) {
  const std::string out = path("tied.h5");
  ASSERT_EQ(cli_test::loyalsim("run " + tied_sweep + " -q -o " + out).status, 0);
  const std::string before = read_text(out);
  const Outcome o = cli_test::loyalsim("info " + out);
  ASSERT_EQ(o.status, 0) << o.output;
  for (const std::string& line :
       std::vector<std::string>{"(complete)", "scenario:    tied (", "seed 5", "created:     20",
                                "command:     ", "run " + tied_sweep, "design:      grid, 4 points x 2 replicates",
                                "varied:      firms.*.non_solicit, segments.*.rep_weight", "runs:        8 of 8 done",
                                "dimensions:  run 8, month 12, firm 2 (Alpha, Beta), segment 2 (complex, simple)",
                                "summary/:    ", "follow_rate_when_possible", "timeseries/: ", "events/:     none"})
    EXPECT_TRUE(contains(o.output, line)) << line << "\n" << o.output;
  EXPECT_EQ(read_text(out), before);  // byte for byte

  ASSERT_EQ(cli_test::loyalsim("run " + tied_sweep + " -q --only-run 6 --events -o " + path("six.h5")).status, 0);
  const Outcome six = cli_test::loyalsim("info " + path("six.h5"));
  EXPECT_TRUE(contains(six.output, "only run:    run 6 of the sweep's 8")) << six.output;
  EXPECT_TRUE(contains(six.output, "runs:        1 of 1 done")) << six.output;
  EXPECT_TRUE(contains(six.output, " decisions")) << six.output;

  const std::string not_results = write("notes.h5", "not HDF5");
  const Outcome refused = cli_test::loyalsim("info " + not_results);
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "notes.h5: is not an HDF5 file")) << refused.output;
}

TEST_F(SweepUx, ExportWritesTidyCsvEqualToTheFileAndChangesNothingElse) {
  const std::string out = path("tied.h5");
  ASSERT_EQ(cli_test::loyalsim("run " + tied_sweep + " -q -o " + out).status, 0);
  const std::string before = read_text(out);
  const std::string folder = path("csv");
  const Outcome o = cli_test::loyalsim("export " + out + " --csv " + folder + " --timeseries");
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_EQ(read_text(out), before);  // byte for byte
  const Outcome same = ux_check({"csv", out, folder});
  EXPECT_EQ(same.status, 0) << same.output;
  // The header: the keys, the varied parameters, then each summary metric of
  // its shape in registry order (summary.csv by firm x segment,
  // firm_summary.csv by firm).
  for (const auto& [file, shape, cell] :
       {std::tuple{"summary.csv", loyalsim::MetricShape::firm_segment, ",firm,segment"},
        std::tuple{"firm_summary.csv", loyalsim::MetricShape::firm, ",firm"}}) {
    std::string header = std::string("run,point,replicate,seed,firms.*.non_solicit,segments.*.rep_weight") + cell;
    for (const loyalsim::MetricInfo& m : loyalsim::summary_metrics)
      if (m.shape == shape) {
        header += ',';
        header += m.name;
      }
    const std::string table = read_text(folder + "/" + file);
    EXPECT_EQ(table.substr(0, table.find('\n')), header) << file;
  }
  std::size_t hidden = 0;
  for (const auto& entry : fs::directory_iterator(folder)) hidden += entry.path().filename().string()[0] == '.';
  EXPECT_EQ(hidden, 0u);  // no temporary file left

  // Existing tables: refused without --force, every byte kept; replaced with it.
  const std::string runs_before = read_text(folder + "/runs.csv");
  std::ofstream(folder + "/summary.csv") << "mine";
  const Outcome refused = cli_test::loyalsim("export " + out + " --csv " + folder);
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "runs.csv: exists; use --force")) << refused.output;
  EXPECT_EQ(read_text(folder + "/summary.csv"), "mine");
  EXPECT_EQ(read_text(folder + "/runs.csv"), runs_before);
  ASSERT_EQ(cli_test::loyalsim("export " + out + " --csv " + folder + " --force").status, 0);
  EXPECT_EQ(ux_check({"csv", out, folder}).status, 0);

  // Only regular files are written: a link in the way is refused, whatever --force.
  const std::string linked = path("linked");
  fs::create_directories(linked);
  fs::create_symlink(path("elsewhere.csv"), linked + "/runs.csv");
  const Outcome link = cli_test::loyalsim("export " + out + " --csv " + linked + " --force");
  EXPECT_EQ(link.status, 2) << link.output;
  EXPECT_TRUE(contains(link.output, "is a symbolic link")) << link.output;
  EXPECT_FALSE(fs::exists(path("elsewhere.csv")));
  const Outcome file_as_folder = cli_test::loyalsim("export " + out + " --csv " + out);
  EXPECT_EQ(file_as_folder.status, 2) << file_as_folder.output;
  EXPECT_TRUE(contains(file_as_folder.output, "exists and is not a folder")) << file_as_folder.output;
  EXPECT_EQ(read_text(out), before);
}

TEST_F(SweepUx, ExportOfASingleRunHasNoParameterColumns) {
  ASSERT_EQ(cli_test::loyalsim("run " + std::string(LOYALSIM_TEST_DATA) + "/tiny.toml -q -o " + path("t.h5")).status,
            0);
  ASSERT_EQ(cli_test::loyalsim("export " + path("t.h5") + " --csv " + path("csv")).status, 0);
  const std::string runs = read_text(path("csv/runs.csv"));
  EXPECT_EQ(runs.substr(0, runs.find('\n')), "run,point,replicate,seed,status,wall_seconds,scripted_shortfall");
  EXPECT_EQ(ux_check({"csv", path("t.h5"), path("csv")}).status, 0);
}

// ------------------------------------------------------------ params NAME

TEST_F(SweepUx, ParamsNameFiltersAndUnknownNamesGetTheNearest) {
  for (const std::string name : {"non_solicit", "firms.*.non_solicit", "firms.Incumbent.non_solicit"}) {
    const Outcome o = cli_test::loyalsim("params '" + name + "'");
    EXPECT_EQ(o.status, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "firms.FIRM.non_solicit")) << name << o.output;
    EXPECT_FALSE(contains(o.output, "firms.FIRM.reps")) << name << o.output;
    EXPECT_FALSE(contains(o.output, "market.")) << name << o.output;
  }
  const Outcome market = cli_test::loyalsim("params market");
  EXPECT_TRUE(contains(market.output, "market.customers")) << market.output;
  EXPECT_FALSE(contains(market.output, "firms.FIRM.")) << market.output;
  const Outcome weights = cli_test::loyalsim("params weight");
  EXPECT_TRUE(contains(weights.output, "segments.SEGMENT.rep_weight")) << weights.output;
  EXPECT_TRUE(contains(weights.output, "segments.SEGMENT.brand_weight")) << weights.output;
  EXPECT_FALSE(contains(weights.output, "switching_cost")) << weights.output;

  const Outcome typo = cli_test::loyalsim("params non_solicitt");
  EXPECT_EQ(typo.status, 2) << typo.output;
  EXPECT_TRUE(contains(typo.output, "loyalsim: error: params non_solicitt:")) << typo.output;
  EXPECT_TRUE(contains(typo.output, "did you mean 'non_solicit'")) << typo.output;
  EXPECT_EQ(cli_test::loyalsim("params xyzzyq").status, 2);
}

TEST_F(SweepUx, ParamsDocumentsEveryKeyTheSweepAndDepartureReadersAccept) {
  const Outcome all = cli_test::loyalsim("params");
  ASSERT_EQ(all.status, 0) << all.output;
  const Outcome sweep = cli_test::loyalsim("params sweep");
  for (const std::string& key : loyalsim::io::sweep_table_keys()) {
    EXPECT_TRUE(contains(all.output, "sweep." + key + " ")) << key;
    EXPECT_TRUE(contains(sweep.output, "sweep." + key + " ")) << key << sweep.output;
  }
  for (const std::string& name : loyalsim::io::sweep_design_names()) EXPECT_TRUE(contains(sweep.output, name)) << name;
  EXPECT_FALSE(contains(sweep.output, "market.customers")) << sweep.output;
  const Outcome departures = cli_test::loyalsim("params departures");
  for (const std::string& key : loyalsim::io::departure_table_keys())
    EXPECT_TRUE(contains(departures.output, "departures." + key + " ")) << key << departures.output;
  // Every key the calibration reader accepts, except the top level's
  // table names, is documented by `params calibration`.
  const Outcome calibration = cli_test::loyalsim("params calibration");
  for (const auto& [table, keys] : loyalsim::calibrate::calibration_file_keys())
    for (const std::string& key : keys) {
      if (table.empty() && key != "scenario") continue;  // [[parameters]], [[targets]], [calibration]
      const std::string path = table.empty() ? key : table + "." + key;
      EXPECT_TRUE(contains(calibration.output, path + " ")) << path << calibration.output;
    }
  const Outcome one = cli_test::loyalsim("params sweep.replicates");
  EXPECT_TRUE(contains(one.output, "sweep.replicates")) << one.output;
  EXPECT_FALSE(contains(one.output, "sweep.design")) << one.output;
}

}  // namespace
