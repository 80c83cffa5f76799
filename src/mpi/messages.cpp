#include "mpi/messages.hpp"

#include <mpi.h>

#include <cstring>
#include <limits>
#include <stdexcept>

#include "core/errors.hpp"

namespace loyalsim::mpi {
namespace {

constexpr int first_tag = static_cast<int>(Tag::request);
constexpr int last_tag = static_cast<int>(Tag::final);

Incoming take(const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Incoming message;
  message.source = status.MPI_SOURCE;
  message.tag = static_cast<Tag>(status.MPI_TAG);
  message.bytes.resize(static_cast<std::size_t>(count));
  MPI_Recv(message.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (status.MPI_TAG < first_tag || status.MPI_TAG > last_tag)
    throw Error("MPI: a message with the unknown tag " + std::to_string(status.MPI_TAG) + " from rank " +
                std::to_string(status.MPI_SOURCE));
  return message;
}

}  // namespace

std::optional<Incoming> poll(int source) {
  int waiting = 0;
  MPI_Status status;
  MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &status);
  if (!waiting) return std::nullopt;
  return take(status);
}

Incoming receive(int source) {
  MPI_Status status;
  MPI_Probe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
  return take(status);
}

void send(int destination, Tag tag, const void* data, std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error("MPI: a message of " + std::to_string(bytes) + " bytes is larger than one send carries (2 GiB)");
  // MPI_Send takes a non-const pointer in MPI-2 headers; it does not write.
  MPI_Send(const_cast<void*>(data), static_cast<int>(bytes), MPI_BYTE, destination, static_cast<int>(tag),
           MPI_COMM_WORLD);
}

void send_runs(int destination, const std::vector<std::int64_t>& runs) {
  send(destination, Tag::work, runs.data(), runs.size() * sizeof(std::int64_t));
}

void send_text(int destination, Tag tag, const std::string& text) { send(destination, tag, text.data(), text.size()); }

std::vector<std::int64_t> runs_of(const Incoming& message) {
  std::vector<std::int64_t> runs(message.bytes.size() / sizeof(std::int64_t));
  if (!runs.empty()) std::memcpy(runs.data(), message.bytes.data(), runs.size() * sizeof(std::int64_t));
  return runs;
}

std::string text_of(const Incoming& message) { return {message.bytes.begin(), message.bytes.end()}; }

std::int64_t number_of(const Incoming& message) {
  std::int64_t n = 0;
  if (message.bytes.size() == sizeof n) std::memcpy(&n, message.bytes.data(), sizeof n);
  return n;
}

}  // namespace loyalsim::mpi
