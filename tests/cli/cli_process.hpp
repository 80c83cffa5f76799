// Running the loyalsim executable from the CLI tests: one-shot commands
// through the shell, long ones as child processes that a test can signal,
// and the journal's shape, which tests poll to interrupt a sweep mid-way.
// Shared by every CLI test file that drives real processes.
#pragma once

#include <fcntl.h>
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

namespace cli_test {

namespace fs = std::filesystem;

struct Outcome {
  int status;          // exit status, -1 if killed by a signal
  std::string output;  // stdout and stderr together
};

// Single-quoted for the shell. Built by appending: GCC 12 warns falsely
// (-Wrestrict) on "'" + s + "'".
inline std::string quoted(const std::string& text) {
  std::string result = "'";
  result += text;
  result += '\'';
  return result;
}

inline Outcome shell(const std::string& command_line) {
  FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe && fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int raw = pipe ? pclose(pipe) : -1;
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, output};
}

inline Outcome loyalsim(const std::string& arguments) { return shell(std::string(LOYALSIM_EXE) + " " + arguments); }

// tests/cli/compare_results.py COMMAND FILE...: exit 0 when the check holds.
inline Outcome check(const std::string& command, const std::vector<fs::path>& files) {
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

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// `loyalsim ARGS...` as a child process with stdout and stderr in `log`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& log) : log_(log) {
    std::vector<std::string> words{LOYALSIM_EXE};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
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
  // A child still running is killed (and continued, should a test have
  // stopped it, so that it can die).
  ~Child() {
    if (pid_ > 0 && !ended()) {
      kill(pid_, SIGKILL);
      kill(pid_, SIGCONT);
      waitpid(pid_, &raw_, 0);
    }
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void signal(int number) const { kill(pid_, number); }

  // True once the child has ended (its status is then in raw()).
  bool ended() {
    if (!reaped_) reaped_ = waitpid(pid_, &raw_, WNOHANG) == pid_;
    return reaped_;
  }
  // Waits (at most `limit`) for the child to end; false if it did not.
  bool wait(std::chrono::seconds limit = std::chrono::seconds(120)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!ended()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  // SIGKILL, and waits for the child to go.
  void kill_now() {
    if (ended()) return;
    kill(pid_, SIGKILL);
    reaped_ = waitpid(pid_, &raw_, 0) == pid_;
  }
  bool killed() const { return reaped_ && WIFSIGNALED(raw_) && WTERMSIG(raw_) == SIGKILL; }
  int raw() const { return raw_; }
  std::string output() const { return read_text(log_); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int raw_ = 0;
  bool reaped_ = false;
};

// Where the journal's records start (src/io/run_journal.hpp: magic (17
// bytes), u32 version, u64 header_size, the header, u32 CRC); 0 while the
// header is not complete.
inline std::uint64_t journal_header_end(const fs::path& journal) {
  std::ifstream in(journal, std::ios::binary);
  std::array<unsigned char, 29> head{};
  if (!in.read(reinterpret_cast<char*>(head.data()), head.size())) return 0;
  if (std::string(reinterpret_cast<const char*>(head.data()), 17) != "LOYALSIM-JOURNAL\n") return 0;
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = header_size << 8 | head[21 + i];
  return 29 + header_size + 4;
}

// Waits until the journal holds at least one run record while the child is
// still running. False if the child ended first or nothing came in 30 s.
// Polls briefly: some sweeps are quick.
inline bool wait_for_a_journal_record(Child& child, const fs::path& journal) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (child.ended()) return false;
    std::error_code error;
    const auto size = fs::file_size(journal, error);
    if (!error) {
      const std::uint64_t header_end = journal_header_end(journal);
      if (header_end > 0 && size > header_end) return true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

}  // namespace cli_test
