// The crash-safe record of a sweep's finished runs. HDF5 is not crash-safe:
// a process killed mid-write can leave the results file unreadable. So every
// finished run is also appended to a journal beside the output, one framed
// record per run, and `--resume` rebuilds the results file from the journal
// and carries on. A SIGKILL at any moment leaves the journal as it was before
// the interrupted append, plus at most a torn tail that the next open cuts off.
//
// File format (version 1; every integer little-endian, written byte by byte
// so the file is the same on any host):
//
//   "LOYALSIM-JOURNAL\n"                       17 bytes, magic
//   u32 version                                 1
//   u64 header_size
//   header_size bytes of header:
//     u64 n + n bytes scenario_hash, u64 runs, u64 months, u64 firms,
//     u64 segments, u8 events, u64 series metric count, u64 summary metric count
//   u32 crc32 of everything above
//   records, each:
//     u64 compressed_size, u64 raw_size,
//     u32 crc32 of the two sizes and the compressed payload,
//     compressed_size bytes: the payload, zlib compress2 level 1, which
//     inflates to raw_size bytes (see run_journal.cpp for its fields).
//
// Doubles and floats are stored as their IEEE-754 bit patterns, so NaNs and
// signed zeros come back bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/run_result.hpp"
#include "io/results_file.hpp"

namespace loyalsim::io {

// What a journal belongs to. Resuming refuses a journal whose header differs
// from the scenario being run.
struct JournalHeader {
  std::string scenario_hash;  // identifies the resolved scenario (the caller's choice of hash)
  std::size_t runs = 0;       // runs in the sweep
  std::size_t months = 0;     // recorded months per run
  std::size_t firms = 0;
  std::size_t segments = 0;
  bool events = false;  // runs carry their decision events
};

// One writer per journal: the open journal holds an exclusive flock(), so a
// second process resuming the same output is refused instead of interleaving.
// Not thread-safe: append() reuses buffers, so calls must be serialised (the
// sweep executor's on_done already is).
class RunJournal {
 public:
  // Creates a new journal, replacing any old one, and writes the header. The
  // header is written to "<path>.new" and renamed onto path, so a kill during
  // create leaves either the old journal or a complete new one.
  static RunJournal create(const std::filesystem::path& path, const JournalHeader& header);

  // Opens an existing journal for appending after reading it: calls `on_run`
  // for every complete, intact record in order. Reading stops at the first
  // record that is torn (a kill mid-write) or fails its CRC (damage); that
  // record and everything after it is cut off the file, and *tail_dropped is
  // set. Those runs were not recorded, so the sweep simply runs them again.
  // Throws InputError, leaving the file untouched, if it is missing, is not a
  // journal, has a damaged header, belongs to a different scenario (hash or
  // shape differs) or is open in another process; also (after the records
  // before it were passed to on_run) if a record passes its CRC but does not
  // decode, which only a writer bug could cause. Exceptions from on_run
  // propagate, with the file untouched.
  static RunJournal open_for_resume(const std::filesystem::path& path, const JournalHeader& expected,
                                    const std::function<void(const RunRecord&, const RunResult&)>& on_run,
                                    std::size_t* records_read = nullptr, bool* tail_dropped = nullptr);

  RunJournal(RunJournal&& other) noexcept;
  RunJournal& operator=(RunJournal&& other) noexcept;
  RunJournal(const RunJournal&) = delete;
  RunJournal& operator=(const RunJournal&) = delete;
  ~RunJournal();  // closes the file; the journal stays on disk

  // Appends one completed run as a single write() of the whole framed record,
  // so a SIGKILL leaves either the whole record or a detectable torn tail.
  // No fsync: a killed process's write()s survive in the page cache; only a
  // power loss needs sync(). If the write fails (disk full), the partial
  // record is truncated away and Error is thrown; if even that fails, the
  // journal refuses further appends. A run of the wrong shape, or outside
  // 0..runs-1, is refused with Error.
  void append(const RunRecord& record, const RunResult& result);

  // fsync: makes the appended records survive a power loss too.
  void sync();

  // Deletes the journal (and a leftover "<path>.new"); a missing file is fine.
  static void remove(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }

 private:
  RunJournal(std::filesystem::path path, int fd, JournalHeader header, std::uint64_t end);
  void close() noexcept;

  std::filesystem::path path_;
  int fd_ = -1;
  JournalHeader header_;
  std::uint64_t end_ = 0;  // file size after the last complete record
  bool broken_ = false;    // an append failed: the file's tail is not trustworthy
  // Reused by append(): after the first run, no allocation (and no fresh
  // pages to fault in) per record.
  std::vector<unsigned char> payload_, frame_;
};

}  // namespace loyalsim::io
