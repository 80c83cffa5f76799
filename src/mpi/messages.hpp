// The messages of a sweep across ranks (mpi/sweep_ranks.cpp), as thin
// wrappers over MPI's point-to-point calls. Every call is made from the
// rank's main thread.
//
//   worker -> rank 0   request   i64 k: "send me up to k more runs"
//                      result    bytes: one finished run (io::encode_run_payload)
//                      error     text: the worker failed (what()); it stops
//                      done      nothing: the worker sends nothing more
//   rank 0 -> worker   work      i64[]: run numbers; empty: there are no more
//                      stop      nothing: abandon the runs under way, then send done
//                      final     nothing: the reply to done; the worker may end
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loyalsim::mpi {

enum class Tag : int { request = 101, result, error, done, work, stop, final };

struct Incoming {
  int source = 0;
  Tag tag = Tag::request;
  std::vector<unsigned char> bytes;  // the payload, as sent
};

// The next message waiting from `source` (or from any rank: -1), received
// whole; nothing when none is waiting.
std::optional<Incoming> poll(int source = -1);
// The next message from `source`, waiting for it.
Incoming receive(int source);

void send(int destination, Tag tag, const void* data = nullptr, std::size_t bytes = 0);
void send_runs(int destination, const std::vector<std::int64_t>& runs);  // Tag::work
void send_text(int destination, Tag tag, const std::string& text);

// A payload read back as what send_runs / send_text / a request sent.
std::vector<std::int64_t> runs_of(const Incoming& message);
std::string text_of(const Incoming& message);
std::int64_t number_of(const Incoming& message);

}  // namespace loyalsim::mpi
