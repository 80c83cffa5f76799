// Sweeps through the loyalsim executable: interrupting and resuming (SIGINT
// and SIGKILL, as a user or a cluster scheduler would), reading a file mid-way,
// refusing what must be refused, every bad [sweep] spec, --dry-run, the runs/
// and design/ tables, and determinism across thread counts and replicate
// counts. The HDF5 contents are checked by tests/cli/compare_results.py
// (h5py), run with LOYALSIM_PYTHON.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace cli_test;

const std::string sweep_data = std::string(LOYALSIM_TEST_DATA) + "/sweeps";
// 6 grid points x 24 replicates of small runs: a few seconds, time to interrupt.
const std::string long_sweep = sweep_data + "/interrupt.toml";
const std::string lhs_sweep = sweep_data + "/lhs.toml";

// ------------------------------------------------------------ child processes

// ------------------------------------------------------------ fixture

class SweepCli : public ::testing::Test {
 protected:
  // One uninterrupted run of the long sweep, shared by the tests that compare with it.
  static void SetUpTestSuite() {
    shared_ = fs::temp_directory_path() / ("loyalsim_sweep_cli_" + std::to_string(getpid()));
    fs::remove_all(shared_);
    fs::create_directories(shared_);
  }
  static void TearDownTestSuite() { fs::remove_all(shared_); }

  static fs::path reference() {
    const fs::path out = shared_ / "reference.h5";
    if (!fs::exists(out)) {  // made once per suite run (the suite's folder goes at its end)
      const Outcome o = loyalsim("run " + long_sweep + " -q --threads 2 -o " + out.string());
      EXPECT_EQ(o.status, 0) << o.output;
    }
    return out;
  }

  void SetUp() override {
    dir_ = shared_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return path(name);
  }

  // Starts `loyalsim run SCENARIO -o OUT -q`, waits until one run is in the
  // journal, sends `number` and waits for the child to end.
  void interrupt(const std::string& scenario, const std::string& out, int number, int& raw, std::string& log) {
    Child child({"run", scenario, "-o", out, "-q", "--threads", "2"}, path("child.log"));
    ASSERT_TRUE(child.started());
    ASSERT_TRUE(wait_for_a_journal_record(child, out + ".journal"))
        << "the sweep ended before a run reached the journal, or none did in 30 s:\n"
        << child.output();
    child.signal(number);
    ASSERT_TRUE(child.wait()) << "the sweep did not stop after signal " << number;
    raw = child.raw();
    log = child.output();
  }

  static inline fs::path shared_;
  fs::path dir_;
};

// ------------------------------------------------------------ interrupt and resume

TEST_F(SweepCli, ResumeAfterSigintGivesTheSameDataAsAnUninterruptedSweep) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(long_sweep, out, SIGINT, raw, log));
  ASSERT_TRUE(WIFEXITED(raw)) << "killed by signal " << WTERMSIG(raw) << "\n" << log;
  EXPECT_EQ(WEXITSTATUS(raw), 1) << log;
  EXPECT_TRUE(contains(log, "--resume")) << log;
  EXPECT_FALSE(fs::exists(out)) << "an interrupted sweep must not leave the final file";
  EXPECT_TRUE(fs::exists(out + ".partial"));
  EXPECT_TRUE(fs::exists(out + ".journal"));

  const Outcome resumed = loyalsim("run " + long_sweep + " -q --resume -o " + out);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".partial"));
  EXPECT_FALSE(fs::exists(out + ".journal"));

  const Outcome same = check("same", {reference(), out});
  EXPECT_EQ(same.status, 0) << same.output;
}

TEST_F(SweepCli, ResumeAfterSigkillGivesTheSameDataAsAnUninterruptedSweep) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(long_sweep, out, SIGKILL, raw, log));
  ASSERT_TRUE(WIFSIGNALED(raw)) << log;
  EXPECT_EQ(WTERMSIG(raw), SIGKILL);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(fs::exists(out + ".journal"));

  const Outcome resumed = loyalsim("run " + long_sweep + " -q --resume -o " + out);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_FALSE(fs::exists(out + ".partial"));
  EXPECT_FALSE(fs::exists(out + ".journal"));

  const Outcome same = check("same", {reference(), out});
  EXPECT_EQ(same.status, 0) << same.output;
}

// The partial file of an interrupted sweep opens (the writer disables HDF5
// file locking) and holds every finished run completely, and nothing of the
// others.
TEST_F(SweepCli, PartialFileOfAnInterruptedSweepHoldsItsDoneRunsComplete) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(long_sweep, out, SIGINT, raw, log));
  ASSERT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 1) << log;
  const Outcome partial = check("partial", {out + ".partial"});
  EXPECT_EQ(partial.status, 0) << partial.output;
}

TEST_F(SweepCli, ResumingWithAChangedScenarioIsRefusedAndLosesNothing) {
  std::string text = read_text(long_sweep);
  const std::string scenario = write("sweep.toml", text);
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(scenario, out, SIGINT, raw, log));
  ASSERT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 1) << log;
  const auto journal_size = fs::file_size(out + ".journal");

  const std::string original = "customers = 1500";
  ASSERT_NE(text.find(original), std::string::npos);
  std::string changed = text;
  changed.replace(changed.find(original), original.size(), "customers = 1501");
  write("sweep.toml", changed);
  const Outcome refused = loyalsim("run " + scenario + " -q --resume -o " + out);
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "different scenario")) << refused.output;
  EXPECT_TRUE(contains(refused.output, out + ".journal")) << refused.output;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(fs::file_size(out + ".journal"), journal_size) << "a refused resume must not touch the journal";

  // A change in --set is a change of scenario too.
  write("sweep.toml", text);
  const Outcome set = loyalsim("run " + scenario + " -q --resume --set firms.Beta.reps=6 -o " + out);
  EXPECT_EQ(set.status, 2) << set.output;

  // With the scenario as it was, the sweep finishes with the same data.
  const Outcome resumed = loyalsim("run " + scenario + " -q --resume -o " + out);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  const Outcome same = check("same", {reference(), out});
  EXPECT_EQ(same.status, 0) << same.output;
}

TEST_F(SweepCli, ResumeWithNothingToResumeIsRefused) {
  const std::string out = path("sweep.h5");
  const Outcome nothing = loyalsim("run " + lhs_sweep + " -q --resume -o " + out);
  EXPECT_EQ(nothing.status, 2) << nothing.output;
  EXPECT_TRUE(contains(nothing.output, "nothing to resume")) << nothing.output;
  EXPECT_FALSE(fs::exists(out));

  ASSERT_EQ(loyalsim("run " + lhs_sweep + " -q -o " + out).status, 0);
  const Outcome complete = loyalsim("run " + lhs_sweep + " -q --resume -o " + out);
  EXPECT_EQ(complete.status, 2) << complete.output;
  EXPECT_TRUE(contains(complete.output, "nothing to resume")) << complete.output;

  const Outcome both = loyalsim("run " + lhs_sweep + " -q --resume --force -o " + out);
  EXPECT_EQ(both.status, 2) << both.output;
}

TEST_F(SweepCli, StartingAgainBesideAnInterruptedSweepNeedsResumeOrForce) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(long_sweep, out, SIGINT, raw, log));
  ASSERT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 1) << log;
  const auto journal_size = fs::file_size(out + ".journal");

  const Outcome again = loyalsim("run " + long_sweep + " -q -o " + out);
  EXPECT_EQ(again.status, 2) << again.output;
  EXPECT_TRUE(contains(again.output, "--resume")) << again.output;
  EXPECT_TRUE(contains(again.output, "--force")) << again.output;
  EXPECT_EQ(fs::file_size(out + ".journal"), journal_size);
  EXPECT_TRUE(fs::exists(out + ".partial"));

  // --force starts over: a complete file, the interrupted run's files gone.
  const Outcome forced = loyalsim("run " + long_sweep + " -q --force -o " + out);
  EXPECT_EQ(forced.status, 0) << forced.output;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".journal"));
  EXPECT_FALSE(fs::exists(out + ".partial"));
}

// ------------------------------------------------------------ bad specs

// Each bad [sweep] table: exit 2, a message naming file:line and the key, and no file.
TEST_F(SweepCli, EveryBadSweepSpecGetsStatus2WithFileLineAndKey) {
  // 15 lines; the [sweep] table starts on line 16.
  const std::string base =
      "seed = 3\n[market]\ncustomers = 300\nmonths = 12\nburn_in_months = 0\n"
      "[[firms]]\nname = \"Alpha\"\n[[firms]]\nname = \"Beta\"\n"
      "[[segments]]\nname = \"complex\"\nshare = 0.5\n[[segments]]\nname = \"simple\"\nshare = 0.5\n";
  const std::string grid = "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n";  // parameters from line 19
  const struct {
    const char* name;
    std::string sweep;
    std::vector<std::string> expected;
  } cases[] = {
      {"unknown_path",
       grid + "\"market.substitutabilty\" = [0.1, 0.2]\n",
       {":19:", "market.substitutabilty", "did you mean 'market.substitutability'"}},
      {"unknown_firm", grid + "\"firms.Gamma.reps\" = [1, 2]\n", {":19:", "firms.Gamma.reps", "firms.Alpha.reps"}},
      {"out_of_range",
       grid + "\"market.substitutability\" = [0.5, 1.5]\n",
       {":19:", "market.substitutability", "1.5", "must be in [0, 1]"}},
      {"out_of_open_range",
       "[sweep]\ndesign = \"lhs\"\nsamples = 4\n[sweep.parameters]\n"
       "\"firms.Alpha.rep_turnover_annual\" = [0.5, 1.0]\n",
       {":20:", "firms.Alpha.rep_turnover_annual", "must be in [0, 1)"}},
      {"unknown_design",
       "[sweep]\ndesign = \"gird\"\n[sweep.parameters]\n\"market.substitutability\" = [0.5]\n",
       {":17:", "sweep.design", "gird", "did you mean \"grid\""}},
      {"lhs_without_samples",
       "[sweep]\ndesign = \"lhs\"\n[sweep.parameters]\n\"market.substitutability\" = [0, 1]\n",
       {":16:", "sweep.samples", "required"}},
      {"samples_with_grid",
       "[sweep]\ndesign = \"grid\"\nsamples = 10\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0.5, 1.0]\n",
       {":18:", "sweep.samples", "lhs and sobol"}},
      {"low_above_high",
       "[sweep]\ndesign = \"lhs\"\nsamples = 10\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0.8, 0.2]\n",
       {":20:", "market.substitutability", "low is above high"}},
      {"three_values_for_a_range",
       "[sweep]\ndesign = \"sobol\"\nsamples = 10\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0.1, 0.5, 0.9]\n",
       {":20:", "market.substitutability", "[low, high]", "3 values"}},
      {"list_of_unequal_lengths",
       "[sweep]\ndesign = \"list\"\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0.1, 0.5, 0.9]\n\"firms.Alpha.reps\" = [5, 10]\n",
       {":20:", "firms.Alpha.reps", "has 2", "has 3"}},
      {"zero_replicates",
       "[sweep]\ndesign = \"grid\"\nreplicates = 0\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0.1, 0.5]\n",
       {":18:", "sweep.replicates", "must be in [1, "}},
      {"unknown_sweep_key",
       "[sweep]\ndesign = \"grid\"\nreplicate = 3\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0.1, 0.5]\n",
       {":18:", "replicate", "[sweep]", "did you mean 'replicates'"}},
      {"segment_share",
       grid + "\"segments.complex.share\" = [0.1, 0.5]\n",
       {":19:", "segments.complex.share", "shares cannot be swept"}},
      {"seed", grid + "\"seed\" = [1, 2]\n", {":19:", "seed", "replicates"}},
      {"empty_parameters", grid, {":18:", "sweep.parameters", "no parameter"}},
      {"empty_value_list",
       grid + "\"market.substitutability\" = []\n",
       {":19:", "market.substitutability", "non-empty"}},
  };
  for (const auto& c : cases) {
    const std::string scenario = write(std::string(c.name) + ".toml", base + c.sweep);
    const Outcome o = loyalsim("run " + scenario + " -q -o " + path("out.h5"));
    EXPECT_EQ(o.status, 2) << c.name << ": " << o.output;
    EXPECT_TRUE(contains(o.output, scenario + ":")) << c.name << ": " << o.output;
    for (const auto& part : c.expected)
      EXPECT_TRUE(contains(o.output, part)) << c.name << ": " << part << "\n" << o.output;
    EXPECT_FALSE(fs::exists(path("out.h5"))) << c.name;
    EXPECT_FALSE(fs::exists(path("out.h5.partial"))) << c.name;
    EXPECT_FALSE(fs::exists(path("out.h5.journal"))) << c.name;
  }
}

// ------------------------------------------------------------ dry run and layout

TEST_F(SweepCli, DryRunPrintsPointsAndRunsAndWritesNothing) {
  const std::string out = (dir_ / "sub" / "sweep.h5").string();
  const Outcome o = loyalsim("run " + long_sweep + " --dry-run -o " + out);
  EXPECT_EQ(o.status, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "6 points x 24 replicates = 144 runs")) << o.output;
  EXPECT_TRUE(contains(o.output, out)) << o.output;
  EXPECT_TRUE(fs::is_empty(dir_)) << "--dry-run wrote something";

  const Outcome lhs = loyalsim("run " + lhs_sweep + " --dry-run -o " + out);
  EXPECT_EQ(lhs.status, 0) << lhs.output;
  EXPECT_TRUE(contains(lhs.output, "8 points x 2 replicates = 16 runs")) << lhs.output;
  EXPECT_TRUE(fs::is_empty(dir_)) << "--dry-run wrote something";
}

// runs/ has a column per varied parameter, named by its full path, holding the
// design's values; design/points is the design; the scenario hash is stored.
TEST_F(SweepCli, RunsTableHasOneColumnPerVariedParameterEqualToTheDesign) {
  const Outcome grid = check("design", {reference()});
  EXPECT_EQ(grid.status, 0) << grid.output;
  EXPECT_TRUE(contains(grid.output, "grid design: 6 points x 24 replicates")) << grid.output;

  const std::string out = path("lhs.h5");
  const Outcome run = loyalsim("run " + lhs_sweep + " -q -o " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  const Outcome lhs = check("design", {out});
  EXPECT_EQ(lhs.status, 0) << lhs.output;
  EXPECT_TRUE(contains(lhs.output, "lhs design: 8 points x 2 replicates")) << lhs.output;
}

// ------------------------------------------------------------ determinism

TEST_F(SweepCli, SweepDataDoNotDependOnThreadCount) {
  const std::string out = path("one_thread.h5");
  const Outcome one = loyalsim("run " + long_sweep + " -q --threads 1 -o " + out);
  ASSERT_EQ(one.status, 0) << one.output;
  const Outcome same = check("same", {reference(), out});  // the reference ran on 2 threads
  EXPECT_EQ(same.status, 0) << same.output;
}

TEST_F(SweepCli, AddingReplicatesLeavesTheExistingRunsUnchanged) {
  std::string text = read_text(lhs_sweep);
  const std::string key = "replicates = 2";
  ASSERT_NE(text.find(key), std::string::npos);
  const std::string two = write("two.toml", text);
  text.replace(text.find(key), key.size(), "replicates = 3");
  const std::string three = write("three.toml", text);
  ASSERT_EQ(loyalsim("run " + two + " -q -o " + path("two.h5")).status, 0);
  ASSERT_EQ(loyalsim("run " + three + " -q -o " + path("three.h5")).status, 0);
  // Run (point p, replicate r) is run 2p + r in one file, 3p + r in the other.
  const Outcome same = check("same-runs", {path("two.h5"), path("three.h5")});
  EXPECT_EQ(same.status, 0) << same.output;
}

// ------------------------------------------------------------ the sweep figure

bool is_png(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<char, 8> magic{};
  in.read(magic.data(), magic.size());
  return in && std::string(magic.data() + 1, 3) == "PNG";
}

TEST_F(SweepCli, PlotSweepDrawsLinesAndHeatmapsAndRejectsBadArgumentsWithStatus2) {
  const std::string out = path("lhs.h5");
  ASSERT_EQ(loyalsim("run " + lhs_sweep + " -q -o " + out).status, 0);
  const std::string plot = std::string(LOYALSIM_PYTHON) + " " + LOYALSIM_SCRIPTS + "/plot_sweep.py " + out;

  const Outcome lines = shell(plot + " -o " + path("lines.png"));
  EXPECT_EQ(lines.status, 0) << lines.output;
  EXPECT_TRUE(is_png(path("lines.png")));
  const Outcome heatmap = shell(plot +
                                " --x segments.complex.brand_weight --y segments.complex.rep_weight"
                                " --rate firm_retention_rate --firm Alpha --segment complex -o " +
                                path("heatmap.png"));
  EXPECT_EQ(heatmap.status, 0) << heatmap.output;
  EXPECT_TRUE(is_png(path("heatmap.png")));

  const struct {
    std::string arguments;
    const char* expected;
  } bad[] = {
      {" --x rep_weight", "did you mean 'segments.complex.rep_weight'"},
      {" --rate folow_rate", "did you mean 'follow_rate'"},
      {" --firm Gamma", "unknown firm 'Gamma'"},
      {" --segment complx", "did you mean 'complex'"},
      {" --x segments.complex.rep_weight --y segments.complex.rep_weight", "same parameter"},
  };
  for (const auto& b : bad) {
    const Outcome o = shell(plot + b.arguments + " -o " + path("bad.png"));
    EXPECT_EQ(o.status, 2) << b.arguments << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, b.expected)) << b.arguments << "\n" << o.output;
  }
  EXPECT_FALSE(fs::exists(path("bad.png")));
  const Outcome missing = shell(std::string(LOYALSIM_PYTHON) + " " + LOYALSIM_SCRIPTS + "/plot_sweep.py " +
                                path("nope.h5") + " -o " + path("bad.png"));
  EXPECT_EQ(missing.status, 2) << missing.output;
}

}  // namespace
