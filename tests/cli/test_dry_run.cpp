// --dry-run through the loyalsim executable (README, "Guarantees"): every input
// is checked once, the same way for a dry run and a real run, so a sweep that
// passes its dry run does not fail later on its own inputs; a dry run of any
// accepted input is cheap (asserted on the memory the child used, not on wall
// time); design sizes are bounded; --events is in the estimates.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/parameters.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using loyalsim::ParameterInfo;
using loyalsim::Scope;
using loyalsim::ValueKind;

struct Outcome {
  int status = -1;        // exit status, -1 if killed by a signal
  std::string output;     // stdout and stderr together
  long peak_rss_kib = 0;  // the child's maximum resident set size
};

// Runs loyalsim with `arguments` (no shell), collecting its output and its
// peak memory (getrusage of the child, via wait4).
Outcome loyalsim(const std::vector<std::string>& arguments, const fs::path& folder) {
  const fs::path log = folder / "output.log";
  std::vector<std::string> words{LOYALSIM_EXE};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  Outcome outcome;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return outcome;
  posix_spawn_file_actions_destroy(&actions);
  int raw = 0;
  rusage usage{};
  wait4(pid, &raw, 0, &usage);
  outcome.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  outcome.peak_rss_kib = usage.ru_maxrss;
  std::ifstream in(log);
  outcome.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  fs::remove(log);
  return outcome;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Two firms, two segments, a scripted departure at month 1: small runs.
const std::string base_scenario =
    "seed = 5\n[market]\ncustomers = 200\nmonths = 6\nburn_in_months = 0\n"
    "[[firms]]\nname = \"A\"\nreps = 4\n[[firms]]\nname = \"B\"\nreps = 4\n"
    "[[segments]]\nname = \"s1\"\nshare = 0.5\n[[segments]]\nname = \"s2\"\nshare = 0.5\n"
    "[[departures]]\nmonth = 1\nfirm = \"A\"\nto = \"B\"\n";

class DryRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("loyalsim_dry_run_" + std::to_string(::getpid())) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  Outcome run(std::vector<std::string> arguments) const { return loyalsim(arguments, dir_); }
  std::string out() const { return (dir_ / "out.h5").string(); }
  // Files in the folder besides the scenarios: a refused command writes none.
  std::vector<std::string> outputs() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir_))
      if (entry.path().extension() != ".toml") found.push_back(entry.path().filename().string());
    return found;
  }

  fs::path dir_;
};

// ------------------------------------------------------------ refused up front, by both

// Defect: a swept market.months passed --dry-run, then failed (exit 1) at the
// second run ("months differ from the journal's"), and --resume repeated it.
TEST_F(DryRun, SweptMonthsIsRefusedWithStatus2ByDryRunAndRunAlike) {
  const std::string scenario = write(
      "months.toml", base_scenario + "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"market.months\" = [6, 12]\n");
  for (const bool dry : {true, false}) {
    std::vector<std::string> arguments{"run", scenario, "-q", "-o", out()};
    if (dry) arguments.push_back("--dry-run");
    const Outcome o = run(arguments);
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_TRUE(contains(o.output, "months.toml:25:")) << o.output;
    EXPECT_TRUE(contains(o.output, "market.months")) << o.output;
    EXPECT_TRUE(contains(o.output, "cannot be swept")) << o.output;
    EXPECT_TRUE(outputs().empty()) << "a refused command wrote a file";
  }
}

// Defect: a firm named with '/' passed --dry-run, then failed (exit 1, no
// file or line) creating its runs/ column. Whatever names the reader
// accepts, a path HDF5 cannot use as a column name is refused up front.
TEST_F(DryRun, APathHdf5CannotNameIsRefusedWithStatus2ByDryRunAndRunAlike) {
  std::string text = base_scenario;
  const std::string from = "name = \"B\"";
  text.replace(text.find(from), from.size(), "name = \"B/C\"");
  text.replace(text.find("to = \"B\""), 8, "to = \"B/C\"");
  const std::string scenario =
      write("slash.toml", text + "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"firms.B/C.reps\" = [2, 4]\n");
  for (const bool dry : {true, false}) {
    std::vector<std::string> arguments{"run", scenario, "-q", "-o", out()};
    if (dry) arguments.push_back("--dry-run");
    const Outcome o = run(arguments);
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_TRUE(contains(o.output, "may not contain '/'")) << o.output;
    EXPECT_TRUE(outputs().empty()) << "a refused command wrote a file";
  }
}

// A swept burn-in shorter than a scripted departure's month reaches back:
// design point named, exit 2, before anything is written, by both.
TEST_F(DryRun, ADesignPointThatCannotHoldAScriptedDepartureIsRefusedByBoth) {
  std::string text = base_scenario;
  text.replace(text.find("burn_in_months = 0"), 18, "burn_in_months = 12");
  text.replace(text.find("month = 1\n"), 10, "month = -6\n");
  const std::string scenario = write(
      "burn_in.toml", text + "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"market.burn_in_months\" = [12, 3]\n");
  for (const bool dry : {true, false}) {
    std::vector<std::string> arguments{"run", scenario, "-q", "-o", out()};
    if (dry) arguments.push_back("--dry-run");
    const Outcome o = run(arguments);
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_TRUE(contains(o.output, "design point 1")) << o.output;
    EXPECT_TRUE(contains(o.output, "market.burn_in_months = 3")) << o.output;
    EXPECT_TRUE(contains(o.output, "month -6")) << o.output;
    EXPECT_TRUE(outputs().empty()) << "a refused command wrote a file";
  }
}

// Defect: samples = 1e8 was accepted and the dry run grew past 3 GB. The
// design's size is bounded before anything is allocated.
TEST_F(DryRun, OversizedDesignsAreRefusedBeforeAnythingIsAllocated) {
  const struct {
    const char* name;
    std::string sweep;
    std::vector<std::string> expected;
  } cases[] = {
      {"samples",
       "design = \"lhs\"\nsamples = 100000000\n[sweep.parameters]\n\"market.substitutability\" = [0, 1]\n",
       {"sweep.samples", "must be in [1, 1000000]"}},
      {"runs",
       "design = \"sobol\"\nsamples = 1000000\nreplicates = 100\n[sweep.parameters]\n"
       "\"market.substitutability\" = [0, 1]\n",
       {"10000000 runs"}},
  };
  for (const auto& c : cases) {
    const std::string scenario = write(std::string(c.name) + ".toml", base_scenario + "[sweep]\n" + c.sweep);
    for (const bool dry : {true, false}) {
      std::vector<std::string> arguments{"run", scenario, "-q", "-o", out()};
      if (dry) arguments.push_back("--dry-run");
      const Outcome o = run(arguments);
      EXPECT_EQ(o.status, 2) << c.name << ": " << o.output;
      for (const auto& part : c.expected) EXPECT_TRUE(contains(o.output, part)) << c.name << ": " << o.output;
      EXPECT_LT(o.peak_rss_kib, 100 * 1024) << c.name;
      EXPECT_TRUE(outputs().empty()) << c.name;
    }
  }
}

// ------------------------------------------------------------ cheap for any accepted input

// Defect: a dry run of a huge model ran as long as the real run, and one of
// a large design built a model per point. The peak memory of the child
// shows what it did: no agent state of the real size, no model per point.
TEST_F(DryRun, ADryRunOfAHugeModelAndALargeDesignDoesLittleWork) {
  // 10^8 customers x 2 x 12000 months, 10^6 reps per firm: gigabytes of
  // agent state for a real run; a design of 10^5 points, 4 x 10^5 runs.
  const std::string scenario =
      write("huge.toml",
            "[market]\ncustomers = 100000000\nmonths = 12000\nburn_in_months = 12000\n"
            "[[firms]]\nname = \"A\"\nreps = 1000000\n[[firms]]\nname = \"B\"\nreps = 1000000\n"
            "[[segments]]\nname = \"s\"\n"
            "[sweep]\ndesign = \"lhs\"\nsamples = 100000\nreplicates = 4\n[sweep.parameters]\n"
            "\"market.substitutability\" = [0, 1]\n\"firms.A.reps\" = [1, 1000000]\n\"market.burn_in_months\" = [0, "
            "12000]\n");
  const Outcome o = run({"run", scenario, "--dry-run", "--events", "--threads", "1", "-o", out()});
  // A machine without the memory refuses it, by the same rule as a real run.
  if (o.status == 2) {
    EXPECT_TRUE(contains(o.output, "GiB of memory")) << o.output;
  } else {
    EXPECT_EQ(o.status, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "100000 points x 4 replicates = 400000 runs")) << o.output;
  }
  // The design matrix (2.4 MB) and a capped probe run (its customers, reps
  // and months), nothing of the real size: about 15 MB (the old dry run's
  // probe of 10^6 customers and every rep took 140 MB).
  EXPECT_LT(o.peak_rss_kib, 100 * 1024) << o.output;
  EXPECT_TRUE(outputs().empty());
}

// Defect: --events was left out of the estimates, and long times were
// printed in seconds only.
TEST_F(DryRun, EventsAreInTheEstimatesAndLongTimesReadAsDaysHoursMinutes) {
  const std::string scenario = write(
      "long.toml",
      "[market]\ncustomers = 1000000\nmonths = 12000\nburn_in_months = 12000\n"
      "[[firms]]\nname = \"A\"\nreps = 100\n[[firms]]\nname = \"B\"\nreps = 100\n[[segments]]\nname = \"s\"\n"
      "[sweep]\ndesign = \"grid\"\nreplicates = 1000\n[sweep.parameters]\n\"market.substitutability\" = [0, 1]\n");
  const Outcome plain = run({"run", scenario, "--dry-run", "--threads", "1", "-o", out()});
  const Outcome events = run({"run", scenario, "--dry-run", "--events", "--threads", "1", "-o", out()});
  ASSERT_EQ(plain.status, 0) << plain.output;
  ASSERT_EQ(events.status, 0) << events.output;
  EXPECT_TRUE(contains(events.output, "events/: about")) << events.output;
  EXPECT_TRUE(contains(events.output, "with events")) << events.output;
  EXPECT_FALSE(contains(events.output, "not estimated")) << events.output;
  // 4.8 x 10^13 customer-months: days, not a seven-digit number of seconds.
  EXPECT_TRUE(contains(plain.output, " d ")) << plain.output;
  EXPECT_TRUE(contains(plain.output, " h ")) << plain.output;
  EXPECT_TRUE(contains(plain.output, " min")) << plain.output;
  auto output_mib = [](const std::string& text) {
    const std::string key = "estimated output: at most ";
    std::istringstream in(text.substr(text.find(key) + key.size()));
    double value = 0;
    std::string unit;
    in >> value >> unit;
    return value * (unit == "GiB" ? 1024.0 : unit == "KiB" ? 1.0 / 1024 : 1.0);
  };
  EXPECT_GT(output_mib(events.output), output_mib(plain.output) * 2) << plain.output << events.output;
  EXPECT_TRUE(outputs().empty());
}

// ------------------------------------------------------------ dry run passes => run passes

// A value at the edge of a parameter's valid range: the bound itself, or
// next to it when the bound is open; a finite stand-in for an unbounded
// side. Integers are capped where a real run at the bound would take
// minutes (the property does not depend on size: sizes have their own tests).
double edge(const ParameterInfo& p, bool high) {
  double value = high ? p.high : p.low;
  if (std::isinf(value)) return high ? 1e300 : -1e300;
  if (high ? p.high_open : p.low_open)
    value = std::nextafter(value,
                           high ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
  if (p.kind == ValueKind::integer && high) value = std::min(value, p.name == "customers" ? 5000.0 : 600.0);
  return value;
}

std::string path_of(const ParameterInfo& p) {
  switch (p.scope) {
    case Scope::market:
      return "market." + std::string(p.name);
    case Scope::firm:
      return "firms.A." + std::string(p.name);
    case Scope::segment:
      return "segments.s1." + std::string(p.name);
  }
  return "";
}

std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  std::string text = out.str();
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// For every parameter of the registry, a sweep over its range's two edges
// (grid) and over its whole range (lhs): the dry run and the real run agree
// on whether the sweep is accepted, and an accepted sweep completes.
TEST_F(DryRun, ASweepThatPassesItsDryRunCompletesForEveryParameterAtItsRangeEdges) {
  int accepted = 0;
  for (const ParameterInfo& p : loyalsim::all_parameters()) {
    const std::string path = path_of(p);
    const std::string low = p.kind == ValueKind::integer ? std::to_string(static_cast<std::int64_t>(edge(p, false)))
                                                         : number(edge(p, false));
    const std::string high =
        p.kind == ValueKind::integer ? std::to_string(static_cast<std::int64_t>(edge(p, true))) : number(edge(p, true));
    const std::string sweeps[] = {
        "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"" + path + "\" = [" + low + ", " + high + "]\n",
        "[sweep]\ndesign = \"lhs\"\nsamples = 3\n[sweep.parameters]\n\"" + path + "\" = [" + low + ", " + high + "]\n",
    };
    for (const std::string& sweep : sweeps) {
      const std::string scenario = write("edge.toml", base_scenario + sweep);
      const Outcome dry = run({"run", scenario, "--dry-run", "--threads", "1", "-o", out()});
      const Outcome real = run({"run", scenario, "-q", "--events", "--threads", "2", "-o", out()});
      EXPECT_TRUE(dry.status == 0 || dry.status == 2) << path << "\n" << sweep << dry.output;
      EXPECT_EQ(real.status, dry.status) << path << "\n"
                                         << sweep << "dry run:\n"
                                         << dry.output << "run:\n"
                                         << real.output;
      if (!p.not_sweepable.empty()) {
        EXPECT_EQ(dry.status, 2) << path << " is marked not sweepable";
      }
      if (dry.status == 0) ++accepted;
      fs::remove(out());
    }
  }
  EXPECT_GT(accepted, 40);
}

}  // namespace
