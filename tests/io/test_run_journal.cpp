// The run journal is written for real, damaged in the ways a kill or a disk
// can damage it (cut short, bits flipped, bytes garbled, a page zeroed, a
// SIGKILL mid-append), and read back: every record the damage did not hit
// comes back bit for bit, the records lost are counted exactly, and
// appending carries on after them.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "scratch_folder.hpp"

#include <algorithm>
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
  run.record.parameter_values = {real(), std::bit_cast<double>(awkward_doubles[static_cast<std::size_t>(i) % 6])};

  RunResult& r = run.result;
  r.allocate(months, firms, segments);
  // Counts over the whole int64 range, negative ones included.
  for (MetricArrays* a : {&r.series, &r.totals}) {
    for (auto& c : a->counts)
      for (std::int64_t& v : c) v = static_cast<std::int64_t>(random());
  }
  for (auto& s : r.series.reals) {
    for (double& v : s) v = real();
  }
  for (auto& t : r.totals.reals) {
    for (double& v : t) v = real() * 1e6;
  }
  for (std::size_t k = 0; k < awkward_doubles.size(); ++k) {
    r.series.reals[index_of(Series::brand_loyalty_mean)][k] = std::bit_cast<double>(awkward_doubles[k]);
    r.totals.reals[index_of(Total::follow_rate)][k] = std::bit_cast<double>(awkward_doubles[k]);
  }
  for (std::size_t k = 0; k < n_events; ++k) {
    r.events.push_back({static_cast<std::int32_t>(k % months + 1), static_cast<std::int32_t>(random() % 100000),
                        static_cast<std::int32_t>(random() % 500), static_cast<std::int16_t>(k % firms),
                        static_cast<std::int16_t>(k % 3 == 0 ? -1 : 1), static_cast<std::int16_t>(k % 4 == 0 ? -1 : 0),
                        static_cast<std::uint8_t>(k % 5 == 0 ? 1 : 0), static_cast<std::uint8_t>(k % segments),
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

void expect_bitwise_equal(const std::vector<double>& a, const std::vector<double>& b, const std::string& what) {
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
  ASSERT_EQ(result.series.counts.size(), series_metrics.size());
  ASSERT_EQ(result.series.reals.size(), series_metrics.size());
  for (std::size_t i = 0; i < series_metrics.size(); ++i) {
    EXPECT_EQ(result.series.counts[i], r.series.counts[i]) << series_metrics[i].name;
    expect_bitwise_equal(result.series.reals[i], r.series.reals[i], std::string(series_metrics[i].name));
  }
  ASSERT_EQ(result.totals.counts.size(), summary_metrics.size());
  ASSERT_EQ(result.totals.reals.size(), summary_metrics.size());
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    EXPECT_EQ(result.totals.counts[i], r.totals.counts[i]) << summary_metrics[i].name;
    expect_bitwise_equal(result.totals.reals[i], r.totals.reals[i], std::string(summary_metrics[i].name));
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

// Resumes the journal, checking each record against make_run(its run),
// then closes it.
JournalRecovery read_journal(const fs::path& path, const JournalHeader& header = small_header()) {
  std::size_t calls = 0;
  const JournalRecovery found =
      RunJournal::open_for_resume(path, header).recover([&](const RunRecord& record, const RunResult& result) {
        ++calls;
        expect_same_run(make_run(record.run), record, result);
      });
  EXPECT_EQ(found.records, calls) << "records counts the on_run calls";
  return found;
}

// Resumes the journal and returns it ready to append, ignoring its records.
RunJournal resume(const fs::path& path) {
  RunJournal journal = RunJournal::open_for_resume(path, small_header());
  journal.recover([](const RunRecord&, const RunResult&) {});
  return journal;
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
    RunJournal::open_for_resume(path, header).recover([](const RunRecord&, const RunResult&) {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// ------------------------------------------------------------ round trip

TEST(RunJournalRoundTrip, EveryFieldOfEveryRunComesBackBitForBitIncludingNaNPayloads) {
  ScratchFolder folder;
  write_journal(folder.file(), 6);
  const JournalRecovery back = read_journal(folder.file());
  EXPECT_EQ(back.records, 6u);
  EXPECT_FALSE(back.torn_tail);
}

TEST(RunJournalRoundTrip, AFreshJournalReadsAsNoRecordsWithNothingDropped) {
  ScratchFolder folder;
  const auto ends = write_journal(folder.file(), 0);
  const JournalRecovery back = read_journal(folder.file());
  EXPECT_EQ(back.records, 0u);
  EXPECT_FALSE(back.torn_tail);
  EXPECT_EQ(fs::file_size(folder.file()), ends[0]);
}

TEST(RunJournalRoundTrip, AResumedJournalAppendsAfterItsExistingRecords) {
  ScratchFolder folder;
  write_journal(folder.file(), 3);
  for (std::int64_t i = 3; i < 6; ++i) {
    auto journal = resume(folder.file());
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
  // Inside the record header (48 bytes), just past it, mid-payload, at the
  // trailer (20 bytes), one byte short. (Every cut: RunJournalDamage.)
  for (const std::uintmax_t cut : {last - 1, last - 8, last - 47, last - 48, last - 49, last / 2, std::uintmax_t{21},
                                   std::uintmax_t{20}, std::uintmax_t{19}, std::uintmax_t{1}}) {
    SCOPED_TRACE("cut " + std::to_string(cut) + " of the last record's " + std::to_string(last) + " bytes");
    fs::copy_file(original, path, fs::copy_options::overwrite_existing);
    fs::resize_file(path, ends[4] - cut);

    JournalRecovery back = read_journal(path);
    EXPECT_EQ(back.records, 3u);
    EXPECT_TRUE(back.torn_tail);
    EXPECT_EQ(fs::file_size(path), ends[3]) << "the torn tail is cut off the file";

    // Run 3 again, as a resumed sweep would, then one more.
    {
      auto journal = resume(path);
      for (std::int64_t i = 3; i < 5; ++i) {
        const JournaledRun run = make_run(i);
        journal.append(run.record, run.result);
      }
    }
    back = read_journal(path);
    EXPECT_EQ(back.records, 5u);
    EXPECT_FALSE(back.torn_tail);
  }
}

TEST(RunJournalTornTail, CuttingAtARecordBoundaryLeavesAValidJournalWithNothingDropped) {
  ScratchFolder folder;
  const auto ends = write_journal(folder.file(), 4);
  for (std::size_t keep = 4; keep-- > 0;) {
    fs::resize_file(folder.file(), ends[keep]);
    const JournalRecovery back = read_journal(folder.file());
    EXPECT_EQ(back.records, keep);
    EXPECT_FALSE(back.torn_tail);
  }
}

TEST(RunJournalTornTail, ZerosAfterTheLastRecordAreDetectedAndCutOff) {
  // What a power loss can leave: the size grew but the data never landed.
  ScratchFolder folder;
  const auto ends = write_journal(folder.file(), 2);
  for (const std::size_t zeros : {1, 20, 4096}) {
    SCOPED_TRACE(std::to_string(zeros) + " zero bytes");
    std::ofstream(folder.file(), std::ios::binary | std::ios::app) << std::string(zeros, '\0');
    const JournalRecovery back = read_journal(folder.file());
    EXPECT_EQ(back.records, 2u);
    EXPECT_TRUE(back.torn_tail);
    EXPECT_EQ(fs::file_size(folder.file()), ends[2]);
  }
}

// ------------------------------------------------------------ damage

// A damaged record costs that run alone (docs/SWEEPS.md, "Interrupting and
// resuming"): whatever bytes are damaged, every record none of whose bytes were
// hit comes back bit for bit, the records lost are counted exactly, and the
// journal is repaired so that a second resume finds the same records and no
// damage.

// The damage tests write thousands of small files: in memory (/dev/shm) when
// the machine has it, as truncating and renaming files on a busy disk costs
// milliseconds each. Removed afterwards.
class RamFolder {
 public:
  RamFolder()
      : path_((fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path()) /
              ("loyalsim-journal-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~RamFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  RamFolder(const RamFolder&) = delete;
  RamFolder& operator=(const RamFolder&) = delete;
  fs::path file(const std::string& name = "sweep.h5.journal") const { return path_ / name; }

 private:
  fs::path path_;
};

// Small runs (1 month x 1 firm x 1 segment), so that a journal of 20 records
// is about 8 kB and thousands of damaged copies can be checked quickly.
constexpr std::int64_t tiny_runs = 64;
JournalHeader tiny_header() { return {"tiny-9e1f", tiny_runs, 1, 1, 1, false}; }

JournaledRun tiny_run(std::int64_t i) {
  std::mt19937_64 random(static_cast<std::uint64_t>(i) * 104729 + 3);
  JournaledRun run;
  run.record.run = i;
  run.record.point = i / 2;
  run.record.replicate = i % 2;
  run.record.seed = random();
  run.record.status = RunStatus::done;
  run.record.wall_seconds = static_cast<double>(random() % 1000) / 7.0;
  run.record.parameter_values = {static_cast<double>(i) * 0.25};
  run.result.allocate(1, 1, 1);
  for (MetricArrays* a : {&run.result.series, &run.result.totals}) {
    for (auto& c : a->counts)
      for (std::int64_t& v : c) v = static_cast<std::int64_t>(random() >> 2);
    for (auto& d : a->reals)
      for (double& v : d) v = std::bit_cast<double>(random() >> 2);
  }
  run.result.customer_months = static_cast<std::int64_t>(random() >> 1);
  return run;
}

// Bitwise equality without a gtest assertion per value: the damage tests
// compare tens of thousands of runs.
bool identical(const JournaledRun& want, const RunRecord& record, const RunResult& result) {
  const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
      if (bits(a[k]) != bits(b[k])) return false;
    return true;
  };
  const RunRecord& w = want.record;
  const RunResult& r = want.result;
  if (record.run != w.run || record.point != w.point || record.replicate != w.replicate || record.seed != w.seed ||
      record.status != w.status || bits(record.wall_seconds) != bits(w.wall_seconds) ||
      !same(record.parameter_values, w.parameter_values) || result.months != r.months || result.firms != r.firms ||
      result.segments != r.segments || result.series.counts != r.series.counts ||
      result.totals.counts != r.totals.counts || result.events.size() != r.events.size() ||
      result.customer_months != r.customer_months)
    return false;
  if (result.series.reals.size() != r.series.reals.size() || result.totals.reals.size() != r.totals.reals.size())
    return false;
  for (std::size_t i = 0; i < r.series.reals.size(); ++i)
    if (!same(result.series.reals[i], r.series.reals[i])) return false;
  for (std::size_t i = 0; i < r.totals.reals.size(); ++i)
    if (!same(result.totals.reals[i], r.totals.reals[i])) return false;
  return true;
}

struct CleanJournal {
  std::string bytes;                 // the whole file
  std::vector<std::uintmax_t> ends;  // the header's end, then each record's
  std::size_t records() const { return ends.size() - 1; }
};

CleanJournal write_tiny_journal(const fs::path& path, std::int64_t n) {
  CleanJournal clean;
  {
    auto journal = RunJournal::create(path, tiny_header());
    clean.ends.push_back(fs::file_size(path));
    for (std::int64_t i = 0; i < n; ++i) {
      const JournaledRun run = tiny_run(i);
      journal.append(run.record, run.result);
      clean.ends.push_back(fs::file_size(path));
    }
  }
  clean.bytes = contents(path);
  return clean;
}

// The runs a resume of `path` passes to on_run, in order, each checked
// against tiny_run(its run); -1 for a run that differs.
std::vector<std::int64_t> resumed_runs(const fs::path& path, JournalRecovery& found) {
  std::vector<std::int64_t> runs;
  found =
      RunJournal::open_for_resume(path, tiny_header()).recover([&](const RunRecord& record, const RunResult& result) {
        runs.push_back(record.run >= 0 && record.run < tiny_runs && identical(tiny_run(record.run), record, result)
                           ? record.run
                           : -1);
      });
  return runs;
}

// Writes `damaged` (clean.bytes with bytes [from, to) changed) to `path`,
// resumes it, and checks the contract; `what` names the damage. Returns
// false on a failure, so that a sweep of many cases can stop early.
// With `repeat` (the tests set it for a fixed sample of their cases, to save
// time), also resumes the repaired journal again and completes it.
bool damage_costs_only_the_records_hit(const fs::path& path, const CleanJournal& clean, const std::string& damaged,
                                       std::uintmax_t from, std::uintmax_t to, const std::string& what, bool repeat) {
  overwrite(path, damaged);
  JournalRecovery found;
  const std::vector<std::int64_t> runs = resumed_runs(path, found);

  // Every record untouched by the damage is back, in order; no other run is.
  std::vector<std::int64_t> must;
  for (std::size_t i = 0; i < clean.records(); ++i)
    if (clean.ends[i + 1] <= from || clean.ends[i] >= to) must.push_back(static_cast<std::int64_t>(i));
  bool ok = std::is_sorted(runs.begin(), runs.end()) && std::adjacent_find(runs.begin(), runs.end()) == runs.end() &&
            std::find(runs.begin(), runs.end(), -1) == runs.end() &&
            std::includes(runs.begin(), runs.end(), must.begin(), must.end());
  EXPECT_TRUE(ok) << what << ": " << runs.size() << " records back, " << must.size() << " untouched";
  // The loss is counted exactly, as damage (this damage never reaches the
  // last record's trailer, so it cannot pass for a torn write).
  EXPECT_EQ(found.records, runs.size()) << what;
  EXPECT_EQ(found.records + found.damaged_records, clean.records()) << what;
  EXPECT_FALSE(found.torn_tail) << what;
  EXPECT_GT(found.damaged_bytes, 0u) << what;
  EXPECT_TRUE(found.rewritten) << what;
  ok = ok && !::testing::Test::HasFailure();
  if (!repeat) return ok;

  // A second resume finds the same records and no damage; appending the
  // lost runs completes the journal.
  JournalRecovery again;
  EXPECT_EQ(resumed_runs(path, again), runs) << what;
  EXPECT_EQ(again.damaged_records + again.damaged_bytes, 0u) << what;
  EXPECT_FALSE(again.torn_tail) << what;
  {
    auto journal = RunJournal::open_for_resume(path, tiny_header());
    journal.recover([](const RunRecord&, const RunResult&) {});
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(clean.records()); ++i) {
      if (std::find(runs.begin(), runs.end(), i) != runs.end()) continue;
      const JournaledRun run = tiny_run(i);
      journal.append(run.record, run.result);
    }
  }
  EXPECT_EQ(resumed_runs(path, again).size(), clean.records()) << what;
  EXPECT_EQ(again.damaged_records + again.damaged_bytes, 0u) << what;
  return ok && !::testing::Test::HasFailure();
}

std::string flip_bit(std::string bytes, std::uintmax_t bit) {
  bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
  return bytes;
}

TEST(RunJournalDamage, OneFlippedBitCostsTheRecordItHitAndNoOther) {
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), 20);
  const std::uintmax_t records_start = clean.ends[0], size = clean.bytes.size();
  // Every bit of the first record, and of the second's header and trailer...
  std::vector<std::uintmax_t> bits_to_flip;
  for (std::uintmax_t bit = records_start * 8; bit < (clean.ends[1] + 48) * 8; ++bit) bits_to_flip.push_back(bit);
  for (std::uintmax_t bit = (clean.ends[2] - 20) * 8; bit < clean.ends[2] * 8; ++bit) bits_to_flip.push_back(bit);
  // ... and a fixed pseudo-random sample of the rest, the last record included.
  std::mt19937_64 random(20261203);
  for (int k = 0; k < 1000; ++k) bits_to_flip.push_back(clean.ends[1] * 8 + random() % ((size - clean.ends[1]) * 8));
  for (std::size_t k = 0; k < bits_to_flip.size(); ++k) {
    const std::uintmax_t byte = bits_to_flip[k] / 8;
    const std::string what = "bit " + std::to_string(bits_to_flip[k] % 8) + " of byte " + std::to_string(byte);
    if (!damage_costs_only_the_records_hit(folder.file(), clean, flip_bit(clean.bytes, bits_to_flip[k]), byte, byte + 1,
                                           what, k % 16 == 0))
      break;
  }
}

TEST(RunJournalDamage, DamagedRunsOfBytesCostOnlyTheRecordsTheyHit) {
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), 20);
  const std::uintmax_t records_start = clean.ends[0];
  // Damage ends before the last record's trailer (see the torn-tail tests).
  const std::uintmax_t limit = clean.bytes.size() - 20;
  std::mt19937_64 random(7);
  for (int k = 0; k < 300; ++k) {
    const std::uintmax_t length = 2 + random() % (k < 200 ? 60 : 1500);
    const std::uintmax_t from = records_start + random() % (limit - records_start - length);
    std::string damaged = clean.bytes;
    for (std::uintmax_t at = from; at < from + length; ++at)
      damaged[at] = static_cast<char>(damaged[at] ^ static_cast<char>(1 + random() % 255));  // every byte changes
    const std::string what = std::to_string(length) + " bytes from " + std::to_string(from);
    if (!damage_costs_only_the_records_hit(folder.file(), clean, damaged, from, from + length, what, k % 8 == 0)) break;
  }
}

TEST(RunJournalDamage, AZeroedPageCostsOnlyTheRecordsItHits) {
  // What a disk or a file system can do to one 4 kB block.
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), tiny_runs);
  for (std::uintmax_t page = 4096; page + 4096 < clean.bytes.size() - 20; page += 512) {  // also unaligned
    std::string damaged = clean.bytes;
    std::fill(damaged.begin() + static_cast<std::ptrdiff_t>(page),
              damaged.begin() + static_cast<std::ptrdiff_t>(page + 4096), '\0');
    if (!damage_costs_only_the_records_hit(folder.file(), clean, damaged, page, page + 4096,
                                           "zeros at " + std::to_string(page), true))
      break;
  }
}

TEST(RunJournalDamage, ACutAtEveryByteOfTheLastRecordDropsOnlyIt) {
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), 20);
  const std::uintmax_t last_start = clean.ends[19], size = clean.bytes.size();
  for (std::uintmax_t cut = size - 1; cut > last_start; --cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut) + ", the last record starting at " + std::to_string(last_start));
    overwrite(folder.file(), clean.bytes.substr(0, cut));
    JournalRecovery found;
    std::vector<std::int64_t> runs = resumed_runs(folder.file(), found);
    EXPECT_EQ(runs.size(), 19u);
    EXPECT_TRUE(found.torn_tail);
    EXPECT_EQ(found.torn_bytes, cut - last_start);
    EXPECT_EQ(found.damaged_records, 0u);
    EXPECT_EQ(found.damaged_bytes, 0u);
    EXPECT_EQ(fs::file_size(folder.file()), last_start);
    if (HasFailure()) break;
  }
}

TEST(RunJournalDamage, TheLastRecordWithADamagedHeaderCountsAsDamagedNotTorn) {
  // Its trailer survives and says a complete record was there.
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), 20);
  for (std::uintmax_t byte = clean.ends[19]; byte < clean.ends[19] + 48; ++byte) {
    JournalRecovery found;
    overwrite(folder.file(), flip_bit(clean.bytes, byte * 8 + 3));
    EXPECT_EQ(resumed_runs(folder.file(), found).size(), 19u) << byte;
    EXPECT_EQ(found.damaged_records, 1u) << byte;
    EXPECT_FALSE(found.torn_tail) << byte;
  }
}

TEST(RunJournalDamage, DamageThatDestroysTheLastTrailerTooCountsAsATornTail) {
  // Header and trailer of the last record both hit: nothing says a complete
  // record was there, so it is cut off like a write a kill interrupted.
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), 20);
  std::string damaged = flip_bit(clean.bytes, clean.ends[19] * 8 + 70);
  damaged = flip_bit(damaged, (clean.bytes.size() - 3) * 8);
  overwrite(folder.file(), damaged);
  JournalRecovery found;
  EXPECT_EQ(resumed_runs(folder.file(), found).size(), 19u);
  EXPECT_TRUE(found.torn_tail);
  EXPECT_EQ(found.damaged_records, 0u);
  EXPECT_EQ(fs::file_size(folder.file()), clean.ends[19]);
}

TEST(RunJournalDamage, DamageAndATornTailTogetherAreBothCounted) {
  RamFolder folder;
  const CleanJournal clean = write_tiny_journal(folder.file("original"), 20);
  std::string damaged = flip_bit(clean.bytes, (clean.ends[5] + 100) * 8);  // record 5's payload
  damaged.resize(clean.bytes.size() - 30);                                 // record 19 torn
  overwrite(folder.file(), damaged);
  JournalRecovery found;
  const std::vector<std::int64_t> runs = resumed_runs(folder.file(), found);
  EXPECT_EQ(runs.size(), 18u);
  EXPECT_EQ(std::count(runs.begin(), runs.end(), 5), 0);
  EXPECT_EQ(found.damaged_records, 1u);
  EXPECT_TRUE(found.torn_tail);
  EXPECT_EQ(found.losses(),
            "; 1 damaged record skipped (its run will run again); a run cut short by the interruption was dropped "
            "and will run again");
  JournalRecovery again;
  EXPECT_EQ(resumed_runs(folder.file(), again), runs);
  EXPECT_EQ(again.losses(), "");
}

TEST(RunJournalDamage, TheLossesMessageCountsWhatWasDropped) {
  JournalRecovery found;
  EXPECT_EQ(found.losses(), "");
  found.damaged_records = 1;
  found.damaged_bytes = 400;
  EXPECT_EQ(found.losses(), "; 1 damaged record skipped (its run will run again)");
  found.damaged_records = 3;
  EXPECT_EQ(found.losses(), "; 3 damaged records skipped (their runs will run again)");
  found.damaged_records = 0;
  found.damaged_bytes = 20;
  EXPECT_EQ(found.losses(), "; 20 damaged bytes repaired (no run lost)");
}

// The example of the defect report: one flipped bit in record 1 of 66 made
// resume cut the journal there and delete the 65 valid records after it.
TEST(RunJournalDamage, AFlippedBitInTheFirstOf66RecordsCostsOneRun) {
  ScratchFolder folder;
  JournalHeader header = small_header();
  header.runs = 66;
  {
    auto journal = RunJournal::create(folder.file(), header);
    for (std::int64_t i = 0; i < 66; ++i) {
      const JournaledRun run = make_run(i);
      journal.append(run.record, run.result);
    }
  }
  std::string bytes = contents(folder.file());
  const std::uintmax_t first_record = write_journal(folder.file("empty"), 0)[0];
  bytes[first_record + 300] = static_cast<char>(bytes[first_record + 300] ^ 0x04);
  overwrite(folder.file(), bytes);
  const JournalRecovery found = read_journal(folder.file(), header);
  EXPECT_EQ(found.records, 65u);
  EXPECT_EQ(found.damaged_records, 1u);
  EXPECT_FALSE(found.torn_tail);
  EXPECT_EQ(found.losses(), "; 1 damaged record skipped (its run will run again)");
  EXPECT_EQ(read_journal(folder.file(), header).records, 65u) << "a second resume recovers the same runs";
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
      {"runs", [](JournalHeader& h) { h.runs = 999; }},       {"months", [](JournalHeader& h) { h.months = 5; }},
      {"firms", [](JournalHeader& h) { h.firms = 3; }},       {"segments", [](JournalHeader& h) { h.segments = 1; }},
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

// CRC-32 (the zlib one), bit by bit: to forge a valid header of another version.
std::uint32_t crc32_of(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (const char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// An intact journal of another format version (its header CRC valid), as an
// older or newer loyalsim would leave it: refused naming both versions, and
// untouched. Version 1 is the format before sync markers, 2 the one before
// the event and metric tables drove the payload.
TEST(RunJournalHeader, AnotherFormatVersionIsRefusedNamingTheVersionAndLeftUntouched) {
  ScratchFolder folder;
  const std::uintmax_t header_end = write_journal(folder.file(), 2)[0];
  for (const unsigned char version : {1, 2, 4}) {
    std::string bytes = contents(folder.file());
    bytes[17] = static_cast<char>(version);  // the u32 version right after the 17-byte magic
    const std::uint32_t crc = crc32_of(bytes.substr(0, header_end - 4));
    for (int k = 0; k < 4; ++k) bytes[header_end - 4 + k] = static_cast<char>(crc >> (8 * k));
    overwrite(folder.file("old"), bytes);
    const std::string message = input_error_of(folder.file("old"));
    EXPECT_NE(message.find("journal format version " + std::to_string(version)), std::string::npos) << message;
    EXPECT_NE(message.find("reads version 3"), std::string::npos) << message;
    EXPECT_NE(message.find(version < 3 ? "older loyalsim" : "newer loyalsim"), std::string::npos) << message;
    EXPECT_NE(message.find("--force"), std::string::npos) << message;
    EXPECT_EQ(contents(folder.file("old")), bytes);
  }
  // A version field damaged, not rewritten, is damage.
  std::string bytes = contents(folder.file());
  bytes[17] = 1;
  overwrite(folder.file("old"), bytes);
  EXPECT_NE(input_error_of(folder.file("old")).find("damaged"), std::string::npos);
}

// A journal of a build whose metrics or columns differ (names or types; the
// header's layout fingerprint differs), its header otherwise intact: refused,
// not misread, and untouched.
TEST(RunJournalHeader, AJournalOfABuildWithOtherColumnsIsRefusedAndLeftUntouched) {
  ScratchFolder folder;
  const std::uintmax_t header_end = write_journal(folder.file(), 2)[0];
  std::string bytes = contents(folder.file());
  bytes[header_end - 4 - 8] = static_cast<char>(bytes[header_end - 4 - 8] ^ 1);  // the fingerprint's low byte
  const std::uint32_t crc = crc32_of(bytes.substr(0, header_end - 4));
  for (int k = 0; k < 4; ++k) bytes[header_end - 4 + k] = static_cast<char>(crc >> (8 * k));
  overwrite(folder.file("other"), bytes);
  const std::string message = input_error_of(folder.file("other"));
  EXPECT_NE(message.find("different metrics or columns"), std::string::npos) << message;
  EXPECT_NE(message.find("--force"), std::string::npos) << message;
  EXPECT_EQ(contents(folder.file("other")), bytes);
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
  run.result.series.reals[index_of(Series::revenue)].pop_back();
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
  run.result.series.counts[index_of(Series::customers)][0] = i;
  run.result.events[static_cast<std::size_t>(i) % run.result.events.size()].customer = static_cast<std::int32_t>(i);
  return run;
}

// A child appends big records as fast as it can and is SIGKILLed at one of
// eight moments spread over its work (fixed, so a failure can be repeated,
// though where the kill lands still varies); whatever the moment, the parent
// reads back runs 0..n-1 intact (a record cut mid-write is dropped, nothing
// counts as damaged) and can append run n after them.
TEST(RunJournalKill, SigkillAtAnyMomentLeavesAnIntactPrefixThatAppendingContinues) {
  ScratchFolder folder;
  const fs::path path = folder.file();
  constexpr std::int64_t most = 200;  // the child stops here if never killed: bounds time and disk
  big_run(0);                         // make the template before forking, once

  for (int iteration = 0; iteration < 8; ++iteration) {
    RunJournal::create(path, small_header());
    const auto delay = std::chrono::microseconds(iteration * 19937 % 150000);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The child: no gtest macros, just append until killed.
      try {
        auto journal = resume(path);
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
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)) << "child status " << status;

    // Read back what the child left, checking each record against big_run.
    std::int64_t next = 0;
    JournalRecovery found;
    {
      auto journal = RunJournal::open_for_resume(path, small_header());
      found = journal.recover(
          [&](const RunRecord& record, const RunResult& result) { expect_same_run(big_run(next++), record, result); });
      const JournaledRun run = big_run(static_cast<std::int64_t>(found.records));
      journal.append(run.record, run.result);
    }
    SCOPED_TRACE("iteration " + std::to_string(iteration) + ": killed after " + std::to_string(delay.count()) +
                 " us with " + std::to_string(found.records) + " records" +
                 (found.torn_tail ? " and a torn tail" : ""));
    EXPECT_EQ(static_cast<std::int64_t>(found.records), next);
    EXPECT_EQ(found.damaged_records, 0u);
    EXPECT_EQ(found.damaged_bytes, 0u);

    next = 0;
    const JournalRecovery after = RunJournal::open_for_resume(path, small_header())
                                      .recover([&](const RunRecord& record, const RunResult& result) {
                                        expect_same_run(big_run(next++), record, result);
                                      });
    EXPECT_EQ(after.records, found.records + 1);
    EXPECT_FALSE(after.torn_tail);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace loyalsim::io
