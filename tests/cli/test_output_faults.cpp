// Data safety of the output side (docs/SWEEPS.md, "Interrupting and resuming"),
// through the loyalsim executable: two writers on one output, outputs that are
// not regular files, a refused command that must change no file, a full disk, a
// file-size limit, a read-only folder, a damaged .partial, and every
// interrupted or failed state, whose printed hint is run to check it works.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace cli_test;

// tests/cli/compare_results.py same A B: exit 0 when the data are identical.
Outcome same_data(const fs::path& a, const fs::path& b) {
  return shell(std::string(LOYALSIM_PYTHON) + " " +
               quoted(std::string(LOYALSIM_TEST_DATA) + "/../cli/compare_results.py") + " same " + quoted(a.string()) +
               " " + quoted(b.string()));
}

// The program's last line, which must say what to run next.
std::string last_line(const std::string& output) {
  std::istringstream in(output);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The command a message tells the user to run ("... loyalsim run ...", up
// to the end of the line or a closing parenthesis), with the real binary.
std::string hinted_command(const std::string& line) {
  const auto at = line.rfind("loyalsim run ");
  if (at == std::string::npos) return {};
  std::string command = line.substr(at);
  if (const auto paren = command.find(")"); paren != std::string::npos && command.back() == ')')
    command = command.substr(0, paren);
  return std::string(LOYALSIM_EXE) + command.substr(std::string("loyalsim").size());
}

// Every entry under a folder: type, and the bytes of regular files (FIFOs and
// devices by type only, never opened).
std::map<std::string, std::string> fingerprint(const fs::path& folder) {
  std::map<std::string, std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    const auto status = entry.symlink_status();
    std::string print = std::to_string(static_cast<int>(status.type())) + ":";
    if (fs::is_symlink(status)) {
      print += fs::read_symlink(entry.path()).string();
    } else if (fs::is_regular_file(status)) {
      print += read_text(entry.path());
    }
    entries[fs::relative(entry.path(), folder).string()] = print;
  }
  return entries;
}

const std::string sweep_data = std::string(LOYALSIM_TEST_DATA) + "/sweeps";
const std::string long_sweep = sweep_data + "/interrupt.toml";  // 144 small runs
const std::string tiny = std::string(LOYALSIM_TEST_DATA) + "/tiny.toml";

// ------------------------------------------------------------ child processes

// kill(SIGSTOP) returns before the process has stopped: a write under way
// could still land after it. Waits until /proc says it is stopped ('T').
bool wait_until_stopped(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'T') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

// A small tmpfs where one can be mounted (we run as root, but a container
// may refuse): unmounted at the end.
class Tmpfs {
 public:
  Tmpfs(const fs::path& where, const std::string& options) : where_(where) {
    fs::create_directories(where);
    mounted_ = ::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  ~Tmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool remount(const std::string& options, unsigned long flags = 0) {
    return ::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT | flags, options.c_str()) == 0;
  }

 private:
  fs::path where_;
  bool mounted_ = false;
};

// ------------------------------------------------------------ fixture

class OutputFaults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = fs::temp_directory_path() / ("loyalsim_output_faults_" + std::to_string(getpid()));
    fs::remove_all(shared_);
    fs::create_directories(shared_);
  }
  static void TearDownTestSuite() { fs::remove_all(shared_); }

  // One uninterrupted run of the long sweep, to compare with.
  static fs::path reference() {
    const fs::path out = shared_ / "reference.h5";
    if (!fs::exists(out)) {
      const Outcome o = loyalsim("run " + long_sweep + " -q --threads 2 -o " + out.string());
      EXPECT_EQ(o.status, 0) << o.output;
    }
    return out;
  }

  void SetUp() override {
    dir_ = shared_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir_ / "out");
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts the long sweep into `out`, waits until a run is in its journal,
  // and sends `number` (SIGSTOP leaves it stopped; the Child is returned).
  std::unique_ptr<Child> start_and_signal(const std::string& out, int number,
                                          const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"run", long_sweep, "-o", out, "-q", "--threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = std::make_unique<Child>(args, path("child.log"));
    EXPECT_TRUE(child->started());
    EXPECT_TRUE(wait_for_a_journal_record(*child, out + ".journal"))
        << "no run reached the journal while the sweep ran:\n"
        << child->output();
    child->signal(number);
    if (number == SIGSTOP) {
      EXPECT_TRUE(wait_until_stopped(child->pid()));
    }
    return child;
  }

  // A refused command: exit 2, a one-line message last, every file as it was.
  void expect_refused(const std::string& arguments, const std::string& fragment) {
    const auto before = fingerprint(dir_ / "out");
    const Outcome o = loyalsim(arguments);
    EXPECT_EQ(o.status, 2) << arguments << "\n" << o.output;
    EXPECT_TRUE(contains(o.output, fragment)) << arguments << "\n" << o.output;
    EXPECT_TRUE(last_line(o.output).starts_with("loyalsim: error: ")) << o.output;
    EXPECT_FALSE(contains(o.output, "HDF5-DIAG")) << o.output;
    EXPECT_EQ(fingerprint(dir_ / "out"), before) << arguments << " changed a file\n" << o.output;
  }

  // Runs the command the last line of `output` names; it must succeed.
  void run_hint_expecting_success(const std::string& output) {
    const std::string command = hinted_command(last_line(output));
    ASSERT_FALSE(command.empty()) << "the last line names no command:\n" << output;
    const Outcome o = shell(command);
    EXPECT_EQ(o.status, 0) << "the hinted command failed: " << command << "\n" << o.output;
  }

  static inline fs::path shared_;
  fs::path dir_;
};

// ------------------------------------------------------------ two writers

// A second run on an output being written (plain, --force or --resume) is
// refused before it touches anything; the first then finishes correctly.
TEST_F(OutputFaults, SecondWriterIsRefusedAndTheFirstCompletes) {
  const std::string out = path("out/sweep.h5");
  auto first = start_and_signal(out, SIGSTOP);
  ASSERT_FALSE(HasFailure());
  for (const std::string flag : {"", " --force", " --resume"}) {
    expect_refused("run " + long_sweep + " -q -o " + out + flag, "is being written by another loyalsim process");
    expect_refused("run " + long_sweep + " -q -o " + out + flag, "pid " + std::to_string(first->pid()));
  }
  first->signal(SIGCONT);
  ASSERT_TRUE(first->wait());
  ASSERT_TRUE(WIFEXITED(first->raw()) && WEXITSTATUS(first->raw()) == 0) << first->output();
  EXPECT_FALSE(fs::exists(out + ".lock")) << "a finished run removes its lock file";
  const Outcome same = same_data(reference(), out);
  EXPECT_EQ(same.status, 0) << same.output;
}

// A run killed with SIGKILL leaves its lock file; it does not block the next
// run, a refused command leaves it as it is, and resuming clears it.
TEST_F(OutputFaults, StaleLockFileOfAKilledRunNeitherBlocksNorIsTouchedByARefusal) {
  const std::string out = path("out/sweep.h5");
  auto first = start_and_signal(out, SIGKILL);
  ASSERT_TRUE(first->wait());
  ASSERT_TRUE(fs::exists(out + ".lock"));
  expect_refused("run " + long_sweep + " -q -o " + out, "--resume");
  const Outcome resumed = loyalsim("run " + long_sweep + " -q -o " + out + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_FALSE(fs::exists(out + ".lock"));
  EXPECT_EQ(same_data(reference(), out).status, 0);
}

// ------------------------------------------------------------ refusals change nothing

TEST_F(OutputFaults, RefusedResumeOfAChangedScenarioLeavesEveryByte) {
  const std::string out = path("out/sweep.h5");
  auto first = start_and_signal(out, SIGINT);
  ASSERT_TRUE(first->wait());
  ASSERT_TRUE(fs::exists(out + ".partial"));
  expect_refused("run " + long_sweep + " -q -o " + out + " --resume --set market.customers=1501", "different scenario");
  expect_refused("run " + long_sweep + " -q -o " + out + " --resume --events", "different scenario");
  expect_refused("run " + long_sweep + " -q -o " + out, "--resume");
  const Outcome resumed = loyalsim("run " + long_sweep + " -q -o " + out + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(same_data(reference(), out).status, 0);
}

TEST_F(OutputFaults, RefusalsBesideACompleteResultLeaveEveryByte) {
  const std::string out = path("out/tiny.h5");
  ASSERT_EQ(loyalsim("run " + tiny + " -q -o " + out).status, 0);
  expect_refused("run " + tiny + " -q -o " + out, "exists");
  expect_refused("run " + tiny + " -q -o " + out + " --resume", "nothing to resume");
  expect_refused("run " + tiny + " -q -o " + path("out/none.h5") + " --resume", "nothing to resume");
  expect_refused("run " + tiny + " -q -o " + path("out/missing/none.h5") + " --resume", "nothing to resume");
  EXPECT_FALSE(fs::exists(path("out/missing")));
}

// ------------------------------------------------------------ not regular files

TEST_F(OutputFaults, OutputsThatAreNotRegularFilesAreRefused) {
  const fs::path out = dir_ / "out";
  ASSERT_EQ(mkfifo((out / "fifo.h5").c_str(), 0644), 0);
  fs::create_directory(out / "folder.h5");
  fs::create_symlink("/dev/null", out / "null_link.h5");
  fs::create_symlink("fifo.h5", out / "fifo_link.h5");
  fs::create_symlink("folder.h5", out / "folder_link.h5");
  std::ofstream(out / "target.h5") << "not results";
  fs::create_symlink("target.h5", out / "file_link.h5");
  fs::create_symlink("nowhere.h5", out / "dangling_link.h5");
  // Companions: the .partial, .journal, .journal.new and .lock of an output.
  ASSERT_EQ(mkfifo((out / "a.h5.partial").c_str(), 0644), 0);
  fs::create_directory(out / "b.h5.journal");
  fs::create_symlink("/dev/full", out / "c.h5.lock");
  ASSERT_EQ(mkfifo((out / "d.h5.journal.new").c_str(), 0644), 0);

  // Devices: nodes of /dev/full and /dev/null made here, never the real
  // ones (a regressed binary ran with --force would replace the machine's
  // /dev/full and /dev/null with HDF5 files).
  bool devices = true;
  for (const auto& [name, minor] : {std::pair{"full.h5", 7}, std::pair{"null.h5", 3}}) {
    devices = devices && mknod((out / name).c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0;
  }
  if (devices) {
    for (const std::string name : {"full.h5", "null.h5"}) {
      for (const std::string flag : {"", " --force", " --resume"})
        expect_refused("run " + tiny + " -q -o " + (out / name).string() + flag, "character device");
      struct stat info {};
      ASSERT_EQ(lstat((out / name).c_str(), &info), 0);
      EXPECT_TRUE(S_ISCHR(info.st_mode)) << name << " was replaced";
    }
    fs::create_symlink("full.h5", out / "full_link.h5");
    expect_refused("run " + tiny + " -q --force -o " + (out / "full_link.h5").string(), "symbolic link");
  } else {
    std::cerr << "note: cannot make device nodes here (mknod needs root); devices not tested\n";
  }
  const std::vector<std::pair<std::string, std::string>> cases{{"fifo.h5", "FIFO"},
                                                               {"folder.h5", "directory"},
                                                               {"null_link.h5", "symbolic link"},
                                                               {"fifo_link.h5", "symbolic link"},
                                                               {"folder_link.h5", "symbolic link"},
                                                               {"file_link.h5", "symbolic link"},
                                                               {"dangling_link.h5", "symbolic link"},
                                                               {"a.h5", "FIFO"},
                                                               {"b.h5", "directory"},
                                                               {"c.h5", "symbolic link"},
                                                               {"d.h5", "FIFO"}};
  for (const auto& [name, fragment] : cases)
    for (const std::string flag : {"", " --force", " --resume"})
      expect_refused("run " + tiny + " -q -o " + (out / name).string() + flag, fragment);
}

// ------------------------------------------------------------ a damaged .partial

// The journal is the truth: a .partial cut short or overwritten by a crash
// is rebuilt from it, and the data come out identical.
TEST_F(OutputFaults, TruncatedOrCorruptedPartialResumesToIdenticalData) {
  for (const bool truncate : {true, false}) {
    const std::string out = path(truncate ? "out/truncated.h5" : "out/corrupted.h5");
    auto first = start_and_signal(out, SIGKILL);
    ASSERT_TRUE(first->wait());
    const fs::path partial = out + ".partial";
    ASSERT_TRUE(fs::exists(partial));
    const auto size = fs::file_size(partial);
    if (truncate) {
      fs::resize_file(partial, size / 3);
    } else {
      std::fstream f(partial, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(0);
      f << std::string(std::min<std::uintmax_t>(size, 4096), '\xff');
    }
    const Outcome resumed = loyalsim("run " + long_sweep + " -q -o " + out + " --resume");
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    const Outcome same = same_data(reference(), out);
    EXPECT_EQ(same.status, 0) << same.output;
  }
}

// ------------------------------------------------------------ interrupted and failed states

// The program's last line names the command to run next, and it works.
TEST_F(OutputFaults, CtrlCAfterForceOverAnExistingResultGivesAWorkingResumeHint) {
  const std::string out = path("out/sweep.h5");
  ASSERT_EQ(loyalsim("run " + long_sweep + " -q --threads 2 -o " + out).status, 0);
  auto forced = start_and_signal(out, SIGINT, {"--force"});
  ASSERT_TRUE(forced->wait());
  const std::string log = forced->output();
  ASSERT_TRUE(WIFEXITED(forced->raw()) && WEXITSTATUS(forced->raw()) == 1) << log;
  EXPECT_TRUE(contains(last_line(log), "--resume")) << log;
  ASSERT_NO_FATAL_FAILURE(run_hint_expecting_success(log));
  EXPECT_FALSE(fs::exists(out + ".journal"));
  EXPECT_EQ(same_data(reference(), out).status, 0);
}

// A kill between writing NAME.h5.journal.new and renaming it: the .partial
// and .journal.new exist but no journal. Neither a new run nor --resume may
// send the user in a circle: both name the command that works.
TEST_F(OutputFaults, KillDuringJournalCreationGivesAWorkingHintFromEitherCommand) {
  for (const std::string flag : {"", " --resume"}) {
    const std::string out = path(flag.empty() ? "out/plain.h5" : "out/resume.h5");
    auto first = start_and_signal(out, SIGKILL);
    ASSERT_TRUE(first->wait());
    // The state the kill leaves: a complete .journal.new not yet renamed.
    fs::rename(out + ".journal", out + ".journal.new");
    ASSERT_TRUE(fs::exists(out + ".partial"));
    const auto before = fingerprint(dir_ / "out");
    const Outcome o = loyalsim("run " + long_sweep + " -q -o " + out + flag);
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_EQ(fingerprint(dir_ / "out"), before);
    EXPECT_TRUE(contains(last_line(o.output), "--force")) << o.output;
    ASSERT_NO_FATAL_FAILURE(run_hint_expecting_success(o.output));
    EXPECT_FALSE(fs::exists(out + ".journal.new"));
    EXPECT_FALSE(fs::exists(out + ".partial"));
    EXPECT_EQ(same_data(reference(), out).status, 0);
  }
}

// A kill between renaming the finished file into place and deleting the
// journal: --resume finishes (rewriting the same result).
TEST_F(OutputFaults, KillBetweenCommitAndJournalRemovalResumes) {
  const std::string out = path("out/sweep.h5");
  auto first = start_and_signal(out, SIGKILL);
  ASSERT_TRUE(first->wait());
  fs::copy_file(out + ".journal", path("saved.journal"));
  ASSERT_EQ(loyalsim("run " + long_sweep + " -q -o " + out + " --resume").status, 0);
  fs::copy_file(path("saved.journal"), out + ".journal");
  const Outcome resumed = loyalsim("run " + long_sweep + " -q -o " + out + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_FALSE(fs::exists(out + ".journal"));
  EXPECT_EQ(same_data(reference(), out).status, 0);
  // Beside another scenario's result the journal is refused, changing nothing.
  ASSERT_EQ(loyalsim("run " + tiny + " -q --force -o " + out).status, 0);
  fs::copy_file(path("saved.journal"), out + ".journal");
  expect_refused("run " + long_sweep + " -q -o " + out + " --resume", "move it away");
}

// A full disk stops the sweep with one line of error (no HDF5 dump), keeps
// the finished runs, and the last line's --resume finishes it once there is
// room.
TEST_F(OutputFaults, DiskFullKeepsTheFinishedRunsAndTheHintResumes) {
  Tmpfs disk(dir_ / "out" / "disk", "size=160k");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root outside a locked-down container)";
  const std::string out = (dir_ / "out" / "disk" / "sweep.h5").string();
  const Outcome full = loyalsim("run " + long_sweep + " -q --threads 2 -o " + out);
  EXPECT_EQ(full.status, 1) << full.output;
  EXPECT_FALSE(contains(full.output, "HDF5-DIAG")) << full.output;
  EXPECT_TRUE(contains(full.output, "No space left on device")) << full.output;
  EXPECT_LE(std::count(full.output.begin(), full.output.end(), '\n'), 4) << full.output;
  EXPECT_TRUE(contains(last_line(full.output), "--resume")) << full.output;
  EXPECT_TRUE(fs::exists(out + ".journal"));
  ASSERT_TRUE(disk.remount("size=64m"));
  ASSERT_NO_FATAL_FAILURE(run_hint_expecting_success(full.output));
  EXPECT_EQ(same_data(reference(), out).status, 0);
}

// ulimit -f: SIGXFSZ is ignored, so the write fails with EFBIG and the run
// stops with a message and a hint instead of dying silently. Several limits,
// so the failure meets other runs at different points: a run cut short by
// the failure's cancellation must never be recorded as finished (it once
// was, and resuming then gave zeros for that run). The limits are in sh's
// 512-byte blocks: the smallest must hold the file with no run in it (about
// 80 kB with every dataset created), the largest must not hold it finished.
TEST_F(OutputFaults, FileSizeLimitGivesAMessageAndTheHintResumes) {
  for (const int blocks : {250, 300, 400, 600}) {
    const std::string out = path("out/sweep_" + std::to_string(blocks) + ".h5");
    const Outcome limited = shell("ulimit -f " + std::to_string(blocks) + " && " + std::string(LOYALSIM_EXE) + " run " +
                                  long_sweep + " -q --threads 2 -o " + out);
    EXPECT_EQ(limited.status, 1) << limited.output;
    EXPECT_FALSE(contains(limited.output, "HDF5-DIAG")) << limited.output;
    EXPECT_TRUE(contains(limited.output, "File too large")) << limited.output;
    EXPECT_TRUE(contains(last_line(limited.output), "--resume")) << limited.output;
    ASSERT_NO_FATAL_FAILURE(run_hint_expecting_success(limited.output));
    const Outcome same = same_data(reference(), out);
    EXPECT_EQ(same.status, 0) << "limit " << blocks << " blocks:\n" << same.output;
  }
}

// A file-size limit so small the results file cannot even be created: no run
// starts, nothing is left behind, and the hint is the same command again.
TEST_F(OutputFaults, FailureBeforeTheFirstRunLeavesNothingAndTheHintRunsAgain) {
  const std::string out = path("out/sweep.h5");
  const Outcome limited =
      shell("ulimit -f 1 && " + std::string(LOYALSIM_EXE) + " run " + long_sweep + " -q --threads 2 -o " + out);
  EXPECT_EQ(limited.status, 1) << limited.output;
  EXPECT_FALSE(contains(limited.output, "HDF5-DIAG")) << limited.output;
  EXPECT_TRUE(fingerprint(dir_ / "out").empty()) << limited.output;
  EXPECT_FALSE(contains(last_line(limited.output), "--resume")) << limited.output;
  ASSERT_NO_FATAL_FAILURE(run_hint_expecting_success(limited.output));
  EXPECT_EQ(same_data(reference(), out).status, 0);
}

// ------------------------------------------------------------ read-only folder

// Root ignores permission bits, so the folder is a read-only mount.
TEST_F(OutputFaults, ReadOnlyFolderIsRefusedAndNothingChanges) {
  Tmpfs disk(dir_ / "out" / "ro", "size=64m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here, and root ignores permission bits";
  const std::string out = (dir_ / "out" / "ro" / "sweep.h5").string();
  auto first = start_and_signal(out, SIGINT);
  ASSERT_TRUE(first->wait());
  ASSERT_TRUE(disk.remount("", MS_RDONLY));
  for (const std::string flag : {"", " --force", " --resume"})
    expect_refused("run " + long_sweep + " -q -o " + out + flag, "not writable");
  expect_refused("run " + tiny + " -q -o " + (dir_ / "out" / "ro" / "new.h5").string(), "not writable");
  ASSERT_TRUE(disk.remount(""));
  const Outcome resumed = loyalsim("run " + long_sweep + " -q -o " + out + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(same_data(reference(), out).status, 0);
}

}  // namespace
