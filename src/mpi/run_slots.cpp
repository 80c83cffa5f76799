#include "mpi/run_slots.hpp"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "core/errors.hpp"
#include "sweep/executor.hpp"

namespace loyalsim::mpi {

RunSlots::RunSlots(int threads, std::function<std::optional<std::int64_t>()> take,
                   std::function<void(std::int64_t)> work, std::function<void(const std::string&)> on_error,
                   std::function<void()> notify) {
  thread_ = std::thread([this, threads, take = std::move(take), work = std::move(work), on_error = std::move(on_error),
                         notify = std::move(notify)] {
    const auto slot = [&] {
      try {
        while (const std::optional<std::int64_t> run = take()) work(*run);
      } catch (const SweepInterrupted&) {
        // stopped: the run under way is abandoned, as on one process
      } catch (const std::exception& e) {
        on_error(e.what());
      } catch (...) {
        on_error("an unknown exception");
      }
      notify();
    };
    // As many runs side by side as threads, as execute_runs does on one
    // process; each run's month steps are parallel inside (isolated).
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::task_group slots;
      for (int i = 0; i < threads; ++i) slots.run(slot);
      slots.wait();
    });
    finished_.store(true);
    notify();
  });
}

RunSlots::~RunSlots() {
  if (thread_.joinable()) thread_.join();
}

InjectedFailure::InjectedFailure(int rank) {
  const char* hook = std::getenv("LOYALSIM_TEST_FAIL_RANK");
  if (hook == nullptr) return;
  const std::string_view text(hook);
  int failing = -1;
  const char* end = text.data() + text.size();
  std::from_chars_result read = std::from_chars(text.data(), end, failing);
  if (read.ec == std::errc() && read.ptr != end && *read.ptr == ':') read = std::from_chars(read.ptr + 1, end, after_);
  if (read.ec != std::errc() || read.ptr != end || failing < 0 || after_ < 0)
    throw InputError("LOYALSIM_TEST_FAIL_RANK=" + std::string(text) + ": expected RANK or RANK:RUNS (a test hook)");
  armed_ = failing == rank;
}

namespace {
std::string injected_message(std::int64_t after) {
  return "failure injected by the test hook LOYALSIM_TEST_FAIL_RANK after " + std::to_string(after) + " run" +
         (after == 1 ? "" : "s");
}
}  // namespace

void InjectedFailure::before_run() {
  if (armed_ && started_.fetch_add(1) >= after_) throw Error(injected_message(after_));
}

std::string InjectedFailure::at_end() const {
  return armed_ && started_.load() <= after_ ? injected_message(after_) : std::string();
}

void signal_mpirun_after(std::int64_t count, const std::atomic<bool>* stop) {
  static const long after = [] {
    const char* hook = std::getenv("LOYALSIM_TEST_TERM_AFTER");
    return hook == nullptr ? -1L : std::strtol(hook, nullptr, 10);
  }();
  if (after < 0 || count != after) return;
  ::kill(::getppid(), SIGTERM);
  const auto raised = [stop] { return stop != nullptr && stop->load(std::memory_order_relaxed); };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!raised() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace loyalsim::mpi
