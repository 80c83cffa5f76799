// The loyalsim executable end to end: exit statuses, messages, the output
// file's protection, and the classroom scenario.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string output;  // stdout and stderr together
};

Outcome run(const std::string& arguments) {
  const std::string command = std::string(LOYALSIM_EXE) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe && fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int raw = pipe ? pclose(pipe) : -1;
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, output};
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("loyalsim_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

const std::string tiny = std::string(LOYALSIM_TEST_DATA) + "/tiny.toml";
const std::string classroom = std::string(LOYALSIM_SCENARIOS) + "/classroom.toml";

TEST_F(Cli, HelpAndVersionSucceed) {
  EXPECT_EQ(run("--help").status, 0);
  EXPECT_EQ(run("run --help").status, 0);
  EXPECT_EQ(run("params --help").status, 0);
  const Outcome version = run("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_NE(version.output.find("loyalsim "), std::string::npos);
}

TEST_F(Cli, ParamsListsEveryParameterWithRange) {
  const Outcome o = run("params");
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.output.find("market.substitutability"), std::string::npos);
  EXPECT_NE(o.output.find("firms.FIRM.relationship_transfer"), std::string::npos);
  EXPECT_NE(o.output.find("segments.SEGMENT.decision_noise"), std::string::npos);
  EXPECT_NE(o.output.find("(0, inf)"), std::string::npos);
}

TEST_F(Cli, BadArgumentsExitWithStatus2) {
  EXPECT_EQ(run("").status, 2);
  EXPECT_EQ(run("frobnicate").status, 2);
  EXPECT_EQ(run("run").status, 2);
  EXPECT_EQ(run("run " + tiny + " --no-such-option").status, 2);
  EXPECT_EQ(run("run " + tiny + " --threads -1 -o " + path("x.h5")).status, 2);
  EXPECT_EQ(run("run " + tiny + " --threads many -o " + path("x.h5")).status, 2);
  EXPECT_FALSE(fs::exists(path("x.h5")));
}

// Each bad scenario: exit 2, a message with file, line and key, no output file.
TEST_F(Cli, EveryBadScenarioGetsStatus2AndALocatedMessage) {
  const std::string segments = "[[segments]]\nname = \"s\"\n";
  const struct {
    const char* name;
    std::string text;
    const char* expected;
  } cases[] = {
      {"unknown_key", "[market]\ncustomrs = 10\n[[firms]]\nname = \"A\"\n" + segments, ":2:1: key 'market.customrs'"},
      {"wrong_type", "[[firms]]\nname = \"A\"\nreps = \"ten\"\n" + segments, ":3:8: key 'firms.A.reps'"},
      {"out_of_range", "[market]\nsubstitutability = -0.1\n[[firms]]\nname = \"A\"\n" + segments, "must be in [0, 1]"},
      {"shares", "[[firms]]\nname = \"A\"\n[[segments]]\nname = \"x\"\nshare = 0.3\n", "must sum to 1"},
      {"duplicate", "[[firms]]\nname = \"A\"\n[[firms]]\nname = \"A\"\n" + segments, ":4:8: key 'firms[2].name'"},
      {"syntax", "[market\n", "TOML syntax error"},
      {"departure", "[[firms]]\nname = \"A\"\n" + segments + "[[departures]]\nmonth = 1\nfirm = \"B\"\n",
       "no firm named 'B'"},
  };
  for (const auto& c : cases) {
    const std::string scenario = write(std::string(c.name) + ".toml", c.text);
    const Outcome o = run("run " + scenario + " -o " + path("out.h5"));
    EXPECT_EQ(o.status, 2) << c.name << ": " << o.output;
    EXPECT_NE(o.output.find(scenario), std::string::npos) << c.name << ": " << o.output;
    EXPECT_NE(o.output.find(c.expected), std::string::npos) << c.name << ": " << o.output;
    EXPECT_FALSE(fs::exists(path("out.h5"))) << c.name;
  }
}

TEST_F(Cli, MissingOrUnreadableScenarioGetsStatus2) {
  const Outcome missing = run("run " + path("nope.toml") + " -o " + path("out.h5"));
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.output.find("not found"), std::string::npos) << missing.output;
  const Outcome directory = run("run " + dir_.string() + " -o " + path("out.h5"));
  EXPECT_EQ(directory.status, 2);
  EXPECT_NE(directory.output.find("is a directory"), std::string::npos) << directory.output;
}

TEST_F(Cli, BadSetOverridesGetStatus2) {
  const Outcome typo = run("run " + tiny + " -o " + path("out.h5") + " --set market.substitutabilty=0.5");
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.output.find("did you mean 'market.substitutability'"), std::string::npos) << typo.output;
  const Outcome range = run("run " + tiny + " -o " + path("out.h5") + " --set firms.Alpha.non_solicit=3");
  EXPECT_EQ(range.status, 2);
  EXPECT_NE(range.output.find("must be in [0, 1]"), std::string::npos) << range.output;
  EXPECT_FALSE(fs::exists(path("out.h5")));
}

TEST_F(Cli, ExistingOutputIsNeverOverwrittenWithoutForce) {
  const std::string out = write("keep.h5", "precious");
  const Outcome refused = run("run " + tiny + " -q -o " + out);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.output.find("--force"), std::string::npos) << refused.output;
  std::ifstream in(out);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious");

  const Outcome forced = run("run " + tiny + " -q --force -o " + out);
  EXPECT_EQ(forced.status, 0) << forced.output;
  EXPECT_GT(fs::file_size(out), 1000u);
  // No temporary file is left beside the output.
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(Cli, AnOutputFolderThatCannotBeCreatedGetsStatus2) {
  // Nothing can be created under /proc, not even by root.
  const Outcome o = run("run " + tiny + " -q -o /proc/loyalsim_no_such_folder/x.h5");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("cannot create the output folder"), std::string::npos) << o.output;
}

TEST_F(Cli, ARunThatCannotFitInMemoryIsRefusedBeforeAnythingIsWritten) {
  // 2^31 - 1 customers need about 42 GiB of agent state: more than any
  // machine this project runs on has available.
  const Outcome o = run("run " + tiny + " -o " + path("huge.h5") + " --set market.customers=2147483647");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("GiB of memory"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("reduce market.customers"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(path("huge.h5")));
  EXPECT_FALSE(fs::exists(path("huge.h5.partial")));
}

TEST_F(Cli, RunPrintsTheHeadlineTableAndThroughput) {
  const Outcome o = run("run " + tiny + " -q -o " + path("t.h5"));
  EXPECT_EQ(o.status, 0) << o.output;
  for (const char* column :
       {"firm_retention_rate", "follow_rate", "rep_ownership_share", "retained_12m_after_stay", "could_follow",
        "follow_rate_when_possible", "retention_when_contested", "customer-months/s", "bytes/customer"})
    EXPECT_NE(o.output.find(column), std::string::npos) << column << "\n" << o.output;
}

// The table without the timing line: what must not depend on threads.
std::string table_of(const std::string& output) {
  std::istringstream in(output);
  std::string line, table;
  while (std::getline(in, line))
    if (line.find("throughput") == std::string::npos && line.find(" -> ") == std::string::npos) table += line + "\n";
  return table;
}

TEST_F(Cli, ResultsDoNotDependOnThreadCount) {
  const Outcome one = run("run " + tiny + " -q --threads 1 -o " + path("one.h5"));
  const Outcome two = run("run " + tiny + " -q --threads 2 -o " + path("two.h5"));
  ASSERT_EQ(one.status, 0) << one.output;
  ASSERT_EQ(two.status, 0) << two.output;
  EXPECT_EQ(table_of(one.output), table_of(two.output));
  const Outcome other_seed = run("run " + tiny + " -q --seed 12 -o " + path("three.h5"));
  EXPECT_NE(table_of(one.output), table_of(other_seed.output)) << "the seed must matter";
}

// Follow rate of (firm, segment) as printed in the table.
double follow_rate(const std::string& output, const std::string& firm, const std::string& segment) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string f, s, orphaned, retention, follow;
    if (words >> f >> s >> orphaned >> retention >> follow && f == firm && s == segment) return std::stod(follow);
  }
  return -1.0;
}

TEST_F(Cli, ClassroomScenarioRunsAndPlotsEndToEnd) {
  const std::string out = path("classroom.h5");
  const Outcome o = run("run " + classroom + " -q -o " + out);
  ASSERT_EQ(o.status, 0) << o.output;
  // The essays' contrast, which the scenario is built to show.
  EXPECT_GT(follow_rate(o.output, "Incumbent", "complex_solution"),
            follow_rate(o.output, "Incumbent", "simple_product") + 0.1)
      << o.output;
  // The table and its legend fit in 100 columns, even with these long names.
  std::istringstream lines(o.output);
  for (std::string line; std::getline(lines, line);)
    if (line.find("throughput") == std::string::npos && line.find(" -> ") == std::string::npos) {
      EXPECT_LE(line.size(), 100u) << line;
    }

  const std::string png = path("classroom.png");
  const std::string plot =
      std::string(LOYALSIM_PYTHON) + " " + LOYALSIM_SCRIPTS + "/plot_retention.py " + out + " -o " + png + " 2>&1";
  ASSERT_EQ(std::system(plot.c_str()), 0);
  std::ifstream image(png, std::ios::binary);
  std::array<char, 8> magic{};
  image.read(magic.data(), magic.size());
  EXPECT_EQ(std::string(magic.data() + 1, 3), "PNG");
}

}  // namespace
