#include "mpi/reducer.hpp"

#include <chrono>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <type_traits>

namespace loyalsim::mpi {
namespace {

// MPI counts are ints: a span longer than that would be cut silently.
int count_of(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX)) throw std::length_error(std::string("split run: too many ") + what);
  return static_cast<int>(n);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

MpiReducer::MpiReducer(MPI_Comm comm) : comm_(comm) { stats_.on = std::getenv("LOYALSIM_MPI_STATS") != nullptr; }

template <class Reduce>
void MpiReducer::timed(std::size_t bytes, Reduce reduce) {
  if (!stats_.on) {
    reduce();
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  MPI_Barrier(comm_);
  const auto reduced = std::chrono::steady_clock::now();
  reduce();
  stats_.waiting_seconds += std::chrono::duration<double>(reduced - start).count();
  stats_.reducing_seconds += seconds_since(reduced);
  ++stats_.calls;
  stats_.bytes += bytes;
}

void MpiReducer::sum(std::span<std::int64_t> values) {
  const int n = count_of(values.size(), "tallies");
  timed(values.size_bytes(), [&] { MPI_Allreduce(MPI_IN_PLACE, values.data(), n, MPI_INT64_T, MPI_SUM, comm_); });
}

void MpiReducer::sum(std::span<std::int32_t> values) {
  const int n = count_of(values.size(), "book sizes");
  timed(values.size_bytes(), [&] { MPI_Allreduce(MPI_IN_PLACE, values.data(), n, MPI_INT32_T, MPI_SUM, comm_); });
}

bool MpiReducer::any(bool mine) {
  int flag = mine ? 1 : 0;
  timed(sizeof flag, [&] { MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, comm_); });
  return flag != 0;
}

void MpiReducer::gather(std::vector<DecisionEvent>& events) {
  timed(events.size() * sizeof(DecisionEvent), [&] { gather_now(events); });
}

void MpiReducer::gather_now(std::vector<DecisionEvent>& events) {
  // Events travel as their bytes: one process, one build, one layout.
  static_assert(std::is_trivially_copyable_v<DecisionEvent>);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm_, &rank);
  MPI_Comm_size(comm_, &size);
  const int mine = count_of(events.size(), "decision events in a month");
  std::vector<int> counts(rank == 0 ? static_cast<std::size_t>(size) : 0);
  MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_);

  MPI_Datatype event_type;
  MPI_Type_contiguous(static_cast<int>(sizeof(DecisionEvent)), MPI_BYTE, &event_type);
  MPI_Type_commit(&event_type);
  if (rank == 0) {
    std::vector<int> offsets(counts.size(), 0);
    std::size_t total = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      offsets[k] = count_of(total, "decision events in a month");
      total += static_cast<std::size_t>(counts[k]);
    }
    count_of(total, "decision events in a month");
    std::vector<DecisionEvent> all(total);
    MPI_Gatherv(events.data(), mine, event_type, all.data(), counts.data(), offsets.data(), event_type, 0, comm_);
    events = std::move(all);
  } else {
    MPI_Gatherv(events.data(), mine, event_type, nullptr, nullptr, nullptr, event_type, 0, comm_);
    events.clear();
  }
  MPI_Type_free(&event_type);
}

}  // namespace loyalsim::mpi
