// events/ through the loyalsim executable: docs/MODEL.md section 7.8 puts its
// rows in (run, month, customer) order whatever the thread count, the order
// runs finished in, or an interruption and resume. The sweep here has runs of
// very different sizes, so with two threads later runs finish first; the
// results are checked by tests/cli/compare_results.py (h5py), run with
// LOYALSIM_PYTHON.
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

const std::string scenario = std::string(LOYALSIM_TEST_DATA) + "/sweeps/events_order.toml";

class EventsOrder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = fs::temp_directory_path() / ("loyalsim_events_order_" + std::to_string(getpid()));
    fs::remove_all(shared_);
    fs::create_directories(shared_);
  }
  static void TearDownTestSuite() { fs::remove_all(shared_); }

  // The sweep run once, uninterrupted, on one thread: runs finish in order.
  static fs::path reference() {
    const fs::path out = shared_ / "reference.h5";
    if (!fs::exists(out)) {
      const Outcome o = loyalsim("run " + scenario + " -q --events --threads 1 -o " + out.string());
      EXPECT_EQ(o.status, 0) << o.output;
    }
    return out;
  }

  void SetUp() override {
    dir_ = shared_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts the sweep with --events on two threads, waits until the journal
  // holds a run (with two threads, a small run of a later point: out of
  // order), sends `number` and waits for the child to end.
  void interrupt(const std::string& out, int number, int& raw, std::string& log) {
    Child child({"run", scenario, "-o", out, "-q", "--events", "--threads", "2"}, path("child.log"));
    ASSERT_TRUE(child.started());
    const fs::path journal = out + ".journal";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool recorded = false;
    while (!recorded && std::chrono::steady_clock::now() < deadline && !child.ended()) {
      std::error_code error;
      const auto size = fs::file_size(journal, error);
      const std::uint64_t header_end = error ? 0 : journal_header_end(journal);
      recorded = header_end > 0 && size > header_end;
      if (!recorded) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(recorded) << "the sweep ended before a run reached the journal, or none did:\n" << child.output();
    child.signal(number);
    ASSERT_TRUE(child.wait()) << "the sweep did not stop after signal " << number;
    raw = child.raw();
    log = child.output();
  }

  void resume_and_compare(const std::string& out) {
    const Outcome resumed = loyalsim("run " + scenario + " -q --events --resume -o " + out);
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    const Outcome order = check("events", {out});
    EXPECT_EQ(order.status, 0) << order.output;
    const Outcome same = check("same", {reference(), out});
    EXPECT_EQ(same.status, 0) << same.output;
  }

  static inline fs::path shared_;
  fs::path dir_;
};

TEST_F(EventsOrder, EventsAreInRunMonthCustomerOrderWhateverTheThreadCount) {
  const Outcome reference_order = check("events", {reference()});
  EXPECT_EQ(reference_order.status, 0) << reference_order.output;
  for (const int threads : {2, 3}) {
    SCOPED_TRACE("threads = " + std::to_string(threads));
    const std::string out = path("threads" + std::to_string(threads) + ".h5");
    const Outcome o = loyalsim("run " + scenario + " -q --events --threads " + std::to_string(threads) + " -o " + out);
    ASSERT_EQ(o.status, 0) << o.output;
    const Outcome order = check("events", {out});
    EXPECT_EQ(order.status, 0) << order.output;
    // Every dataset, events/ included, equals the one-thread sweep's.
    const Outcome same = check("same", {reference(), out});
    EXPECT_EQ(same.status, 0) << same.output;
  }
}

TEST_F(EventsOrder, ResumeAfterSigintGivesTheEventsOfAnUninterruptedSweep) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(out, SIGINT, raw, log));
  ASSERT_TRUE(WIFEXITED(raw)) << "killed by signal " << WTERMSIG(raw) << "\n" << log;
  ASSERT_EQ(WEXITSTATUS(raw), 1) << log;
  // The partial file holds the finished runs' events, in run order.
  const Outcome partial = check("events", {out + ".partial"});
  EXPECT_EQ(partial.status, 0) << partial.output;
  ASSERT_NO_FATAL_FAILURE(resume_and_compare(out));
}

TEST_F(EventsOrder, ResumeAfterSigkillGivesTheEventsOfAnUninterruptedSweep) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(out, SIGKILL, raw, log));
  ASSERT_TRUE(WIFSIGNALED(raw)) << log;
  ASSERT_EQ(WTERMSIG(raw), SIGKILL);
  ASSERT_NO_FATAL_FAILURE(resume_and_compare(out));
}

// The staging file of events is never visible: after a kill, the output's
// folder holds only the results file, its partial file and the journal.
TEST_F(EventsOrder, AKilledSweepLeavesNoStagingFileBehind) {
  const std::string out = path("sweep.h5");
  int raw = 0;
  std::string log;
  ASSERT_NO_FATAL_FAILURE(interrupt(out, SIGKILL, raw, log));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "sweep.h5.partial" || name == "sweep.h5.journal" || name == "sweep.h5.lock" ||
                name == "child.log")
        << name;
  }
}

}  // namespace
