#include "mpi/sweep_ranks.hpp"

#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "io/run_journal.hpp"
#include "mpi/messages.hpp"
#include "mpi/run_slots.hpp"

namespace loyalsim::mpi {
namespace {

// How long the main thread sleeps between looks at MPI when nothing woke it
// (a local run finishing wakes it at once). Short beside any run, and a
// sleep, not a busy wait: the main thread must not take a core from the runs.
constexpr auto poll_interval = std::chrono::microseconds(500);

// The writer's load, for docs/SCALING.md: with LOYALSIM_MPI_STATS set, rank
// 0 reports on standard error how many finished runs it received from other
// ranks, their bytes, and the time it spent decoding and recording (the
// journal and the file) every run.
struct WriterStats {
  std::int64_t messages = 0, local = 0;
  std::uint64_t bytes = 0;
  double decode_seconds = 0, record_seconds = 0, wall_seconds = 0;

  void report(const World& world) const {
    if (std::getenv("LOYALSIM_MPI_STATS") == nullptr) return;
    const std::int64_t runs = messages + local;
    std::cerr << "loyalsim: mpi stats: " << world.size << " ranks; " << messages << " runs received (" << bytes
              << " bytes, " << (messages ? bytes / static_cast<std::uint64_t>(messages) : 0) << " per run), " << local
              << " run here; decoding " << decode_seconds << " s, recording " << record_seconds << " s ("
              << (runs ? 1e3 * record_seconds / static_cast<double>(runs) : 0.0) << " ms per run), writer busy "
              << 100.0 * (decode_seconds + record_seconds) / wall_seconds << "% of " << wall_seconds << " s\n";
  }
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool raised(const std::atomic<bool>* flag) { return flag != nullptr && flag->load(std::memory_order_relaxed); }

// The runs of this rank stop on `stop` (raised on an interrupt or a failure
// anywhere); months are not reported (progress is counted in runs).
ExecutorOptions options_with_stop(const ExecutorOptions& options, const std::atomic<bool>* stop) {
  ExecutorOptions copy = options;
  copy.stop = stop;
  copy.on_month = nullptr;
  return copy;
}

// An unexpected failure of the MPI loop itself (not of a run): the ranks can
// no longer agree how to stop, so the job ends. Every run already recorded
// is in the journal (each append is whole or cut off).
[[noreturn]] void end_job(const World& world, const std::string& what) {
  std::cerr << "loyalsim: error: rank " << world.rank << ": " << what << "\n";
  abort_job(1);
}

}  // namespace

void lead_sweep(const World& world, const Scenario& base, const Design& design, std::span<const std::int64_t> pending,
                const ExecutorOptions& options, int threads, const RunDone& on_done) {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::int64_t> queue(pending.begin(), pending.end());  // under mutex
  std::deque<FinishedRun> inbox;                                   // under mutex: this rank's finished runs
  std::string local_error;                                         // under mutex: the first failure of a slot here
  std::atomic<bool> stop_here{false};
  const ExecutorOptions run_options = options_with_stop(options, &stop_here);
  InjectedFailure injected(world.rank);

  const auto size = static_cast<std::size_t>(world.size);
  std::vector<std::int64_t> assigned(size, 0);  // runs handed to each rank and not yet reported
  std::vector<bool> done(size, false);
  int live = world.size - 1;  // other ranks that have not said done
  std::size_t recorded = 0;
  bool stopping = false, interrupted = false;
  std::string failure;                // "rank K: what": the first rank that failed
  std::exception_ptr record_failure;  // what on_done threw (a failed write)
  WriterStats stats;
  const auto started = std::chrono::steady_clock::now();

  const auto stop_everyone = [&] {
    if (stopping) return;
    stopping = true;
    stop_here.store(true);
    {
      const std::lock_guard lock(mutex);
      queue.clear();
    }
    wake.notify_all();
    for (int rank = 1; rank < world.size; ++rank)
      if (!done[static_cast<std::size_t>(rank)]) send(rank, Tag::stop);
  };
  // The single-process path's on_done, on this thread only. After a failure
  // nothing more is recorded (as on one process, where runs still finishing
  // on other threads are not recorded once an add failed).
  const auto record = [&](const io::RunRecord& row, const RunResult& result) {
    if (!failure.empty() || record_failure) return;
    try {
      const auto start = std::chrono::steady_clock::now();
      on_done(row, result);
      stats.record_seconds += seconds_since(start);
      ++recorded;
      signal_mpirun_after(static_cast<std::int64_t>(recorded), options.stop);
    } catch (...) {
      record_failure = std::current_exception();
      stop_everyone();
    }
  };

  try {
    RunSlots slots(
        threads,
        [&]() -> std::optional<std::int64_t> {
          const std::lock_guard lock(mutex);
          if (queue.empty()) return std::nullopt;
          const std::int64_t run = queue.front();
          queue.pop_front();
          return run;
        },
        [&](std::int64_t run) {
          injected.before_run();
          FinishedRun finished = execute_run(base, design, run, run_options);
          {
            // Back-pressure, as on one process (where on_done is serialised):
            // while the writer is behind, this rank's slots wait instead of
            // piling up finished runs, so memory stays bounded by the thread
            // count and the other ranks get their share of the queue.
            std::unique_lock lock(mutex);
            wake.wait(lock, [&] { return inbox.size() < static_cast<std::size_t>(threads) || stop_here.load(); });
            inbox.push_back(std::move(finished));
          }
          wake.notify_all();
        },
        [&](const std::string& what) {
          const std::lock_guard lock(mutex);
          if (local_error.empty()) local_error = what;
        },
        [&] { wake.notify_all(); });

    FinishedRun decoded;
    for (;;) {
      while (std::optional<Incoming> message = poll()) {
        const auto from = static_cast<std::size_t>(message->source);
        const std::string rank = "rank " + std::to_string(message->source) + ": ";
        switch (message->tag) {
          case Tag::request: {
            std::vector<std::int64_t> runs;
            if (!stopping) {
              const std::lock_guard lock(mutex);
              for (std::int64_t k = number_of(*message); k > 0 && !queue.empty(); --k) {
                runs.push_back(queue.front());
                queue.pop_front();
              }
            }
            assigned[from] += static_cast<std::int64_t>(runs.size());
            send_runs(message->source, runs);
            break;
          }
          case Tag::result: {
            --assigned[from];
            if (!failure.empty() || record_failure) break;
            ++stats.messages;
            stats.bytes += message->bytes.size();
            const auto start = std::chrono::steady_clock::now();
            const auto problem =
                io::decode_run_payload(message->bytes.data(), message->bytes.size(), decoded.record, decoded.result);
            stats.decode_seconds += seconds_since(start);
            if (problem) {
              failure = rank + "sent a finished run that does not decode: " + *problem;
              stop_everyone();
              break;
            }
            record(decoded.record, decoded.result);
            break;
          }
          case Tag::error:
            if (failure.empty()) failure = rank + text_of(*message);
            stop_everyone();
            break;
          case Tag::done:
            done[from] = true;
            --live;
            if (!stopping && assigned[from] != 0) {
              failure = rank + "stopped with " + std::to_string(assigned[from]) + " runs unfinished";
              stop_everyone();
            }
            send(message->source, Tag::final);
            break;
          default:
            failure = rank + "sent an unexpected message";
            stop_everyone();
        }
      }
      // Whether every slot here had ended is read before the last finished
      // runs are taken: a slot delivers before it ends.
      const bool slots_ended = slots.finished();
      std::deque<FinishedRun> finished;
      std::string error;
      {
        const std::lock_guard lock(mutex);
        finished.swap(inbox);
        error = local_error;
      }
      wake.notify_all();  // slots waiting for room in the inbox
      stats.local += static_cast<std::int64_t>(finished.size());
      for (const FinishedRun& run : finished) record(run.record, run.result);
      if (slots_ended && error.empty() && !stopping) error = injected.at_end();
      if (!error.empty() && failure.empty()) {
        failure = "rank 0: " + error;
        stop_everyone();
      }
      if (raised(options.stop) && !stopping) {
        interrupted = true;
        stop_everyone();
      }
      if (live == 0 && slots_ended) break;
      std::unique_lock lock(mutex);
      wake.wait_for(lock, poll_interval, [&] { return !inbox.empty() || !local_error.empty(); });
    }
  } catch (const std::exception& e) {
    end_job(world, e.what());
  }

  stats.wall_seconds = seconds_since(started);
  stats.report(world);
  if (record_failure) std::rethrow_exception(record_failure);
  if (interrupted || raised(options.stop)) throw SweepInterrupted();
  if (!failure.empty()) throw Error(failure);
  if (recorded != pending.size())
    throw Error("the ranks finished with " + std::to_string(pending.size() - recorded) + " runs not executed");
}

int serve_sweep(const World& world, const Scenario& base, const Design& design, const ExecutorOptions& options,
                int threads) {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::int64_t> queue;                 // under mutex: runs handed to this rank, not yet started
  std::deque<std::vector<unsigned char>> outbox;  // under mutex: finished runs, encoded
  std::string local_error;                        // under mutex
  bool no_more = false, stopping = false;         // under mutex
  std::atomic<bool> stop_here{false};
  const ExecutorOptions run_options = options_with_stop(options, &stop_here);
  InjectedFailure injected(world.rank);
  bool stopped = false;  // told to stop, or stopped by its own failure or signal

  try {
    RunSlots slots(
        threads,
        [&]() -> std::optional<std::int64_t> {
          std::unique_lock lock(mutex);
          wake.wait(lock, [&] { return !queue.empty() || no_more || stopping; });
          if (stopping || queue.empty()) return std::nullopt;
          const std::int64_t run = queue.front();
          queue.pop_front();
          return run;
        },
        [&](std::int64_t run) {
          injected.before_run();
          const FinishedRun finished = execute_run(base, design, run, run_options);
          std::vector<unsigned char> bytes;
          io::encode_run_payload(finished.record, finished.result, bytes);
          {
            const std::lock_guard lock(mutex);
            outbox.push_back(std::move(bytes));
          }
          wake.notify_all();
        },
        [&](const std::string& what) {
          const std::lock_guard lock(mutex);
          if (local_error.empty()) local_error = what;
        },
        [&] { wake.notify_all(); });

    std::int64_t unanswered = 0;  // requests rank 0 has not answered yet
    const auto ask = [&](std::int64_t runs) {
      send(0, Tag::request, &runs, sizeof runs);
      ++unanswered;
    };
    // One run per slot and one in reserve, so a slot that frees up finds its
    // next run here rather than waiting for a round trip to rank 0.
    ask(threads + 1);
    bool reported = false;  // this rank's failure or interrupt was sent
    const auto stop_here_now = [&] {
      {
        const std::lock_guard lock(mutex);
        stopping = true;
      }
      stop_here.store(true);
      wake.notify_all();
      stopped = true;
    };
    for (;;) {
      while (std::optional<Incoming> message = poll(0)) {
        if (message->tag == Tag::work) {
          --unanswered;
          const std::vector<std::int64_t> runs = runs_of(*message);
          {
            const std::lock_guard lock(mutex);
            if (runs.empty()) no_more = true;
            else if (!stopping) queue.insert(queue.end(), runs.begin(), runs.end());
          }
          wake.notify_all();
        } else if (message->tag == Tag::stop) {
          stop_here_now();
        }
      }
      const bool slots_ended = slots.finished();
      std::deque<std::vector<unsigned char>> finished;
      std::string error;
      bool more;
      {
        const std::lock_guard lock(mutex);
        finished.swap(outbox);
        error = local_error;
        more = !no_more && !stopping;
      }
      for (const auto& bytes : finished) {
        send(0, Tag::result, bytes.data(), bytes.size());
        if (more) ask(1);
      }
      if (slots_ended && error.empty() && !stopped) error = injected.at_end();
      if (!reported && (!error.empty() || raised(options.stop))) {
        send_text(0, Tag::error, error.empty() ? "interrupted by a signal" : error);
        reported = true;
        stop_here_now();
      }
      if (slots_ended && unanswered == 0) break;
      std::unique_lock lock(mutex);
      wake.wait_for(lock, poll_interval, [&] { return !outbox.empty() || !local_error.empty(); });
    }
    send(0, Tag::done);
    // Anything rank 0 sent before it saw `done` (a stop) is read and
    // dropped; `final` is its last word.
    while (receive(0).tag != Tag::final) {
    }
  } catch (const std::exception& e) {
    end_job(world, e.what());
  }
  // 0 even when stopped: rank 0 reports the stop and exits non-zero, so
  // mpirun's status is rank 0's alone (its message is the job's one message).
  return 0;
}

std::string agree_on_inputs(const World& world, const std::string& problem) {
  int bad = problem.empty() ? 0 : 1;
  std::vector<int> all(static_cast<std::size_t>(world.size), 0);
  MPI_Gather(&bad, 1, MPI_INT, all.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  int first = -1;
  if (world.root())
    for (int rank = 0; rank < world.size && first < 0; ++rank)
      if (all[static_cast<std::size_t>(rank)] != 0) first = rank;
  MPI_Bcast(&first, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (first < 0) return {};
  if (first == 0 || !world.root()) {
    if (world.rank == first && first != 0) send_text(0, Tag::error, problem);
    return problem.empty() ? "rank " + std::to_string(first) + " refused the inputs" : problem;
  }
  // Rank 0 read the inputs fine, rank `first` did not (a file it cannot see).
  return "rank " + std::to_string(first) + ": " + text_of(receive(first));
}

int share_decision(const World& world, int decision) {
  (void)world;
  MPI_Bcast(&decision, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return decision;
}

void check_test_hooks(const World& world) { const InjectedFailure hook(world.rank); }

}  // namespace loyalsim::mpi
