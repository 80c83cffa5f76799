// A rank's own cores at work: `threads` slots, each taking a run, executing
// it and handing it on, until there are none left. The slots run in a
// oneTBB arena of `threads` threads on a thread of their own, so the rank's
// main thread stays free for MPI (all MPI calls are made there).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace loyalsim::mpi {

class RunSlots {
 public:
  // take(): the next run for a slot, or nothing (the slot ends); it may
  // wait. work(run): executes and delivers it; SweepInterrupted ends the
  // slot quietly, any other exception ends it and goes to on_error(what()).
  // notify() is called whenever a slot ends, so a waiting main thread wakes.
  RunSlots(int threads, std::function<std::optional<std::int64_t>()> take, std::function<void(std::int64_t)> work,
           std::function<void(const std::string&)> on_error, std::function<void()> notify);
  ~RunSlots();  // waits for every slot to end
  RunSlots(const RunSlots&) = delete;
  RunSlots& operator=(const RunSlots&) = delete;

  bool finished() const { return finished_.load(); }

 private:
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

// The test hook LOYALSIM_TEST_FAIL_RANK=K[:N] (tests/mpi/): rank K throws
// an error when it starts its (N+1)-th run (N = 0 when not given), to test
// how a failing rank stops the job; a rank handed fewer runs fails when told
// there are no more, so the failure happens whatever the scheduling. Not for
// users; read only here, only under mpirun.
class InjectedFailure {
 public:
  explicit InjectedFailure(int rank);  // reads the environment
  void before_run();                   // throws when this rank's time has come
  // At the end of this rank's runs: the failure's message if it is armed
  // and has not happened yet, else empty.
  std::string at_end() const;

 private:
  bool armed_ = false;
  std::int64_t after_ = 0;
  std::atomic<std::int64_t> started_{0};
};

// The test hook LOYALSIM_TEST_TERM_AFTER=N (tests/mpi/): once rank 0 has
// counted N (finished runs of a sweep, months of a split run), it sends
// SIGTERM to its parent, mpirun (which passes it on to every rank, as for
// Ctrl-C or scancel), and waits until `stop` is raised here, so the signal
// lands mid-job however fast the work is. Not for users; read only here,
// only under mpirun.
void signal_mpirun_after(std::int64_t count, const std::atomic<bool>* stop);

}  // namespace loyalsim::mpi
