// docs/SWEEPS.md "Interrupting and resuming" through the real executable: a
// killed sweep leaves every finished run recoverable with --resume, and a
// damaged journal record costs that run alone. A sweep is SIGKILLed at 20
// moments spread over its work (after k records reached its journal, k = 0 ..
// nearly all), or has a bit of one record flipped, and is resumed; the message
// counts exactly the runs the journal holds, and the finished file has the same
// data as a sweep that was never interrupted (tests/cli/compare_results.py, run
// with LOYALSIM_PYTHON).
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
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "cli_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace cli_test;

// 2 design points x 24 replicates of small runs: a fraction of a second, so
// that 20 interrupted sweeps and their resumes stay well under a minute.
constexpr int sweep_runs = 48;
constexpr const char* sweep_scenario = R"(seed = 9
[market]
customers = 800
months = 18
burn_in_months = 4
[[firms]]
name = "Alpha"
reps = 6
rep_turnover_annual = 0.3
[[firms]]
name = "Beta"
reps = 4
rep_turnover_annual = 0.3
[[segments]]
name = "complex"
share = 0.5
rep_weight = 3.0
[[segments]]
name = "simple"
share = 0.5
brand_weight = 2.0
[sweep]
design = "grid"
replicates = 24
[sweep.parameters]
"market.substitutability" = [0.3, 0.7]
)";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t le(const std::string& bytes, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

// The complete records of an undamaged journal (format in
// src/io/run_journal.hpp): where each starts and how long it is. Empty while
// the header is not (completely) there.
struct Record {
  std::size_t start, size;
};
std::vector<Record> complete_records(const std::string& journal) {
  std::vector<Record> records;
  if (journal.size() < 29 || journal.compare(0, 17, "LOYALSIM-JOURNAL\n") != 0) return records;
  std::size_t at = 29 + le(journal, 21, 8) + 4;  // magic, version, header size, header, CRC
  const std::string marker("\x89LSREC\r\n", 8);
  while (at + 48 <= journal.size() && journal.compare(at, 8, marker) == 0) {
    const std::size_t size = 48 + le(journal, at + 24, 8) + 20;  // header, payload, trailer
    if (at + size > journal.size()) break;                       // a record being written
    records.push_back({at, size});
    at += size;
  }
  return records;
}

class KillResume : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("loyalsim_kill_resume_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    scenario_ = dir_ / "kill.toml";
    std::ofstream(scenario_) << sweep_scenario;
    reference_ = dir_ / "reference.h5";
    const Outcome o = loyalsim("run " + quoted(scenario_) + " -q --threads 2 -o " + quoted(reference_));
    ASSERT_EQ(o.status, 0) << o.output;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);  // kept for a look when a test fails
  }

  // Starts the sweep into `out` and SIGKILLs it once its journal holds at
  // least `records` complete records. False if it finished first.
  bool kill_after(const fs::path& out, std::size_t records) {
    Child child({"run", scenario_.string(), "-o", out.string(), "-q", "--threads", "2"}, dir_ / "child.log");
    EXPECT_TRUE(child.started());
    fs::path journal = out;
    journal += ".journal";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!child.ended() && std::chrono::steady_clock::now() < deadline) {
      const std::string bytes = read_bytes(journal);
      if (bytes.size() >= 29 && complete_records(bytes).size() >= records &&
          (records > 0 || bytes.size() >= 29 + le(bytes, 21, 8) + 4)) {
        child.kill_now();
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    child.kill_now();  // the deadline passed: stop it anyway
    return child.killed();
  }

  // Every file in `outputs` has the reference's data: one Python process.
  void expect_same_as_reference(const std::vector<fs::path>& outputs) {
    std::string program =
        "import sys; sys.path.insert(0, sys.argv[1]); import compare_results as c\n"
        "for f in sys.argv[3:]:\n"
        "    before = len(c.problems); c.same(sys.argv[2], f)\n"
        "    if len(c.problems) > before: print('differs:', f)\n"
        "sys.exit(1 if c.problems else 0)\n";
    std::string line = LOYALSIM_PYTHON;
    line += " -c \"";
    line += program;
    line += "\" ";
    line += quoted(fs::path(LOYALSIM_TEST_DATA) / ".." / "cli");
    line += ' ';
    line += quoted(reference_);
    for (const auto& out : outputs) {
      line += ' ';
      line += quoted(out);
    }
    const Outcome same = shell(line);
    EXPECT_EQ(same.status, 0) << same.output;
  }

  fs::path dir_, scenario_, reference_;
};

TEST_F(KillResume, SigkillAtTwentyMomentsThenResumeGivesTheUninterruptedData) {
  std::vector<fs::path> outputs;
  int killed = 0;
  for (int moment = 0; moment < 20; ++moment) {
    // k = 0 (only the journal's header written), 2, 4, ... 45 of 48 records.
    const auto records = static_cast<std::size_t>(moment * (sweep_runs - 3) / 19);
    SCOPED_TRACE("kill after " + std::to_string(records) + " records");
    const fs::path out = dir_ / ("sweep" + std::to_string(moment) + ".h5");
    outputs.push_back(out);
    if (!kill_after(out, records)) {
      ASSERT_TRUE(fs::exists(out)) << "the sweep neither was killed nor finished";
      continue;  // it finished before the kill: its file is checked all the same
    }
    ++killed;
    ASSERT_FALSE(fs::exists(out));
    fs::path journal = out;
    journal += ".journal";
    const std::size_t held = complete_records(read_bytes(journal)).size();
    EXPECT_GE(held, records);

    const Outcome resumed = loyalsim("run " + quoted(scenario_) + " -q --threads 2 --resume -o " + quoted(out));
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    // Every run the journal held is recovered, and the message says how many.
    EXPECT_TRUE(contains(resumed.output, "resuming: " + std::to_string(held) + " of " + std::to_string(sweep_runs) +
                                             " runs recovered from " + journal.string()))
        << resumed.output;
    EXPECT_FALSE(contains(resumed.output, "damaged")) << resumed.output;
    EXPECT_FALSE(fs::exists(journal));
  }
  std::cout << "[          ] " << killed << " of 20 sweeps were killed before they finished\n";
  expect_same_as_reference(outputs);
}

// One flipped bit in a middle record of a killed sweep's journal, in the
// record's payload or in its header: resume skips that record alone, says
// so, runs that run again, and the file has the uninterrupted data.
TEST_F(KillResume, AFlippedBitInAMiddleRecordCostsThatRunAlone) {
  std::vector<fs::path> outputs;
  for (const bool in_header : {false, true}) {
    SCOPED_TRACE(in_header ? "bit in the record header" : "bit in the payload");
    const fs::path out = dir_ / (in_header ? "header.h5" : "payload.h5");
    outputs.push_back(out);
    ASSERT_TRUE(kill_after(out, 12)) << "the sweep finished before 12 of its runs were recorded";
    fs::path journal = out;
    journal += ".journal";
    std::string bytes = read_bytes(journal);
    const std::vector<Record> records = complete_records(bytes);
    ASSERT_GE(records.size(), 12u);
    const Record& middle = records[records.size() / 2];
    const std::size_t at = middle.start + (in_header ? 30 : 48 + (middle.size - 68) / 2);
    bytes[at] = static_cast<char>(bytes[at] ^ 0x08);
    std::ofstream(journal, std::ios::binary | std::ios::trunc) << bytes;

    const Outcome resumed = loyalsim("run " + quoted(scenario_) + " -q --threads 2 --resume -o " + quoted(out));
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    EXPECT_TRUE(contains(resumed.output, "resuming: " + std::to_string(records.size() - 1) + " of " +
                                             std::to_string(sweep_runs) + " runs recovered from " + journal.string() +
                                             "; 1 damaged record skipped (its run will run again)"))
        << resumed.output;
    EXPECT_FALSE(fs::exists(journal));
  }
  expect_same_as_reference(outputs);
}

}  // namespace
