// The crash-safe record of a sweep's finished runs. HDF5 is not crash-safe:
// a process killed mid-write can leave the results file unreadable. So every
// finished run is also appended to a journal beside the output, one framed
// record per run, and `--resume` rebuilds the results file from the journal
// and carries on. A SIGKILL at any moment leaves the journal as it was before
// the interrupted append, plus at most a torn tail that the next resume cuts
// off. A damaged record (a flipped bit, a zeroed page) costs that run alone:
// every record carries a sync marker and its own checksummed header, so the
// reader finds the next intact record after damage and keeps everything else.
//
// File format (version 3; every integer little-endian, written byte by byte
// so the file is the same on any host):
//
//   "LOYALSIM-JOURNAL\n"                       17 bytes, magic
//   u32 version                                 3
//   u64 header_size
//   header_size bytes of header:
//     u64 n + n bytes scenario_hash, u64 runs, u64 months, u64 firms,
//     u64 segments, u8 events, u64 series metric count, u64 summary metric count,
//     u64 fingerprint of the payload's layout (the metric tables, event_columns
//     and run_columns: names and types; see run_journal.cpp)
//   u32 crc32 of everything above
//   records, each:
//     record header, 48 bytes:
//       8 bytes sync marker 89 'L' 'S' 'R' 'E' 'C' 0d 0a
//       u64 sequence    0, 1, 2, ... in file order: a gap counts lost records
//       u64 run         the run recorded (also in the payload)
//       u64 compressed_size, u64 raw_size
//       u32 crc32 of the compressed payload
//       u32 crc32 of the 44 bytes above (marker included)
//     compressed_size bytes: the payload, a zlib stream (compress2's format) at level 1, which
//       inflates to raw_size bytes (see run_journal.cpp for its fields).
//     record trailer, 20 bytes:
//       u64 sequence, u64 compressed_size (as in the record header)
//       u32 crc32 of those 16 bytes, seeded with crc32("LSEND")
//
// Reading (RunJournal::recover): a record whose header passes its CRC is
// trusted for its size, so damage inside its payload costs that record
// alone. A header that fails is skipped by scanning forward to the next sync
// marker whose header passes its CRC with a later sequence number; the gap
// in sequence numbers says exactly how many records the damaged bytes held.
// Damage running to the end of the file is told apart from a torn write by
// the trailer: a complete record ends with a valid trailer (whose sequence
// again counts the records lost), a write cut short by a kill does not.
// Other versions (1: no markers, no sequence; 2: events in another field
// order, counts as doubles) are refused with a message saying so.
//
// Doubles and floats are stored as their IEEE-754 bit patterns, so NaNs and
// signed zeros come back bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
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

// What recover() found in a journal.
struct JournalRecovery {
  std::size_t records = 0;          // intact records passed to on_run
  std::size_t damaged_records = 0;  // records lost to damage, exactly (their runs run again)
  std::uint64_t damaged_bytes = 0;  // bytes that failed their checksums (skipped or rewritten)
  bool torn_tail = false;           // an incomplete last record (a kill mid-append) was cut off
  std::uint64_t torn_bytes = 0;     // its size
  bool rewritten = false;           // damage was found, so the journal was compacted

  // For the resume message, to follow "N of M runs recovered from X": empty
  // when nothing was lost, else e.g. "; 1 damaged record skipped (its run
  // will run again)".
  std::string losses() const;
};

// One writer per journal: the open journal holds an exclusive flock(), so a
// second process resuming the same output is refused instead of interleaving.
// Not thread-safe: append() reuses buffers, so calls must be serialised (the
// sweep executor's on_done already is).
// One finished run as bytes: the journal's record payload (uncompressed,
// unframed), for any other carrier of finished runs (the MPI layer's
// messages). One encoding, one list of fields (encode_run in
// run_journal.cpp, walking the metric tables, event_columns and
// run_columns), so a run travels and is stored bit for bit the same.
void encode_run_payload(const RunRecord& record, const RunResult& result, std::vector<unsigned char>& out);
// What encode_run_payload wrote, into record and result (their vectors'
// memory is reused); the problem if the bytes do not hold a whole run.
std::optional<std::string> decode_run_payload(const unsigned char* data, std::size_t size, RunRecord& record,
                                              RunResult& result);

class RunJournal {
 public:
  // Creates a new journal, replacing any old one, and writes the header. The
  // header is written to "<path>.new" and renamed onto path, so a kill during
  // create leaves either the old journal or a complete new one.
  static RunJournal create(const std::filesystem::path& path, const JournalHeader& header);

  // Opens an existing journal to resume it: locks it and checks its header.
  // Changes nothing. Throws InputError, leaving the file untouched, if it is
  // missing, is not a journal, is of another format version, has a damaged
  // header, belongs to a different scenario (hash or shape differs) or is
  // open in another process. Call recover() before appending.
  static RunJournal open_for_resume(const std::filesystem::path& path, const JournalHeader& expected);

  // Reads an opened journal's records: calls `on_run` for every intact
  // record, in order, and returns what it found. A damaged record is skipped
  // and the records after it are kept; a torn tail (a kill mid-append) is
  // cut off. When records were damaged, the intact ones are then copied to
  // "<path>.new", which is renamed onto the journal (no fsync, as append()),
  // so a second resume reads a clean journal with the same runs. Throws
  // InputError, with the file untouched, if a record passes its checksums
  // but does not decode (only a writer bug could cause that); exceptions
  // from on_run propagate, with the file untouched too. Call once.
  JournalRecovery recover(const std::function<void(const RunRecord&, const RunResult&)>& on_run);

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
  // Copies the intact records to "<path>.new", renumbered, and renames it
  // onto the journal; the journal then appends to the new file.
  void compact();

  std::filesystem::path path_;
  int fd_ = -1;
  JournalHeader header_;
  std::uint64_t end_ = 0;            // file size after the last complete record
  bool broken_ = false;              // an append failed: the file's tail is not trustworthy
  bool recovered_ = true;            // false between open_for_resume() and recover(): no appends
  std::uint64_t records_start_ = 0;  // where the first record starts
  std::uint64_t next_sequence_ = 0;  // the sequence number of the next record appended
  // Reused by append(): after the first run, no allocation (and no fresh
  // pages to fault in) per record.
  std::vector<unsigned char> payload_, frame_;
};

}  // namespace loyalsim::io
