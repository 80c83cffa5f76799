// The run journal is written for real, damaged in the ways a kill or a disk
// can damage it (cut short, bytes flipped, garbage, a SIGKILL mid-append),
// and read back: what comes back is always a prefix of what was appended,
// bit for bit, and appending carries on after it.
#include <gtest/gtest.h>

#include "scratch_folder.hpp"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/run_result.hpp"
#include "io/results_file.hpp"
#include "io/run_journal.hpp"

namespace loyalsim::io {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------ fixtures

// A folder per test, removed afterwards; file() defaults to a journal name.
class ScratchFolder : public test::ScratchFolder {
 public:
  ScratchFolder() : test::ScratchFolder("loyalsim-journal") {}
  fs::path file(const std::string& name = "sweep.h5.journal") const { return test::ScratchFolder::file(name); }
};

constexpr std::size_t months = 4, firms = 2, segments = 3;

JournalHeader small_header() { return {"3f2a9c0d1e7b", 1000, months, firms, segments, true}; }

struct JournaledRun {
  RunRecord record;
  RunResult result;
};

// Bit patterns a naive encoding (text, float conversion) would lose.
const std::vector<std::uint64_t> awkward_doubles{
    0x7ff8000000000123,  // quiet NaN with a payload
    0xfff8000000000000,  // negative quiet NaN
    0x7ff0000000000001,  // signalling NaN
    0x8000000000000000,  // -0.0
    0x7ff0000000000000,  // +inf
    0x0000000000000001,  // smallest denormal
};

// A run whose every field depends on `i`, filled with pseudo-random values so
// that compression does not hide encoding mistakes.
JournaledRun make_run(std::int64_t i, std::size_t n_events = 5) {
  std::mt19937_64 random(static_cast<std::uint64_t>(i) * 7919 + 1);
  const auto real = [&] { return std::bit_cast<double>((random() >> 12) | 0x3ff0000000000000) - 1.0; };
  JournaledRun run;
  run.record.run = i;
  run.record.point = i / 3;
  run.record.replicate = i % 3;
  run.record.seed = random();
  run.record.status = i % 2 ? RunStatus::done : RunStatus::failed;
  run.record.wall_seconds = real();
  run.record.scripted_shortfall = -i;
  run.record.parameter_values = {real(),
                                 std::bit_cast<double>(awkward_doubles[static_cast<std::size_t>(i) % 6])};

  RunResult& r = run.result;
  r.allocate(months, firms, segments);
  for (auto& s : r.series) {
    for (double& v : s) v = real();
  }
  for (auto& t : r.totals) {
    for (double& v : t) v = real() * 1e6;
  }
  for (std::size_t k = 0; k < awkward_doubles.size(); ++k) {
    r.series[index_of(Series::brand_loyalty_mean)][k] = std::bit_cast<double>(awkward_doubles[k]);
    r.totals[index_of(Total::follow_rate)][k] = std::bit_cast<double>(awkward_doubles[k]);
  }
  for (std::size_t k = 0; k < n_events; ++k) {
    r.events.push_back(
        {static_cast<std::int32_t>(k % months + 1), static_cast<std::int32_t>(random() % 100000),
         static_cast<std::int32_t>(random() % 500), static_cast<std::int16_t>(k % firms),
         static_cast<std::int16_t>(k % 3 == 0 ? -1 : 1), static_cast<std::uint8_t>(k % segments),
         static_cast<Choice>(k % 3), static_cast<float>(real()),
         k == 0 ? std::bit_cast<float>(std::uint32_t{0x7fc00abc}) : static_cast<float>(real())});
  }
  r.wall_seconds = i == 1 ? std::bit_cast<double>(awkward_doubles[0]) : real();  // scalars keep NaN bits too
  r.customer_months = static_cast<std::int64_t>(random() >> 1);
  r.scripted_shortfall = i;
  r.state_bytes = static_cast<std::size_t>(random() % 1000000);
  return run;
}

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }
std::uint32_t bits(float v) { return std::bit_cast<std::uint32_t>(v); }

void expect_bitwise_equal(const std::vector<double>& a, const std::vector<double>& b,
                          const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(bits(a[k]), bits(b[k])) << what << "[" << k << "]";
}

void expect_same_run(const JournaledRun& want, const RunRecord& record, const RunResult& result) {
  const RunRecord& w = want.record;
  EXPECT_EQ(record.run, w.run);
  EXPECT_EQ(record.point, w.point);
  EXPECT_EQ(record.replicate, w.replicate);
  EXPECT_EQ(record.seed, w.seed);
  EXPECT_EQ(record.status, w.status);
  EXPECT_EQ(bits(record.wall_seconds), bits(w.wall_seconds));
  EXPECT_EQ(record.scripted_shortfall, w.scripted_shortfall);
  expect_bitwise_equal(record.parameter_values, w.parameter_values, "parameter_values");

  const RunResult& r = want.result;
  EXPECT_EQ(result.months, r.months);
  EXPECT_EQ(result.firms, r.firms);
  EXPECT_EQ(result.segments, r.segments);
  ASSERT_EQ(result.series.size(), r.series.size());
  for (std::size_t i = 0; i < r.series.size(); ++i) {
    expect_bitwise_equal(result.series[i], r.series[i], std::string(series_metrics[i].name));
  }
  ASSERT_EQ(result.totals.size(), r.totals.size());
  for (std::size_t i = 0; i < r.totals.size(); ++i) {
    expect_bitwise_equal(result.totals[i], r.totals[i], std::string(summary_metrics[i].name));
  }
  ASSERT_EQ(result.events.size(), r.events.size());
  for (std::size_t k = 0; k < r.events.size(); ++k) {
    const DecisionEvent &a = result.events[k], &b = r.events[k];
    EXPECT_EQ(a.month, b.month);
    EXPECT_EQ(a.customer, b.customer);
    EXPECT_EQ(a.rep, b.rep);
    EXPECT_EQ(a.from_firm, b.from_firm);
    EXPECT_EQ(a.to_firm, b.to_firm);
    EXPECT_EQ(a.segment, b.segment);
    EXPECT_EQ(a.choice, b.choice);
    EXPECT_EQ(bits(a.brand_loyalty), bits(b.brand_loyalty));
    EXPECT_EQ(bits(a.rep_loyalty), bits(b.rep_loyalty));
  }
  EXPECT_EQ(bits(result.wall_seconds), bits(r.wall_seconds));
  EXPECT_EQ(result.customer_months, r.customer_months);
  EXPECT_EQ(result.scripted_shortfall, r.scripted_shortfall);
  EXPECT_EQ(result.state_bytes, r.state_bytes);
}

// Writes runs 0..n-1 and returns the file size after the header and after
// each record: the record boundaries.
std::vector<std::uintmax_t> write_journal(const fs::path& path, std::int64_t n) {
  auto journal = RunJournal::create(path, small_header());
  std::vector<std::uintmax_t> ends{fs::file_size(path)};
  for (std::int64_t i = 0; i < n; ++i) {
    const JournaledRun run = make_run(i);
    journal.append(run.record, run.result);
    ends.push_back(fs::file_size(path));
  }
  return ends;
}

struct ReadBack {
  std::size_t records = 0;
  bool tail_dropped = false;
};

// Resumes the journal, checking each record against make_run(its position),
// then closes it.
ReadBack read_journal(const fs::path& path, const JournalHeader& header = small_header()) {
  ReadBack back;
  std::int64_t next = 0;
  RunJournal::open_for_resume(
      path, header,
      [&](const RunRecord& record, const RunResult& result) {
        expect_same_run(make_run(next++), record, result);
      },
      &back.records, &back.tail_dropped);
  EXPECT_EQ(static_cast<std::int64_t>(back.records), next) << "records_read counts the on_run calls";
  return back;
}

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void overwrite(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The InputError message, or "" if none was thrown.
std::string input_error_of(const fs::path& path, const JournalHeader& header = small_header()) {
  try {
    RunJournal::open_for_resume(path, header, [](const RunRecord&, const RunResult&) {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// ------------------------------------------------------------ round trip

TEST(RunJournalRoundTrip, EveryFieldOfEveryRunComesBackBitForBitIncludingNaNPayloads) {
  ScratchFolder folder;
  write_journal(folder.file(), 6);
  const ReadBack back = read_journal(folder.file());
  EXPECT_EQ(back.records, 6u);
  EXPECT_FALSE(back.tail_dropped);
}

TEST(RunJournalRoundTrip, AFreshJournalReadsAsNoRecordsWithNothingDropped) {
  ScratchFolder folder;
  const auto ends = write_journal(folder.file(), 0);
  const ReadBack back = read_journal(folder.file());
  EXPECT_EQ(back.records, 0u);
  EXPECT_FALSE(back.tail_dropped);
  EXPECT_EQ(fs::file_size(folder.file()), ends[0]);
}

TEST(RunJournalRoundTrip, AResumedJournalAppendsAfterItsExistingRecords) {
  ScratchFolder folder;
  write_journal(folder.file(), 3);
  for (std::int64_t i = 3; i < 6; ++i) {
    auto journal =
        RunJournal::open_for_resume(folder.file(), small_header(), [](const RunRecord&, const RunResult&) {});
    const JournaledRun run = make_run(i);
    journal.append(run.record, run.result);
  }
  EXPECT_EQ(read_journal(folder.file()).records, 6u);
}

TEST(RunJournalRoundTrip, RecordsAreCompressed) {
  ScratchFolder folder;
  JournalHeader header = small_header();
  header.months = 120;
  auto journal = RunJournal::create(folder.file(), header);
  const auto before = fs::file_size(folder.file());
  JournaledRun run;
  run.result.allocate(header.months, firms, segments);  // zeros, like most counts of a real run
  run.result.events.resize(1000);
  journal.append(run.record, run.result);
  const std::size_t raw_doubles = 14 * 120 * firms * segments;  // the timeseries alone
  EXPECT_LT(fs::file_size(folder.file()) - before, raw_doubles * 8 / 20);
}

TEST(RunJournalRoundTrip, MovedJournalKeepsAppendingToTheSameFile) {
  ScratchFolder folder;
  {
    auto first = RunJournal::create(folder.file(), small_header());
    RunJournal second = std::move(first);
    const JournaledRun run = make_run(0);
    second.append(run.record, run.result);
    EXPECT_THROW(first.append(run.record, run.result), Error);  // NOLINT(bugprone-use-after-move): the point
    second.sync();
  }
  EXPECT_EQ(read_journal(folder.file()).records, 1u);
}

// ------------------------------------------------------------ torn tail

TEST(RunJournalTornTail, CuttingTheLastRecordShortDropsOnlyItAndAppendingContinuesAfterTheRest) {
  ScratchFolder folder;
  const fs::path original = folder.file("original"), path = folder.file();
  const auto ends = write_journal(original, 4);
  const std::uintmax_t last = ends[4] - ends[3];
  // Inside the frame's sizes, its CRC, just past it, mid-payload, one byte short.
  for (const std::uintmax_t cut :
       {last - 1, last - 8, last - 16, last - 19, last - 20, last - 21, last / 2, std::uintmax_t{1}}) {
    SCOPED_TRACE("cut " + std::to_string(cut) + " of the last record's " + std::to_string(last) + " bytes");
    fs::copy_file(original, path, fs::copy_options::overwrite_existing);
    fs::resize_file(path, ends[4] - cut);

    ReadBack back = read_journal(path);
    EXPECT_EQ(back.records, 3u);
    EXPECT_TRUE(back.tail_dropped);
    EXPECT_EQ(fs::file_size(path), ends[3]) << "the torn tail is cut off the file";

    // Run 3 again, as a resumed sweep would, then one more.
    {
      auto journal =
          RunJournal::open_for_resume(path, small_header(), [](const RunRecord&, const RunResult&) {});
      for (std::int64_t i = 3; i < 5; ++i) {
        const JournaledRun run = make_run(i);
        journal.append(run.record, run.result);
      }
    }
    back = read_journal(path);
    EXPECT_EQ(back.records, 5u);
    EXPECT_FALSE(back.tail_dropped);
  }
}

TEST(RunJournalTornTail, CuttingAtARecordBoundaryLeavesAValidJournalWithNothingDropped) {
  ScratchFolder folder;
  const auto ends = write_journal(folder.file(), 4);
  for (std::size_t keep = 4; keep-- > 0;) {
    fs::resize_file(folder.file(), ends[keep]);
    const ReadBack back = read_journal(folder.file());
    EXPECT_EQ(back.records, keep);
    EXPECT_FALSE(back.tail_dropped);
  }
}

TEST(RunJournalTornTail, ZerosAfterTheLastRecordAreDetectedAndCutOff) {
  // What a power loss can leave: the size grew but the data never landed.
  ScratchFolder folder;
  const auto ends = write_journal(folder.file(), 2);
  for (const std::size_t zeros : {1, 20, 4096}) {
    SCOPED_TRACE(std::to_string(zeros) + " zero bytes");
    std::ofstream(folder.file(), std::ios::binary | std::ios::app) << std::string(zeros, '\0');
    const ReadBack back = read_journal(folder.file());
    EXPECT_EQ(back.records, 2u);
    EXPECT_TRUE(back.tail_dropped);
    EXPECT_EQ(fs::file_size(folder.file()), ends[2]);
  }
}

// ------------------------------------------------------------ corruption

// Policy: records are only trusted in order, so the first record that fails
// its CRC is dropped with everything after it (the sweep re-runs those runs;
// framing after a damaged record cannot be trusted anyway).
TEST(RunJournalCorruption, AFlippedByteAnywhereInARecordDropsThatRecordAndEverythingAfterIt) {
  ScratchFolder folder;
  const fs::path original = folder.file("original"), path = folder.file();
  const auto ends = write_journal(original, 5);
  const std::string clean = contents(original);
  const std::uintmax_t start = ends[2], size = ends[3] - ends[2];  // record 2 of 0..4
  for (const std::uintmax_t at : {std::uintmax_t{0}, std::uintmax_t{7}, std::uintmax_t{9}, std::uintmax_t{16},
                                  std::uintmax_t{19}, std::uintmax_t{20}, size / 2, size - 1}) {
    SCOPED_TRACE("byte " + std::to_string(at) + " of " + std::to_string(size));
    std::string damaged = clean;
    damaged[start + at] = static_cast<char>(damaged[start + at] ^ 0x10);
    overwrite(path, damaged);

    const ReadBack back = read_journal(path);
    EXPECT_EQ(back.records, 2u);
    EXPECT_TRUE(back.tail_dropped);
    EXPECT_EQ(fs::file_size(path), ends[2]);
  }
}

// ------------------------------------------------------------ header

TEST(RunJournalHeader, ADifferentScenarioHashIsRefusedAndTheFileIsLeftUntouched) {
  ScratchFolder folder;
  write_journal(folder.file(), 2);
  const std::string before = contents(folder.file());
  JournalHeader other = small_header();
  other.scenario_hash = "0000aaaa";
  const std::string message = input_error_of(folder.file(), other);
  EXPECT_NE(message.find("belongs to a different scenario"), std::string::npos) << message;
  EXPECT_NE(message.find("0000aaaa"), std::string::npos) << message;
  EXPECT_NE(message.find(folder.file().string()), std::string::npos) << message;
  EXPECT_EQ(contents(folder.file()), before);
}

TEST(RunJournalHeader, ADifferentShapeIsRefusedForEachFieldOfTheHeader) {
  ScratchFolder folder;
  write_journal(folder.file(), 1);
  const std::vector<std::pair<std::string, void (*)(JournalHeader&)>> changes{
      {"runs", [](JournalHeader& h) { h.runs = 999; }},
      {"months", [](JournalHeader& h) { h.months = 5; }},
      {"firms", [](JournalHeader& h) { h.firms = 3; }},
      {"segments", [](JournalHeader& h) { h.segments = 1; }},
      {"events", [](JournalHeader& h) { h.events = false; }},
  };
  for (const auto& [field, change] : changes) {
    JournalHeader other = small_header();
    change(other);
    const std::string message = input_error_of(folder.file(), other);
    EXPECT_NE(message.find("belongs to a different scenario"), std::string::npos) << field << ": " << message;
    EXPECT_NE(message.find(field), std::string::npos) << field << ": " << message;
  }
  EXPECT_EQ(read_journal(folder.file()).records, 1u);
}

TEST(RunJournalHeader, AnEmptyFileIsRefusedAsDamagedWithAdviceToRestartWithForce) {
  ScratchFolder folder;
  overwrite(folder.file(), "");
  const std::string message = input_error_of(folder.file());
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;
  EXPECT_NE(message.find("--force"), std::string::npos) << message;
}

TEST(RunJournalHeader, AGarbageFileIsRefusedAsNotAJournal) {
  ScratchFolder folder;
  overwrite(folder.file(), "seed = 7\n[market]\ncustomers = 2000\n");
  const std::string message = input_error_of(folder.file());
  EXPECT_NE(message.find("not a loyalsim run journal"), std::string::npos) << message;
  EXPECT_NE(message.find("--force"), std::string::npos) << message;
}

TEST(RunJournalHeader, EveryFlippedOrMissingHeaderByteIsRefusedAsDamaged) {
  ScratchFolder folder;
  const auto ends = write_journal(folder.file("original"), 1);
  const std::string clean = contents(folder.file("original"));
  for (std::size_t at = 0; at < ends[0]; ++at) {
    std::string damaged = clean;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    overwrite(folder.file(), damaged);
    const std::string flipped = input_error_of(folder.file());
    EXPECT_NE(flipped.find("damaged"), std::string::npos) << "flipped byte " << at << ": " << flipped;

    overwrite(folder.file(), clean.substr(0, at));
    const std::string cut = input_error_of(folder.file());
    EXPECT_NE(cut.find("damaged"), std::string::npos) << "cut at " << at << ": " << cut;
  }
}

TEST(RunJournalHeader, AnotherFormatVersionIsRefusedNamingTheVersion) {
  ScratchFolder folder;
  write_journal(folder.file(), 0);
  std::string bytes = contents(folder.file());
  bytes[17] = 2;  // the u32 version right after the 17-byte magic
  overwrite(folder.file(), bytes);
  const std::string message = input_error_of(folder.file());
  EXPECT_NE(message.find("version 2"), std::string::npos) << message;
}

TEST(RunJournalHeader, AMissingJournalIsRefusedWithAdviceToRunWithoutResume) {
  ScratchFolder folder;
  const std::string message = input_error_of(folder.file());
  EXPECT_NE(message.find("without --resume"), std::string::npos) << message;
}

// ------------------------------------------------------------ append and lifecycle

TEST(RunJournalAppend, ARunOfTheWrongShapeOrOutsideTheSweepIsRefused) {
  ScratchFolder folder;
  auto journal = RunJournal::create(folder.file(), small_header());
  JournaledRun run = make_run(0);
  run.result.allocate(months + 1, firms, segments);
  EXPECT_THROW(journal.append(run.record, run.result), Error);
  run = make_run(0);
  run.result.series[index_of(Series::revenue)].pop_back();
  EXPECT_THROW(journal.append(run.record, run.result), Error);
  run = make_run(0);
  run.record.run = 1000;  // the sweep has runs 0..999
  EXPECT_THROW(journal.append(run.record, run.result), Error);
}

TEST(RunJournalLifecycle, CreateReplacesAnOldJournalAndLeavesNoTemporaryFile) {
  ScratchFolder folder;
  write_journal(folder.file(), 3);
  write_journal(folder.file(), 1);
  EXPECT_EQ(read_journal(folder.file()).records, 1u);
  EXPECT_FALSE(fs::exists(folder.file("sweep.h5.journal.new")));
}

TEST(RunJournalLifecycle, CreateMakesTheFolderOfTheJournal) {
  ScratchFolder folder;
  write_journal(folder.file("results/sweep.h5.journal"), 1);
  EXPECT_EQ(read_journal(folder.file("results/sweep.h5.journal")).records, 1u);
}

TEST(RunJournalLifecycle, RemoveDeletesTheJournalAndToleratesAMissingOne) {
  ScratchFolder folder;
  write_journal(folder.file(), 1);
  overwrite(folder.file("sweep.h5.journal.new"), "left by a killed create");
  RunJournal::remove(folder.file());
  EXPECT_FALSE(fs::exists(folder.file()));
  EXPECT_FALSE(fs::exists(folder.file("sweep.h5.journal.new")));
  EXPECT_NO_THROW(RunJournal::remove(folder.file()));
}

TEST(RunJournalLifecycle, ASecondWriterOnTheSameJournalIsRefusedWhileTheFirstIsOpen) {
  ScratchFolder folder;
  auto journal = RunJournal::create(folder.file(), small_header());
  EXPECT_NE(input_error_of(folder.file()).find("in use by another process"), std::string::npos);
  EXPECT_THROW(RunJournal::create(folder.file(), small_header()), InputError);
  journal = RunJournal::create(folder.file("other"), small_header());  // releases the first lock
  EXPECT_EQ(read_journal(folder.file()).records, 0u);
}

// ------------------------------------------------------------ a real kill

// Run i of the kill test: big (20000 events, ~480 kB before compression) so
// that kills often land mid-write, yet cheap to make: one random template,
// stamped with i.
JournaledRun big_run(std::int64_t i) {
  static const JournaledRun base = make_run(0, 20000);
  JournaledRun run = base;
  run.record.run = i;
  run.record.seed = static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15;
  run.result.series[0][0] = static_cast<double>(i);
  run.result.events[static_cast<std::size_t>(i) % run.result.events.size()].customer =
      static_cast<std::int32_t>(i);
  return run;
}

// A child appends big records as fast as it can and is SIGKILLed at a random
// moment; whatever the moment, the parent reads back runs 0..n-1 intact (a
// record cut mid-write is dropped) and can append run n after them.
TEST(RunJournalKill, SigkillAtARandomMomentLeavesAnIntactPrefixThatAppendingContinues) {
  ScratchFolder folder;
  const fs::path path = folder.file();
  const auto seed = static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::mt19937 random(seed);
  constexpr std::int64_t most = 200;  // the child stops here if never killed: bounds time and disk
  big_run(0);                         // make the template before forking, once

  for (int iteration = 0; iteration < 8; ++iteration) {
    RunJournal::create(path, small_header());
    const auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 150000)(random));

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The child: no gtest macros, just append until killed.
      try {
        auto journal =
            RunJournal::open_for_resume(path, small_header(), [](const RunRecord&, const RunResult&) {});
        for (std::int64_t i = 0; i < most; ++i) {
          const JournaledRun run = big_run(i);
          journal.append(run.record, run.result);
        }
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    ::usleep(static_cast<useconds_t>(delay.count()));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        << "child status " << status;

    // Read back what the child left, checking each record against make_run.
    std::size_t records = 0;
    bool dropped = false;
    std::int64_t next = 0;
    {
      auto journal = RunJournal::open_for_resume(
          path, small_header(),
          [&](const RunRecord& record, const RunResult& result) {
            expect_same_run(big_run(next++), record, result);
          },
          &records, &dropped);
      const JournaledRun run = big_run(static_cast<std::int64_t>(records));
      journal.append(run.record, run.result);
    }
    SCOPED_TRACE("iteration " + std::to_string(iteration) + ": killed after " +
                 std::to_string(delay.count()) + " us with " + std::to_string(records) + " records" +
                 (dropped ? " and a torn tail" : ""));
    EXPECT_EQ(static_cast<std::int64_t>(records), next);

    std::size_t after = 0;
    bool dropped_after = true;
    next = 0;
    RunJournal::open_for_resume(
        path, small_header(),
        [&](const RunRecord& record, const RunResult& result) {
          expect_same_run(big_run(next++), record, result);
        },
        &after, &dropped_after);
    EXPECT_EQ(after, records + 1);
    EXPECT_FALSE(dropped_after);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace loyalsim::io
