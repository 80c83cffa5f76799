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

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status;          // exit status, -1 if killed by a signal
  std::string output;  // stdout and stderr together
};

std::string quoted(const std::string& text) {
  std::string result = "'";
  result += text;
  result += '\'';
  return result;
}

Outcome shell(const std::string& command_line) {
  FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe && fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int raw = pipe ? pclose(pipe) : -1;
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, output};
}

Outcome loyalsim(const std::string& arguments) { return shell(std::string(LOYALSIM_EXE) + " " + arguments); }

// tests/cli/compare_results.py COMMAND FILE...: exit 0 when the check holds.
Outcome check(const std::string& command, const std::vector<fs::path>& files) {
  std::string line = LOYALSIM_PYTHON;
  line += ' ';
  line += quoted(std::string(LOYALSIM_TEST_DATA) + "/../cli/compare_results.py");
  line += ' ';
  line += command;
  for (const auto& file : files) {
    line += ' ';
    line += quoted(file.string());
  }
  return shell(line);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string scenario = std::string(LOYALSIM_TEST_DATA) + "/sweeps/events_order.toml";

// `loyalsim ARGS...` as a child process, its output in `log`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& log) : log_(log) {
    std::vector<std::string> text{LOYALSIM_EXE};
    text.insert(text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : text) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &raw_, 0);
    }
  }

  bool started() const { return pid_ > 0; }
  void signal(int number) const { kill(pid_, number); }
  bool ended() {
    if (!reaped_) reaped_ = waitpid(pid_, &raw_, WNOHANG) == pid_;
    return reaped_;
  }
  bool wait(std::chrono::seconds limit = std::chrono::seconds(120)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!ended()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  int raw() const { return raw_; }
  std::string output() const { return read_text(log_); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int raw_ = 0;
  bool reaped_ = false;
};

// Where the journal's records start (src/io/run_journal.hpp: magic, u32
// version, u64 header_size, the header, u32 CRC); 0 while the header is not
// complete.
std::uint64_t journal_header_end(const fs::path& journal) {
  std::ifstream in(journal, std::ios::binary);
  std::array<unsigned char, 29> head{};
  if (!in.read(reinterpret_cast<char*>(head.data()), head.size())) return 0;
  if (std::string(reinterpret_cast<const char*>(head.data()), 17) != "LOYALSIM-JOURNAL\n") return 0;
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = header_size << 8 | head[21 + i];
  return 29 + header_size + 4;
}

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
