// events/ comes out in (run, month, customer) order whatever order runs are
// written in (a sweep's finishing order, or a resume's journal order), both
// in a committed file and in a suspended one; the staging leaves no file
// behind; a run whose own events are out of order is refused.
#include <gtest/gtest.h>
#include <hdf5.h>

#include "scratch_folder.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/run_result.hpp"
#include "io/hdf5.hpp"
#include "io/results_file.hpp"

namespace loyalsim::io {
namespace {

namespace fs = std::filesystem;

class ScratchFolder : public test::ScratchFolder {
 public:
  ScratchFolder() : test::ScratchFolder("loyalsim-events") {}
};

constexpr std::size_t months = 4, firms = 2, segments = 2;

ResultsLayout layout_of(std::size_t runs) {
  ResultsLayout layout;
  layout.runs = runs;
  layout.months = months;
  layout.firm_names = {"A", "B"};
  layout.segment_names = {"s", "t"};
  layout.events = true;
  return layout;
}

RunRecord record_of(std::size_t run) {
  RunRecord record;
  record.run = static_cast<std::int64_t>(run);
  return record;
}

// `n` decisions in (month, customer) order; the run is in the rep column, so
// a misplaced row shows.
RunResult result_with(std::size_t run, std::size_t n) {
  RunResult result;
  result.allocate(months, firms, segments);
  for (std::size_t k = 0; k < n; ++k) {
    const auto month = static_cast<std::int32_t>(1 + k * months / std::max<std::size_t>(n, 1));
    result.events.push_back({month, static_cast<std::int32_t>(k), static_cast<std::int32_t>(run), 0, 1, 1, 0,
                             static_cast<std::uint8_t>(k % 2), Choice::follow, 0.5f, 0.25f});
  }
  return result;
}

struct Rows {
  std::vector<std::int64_t> event, run;
  std::vector<std::int32_t> month, customer, rep;
};

Rows read_rows(const fs::path& path) {
  const hdf5::File file = hdf5::File::open(path, hdf5::File::Access::read_only);
  const hdf5::Group g = file.open_group("events");
  return {g.open_dataset("event").read<std::int64_t>(), g.open_dataset("run").read<std::int64_t>(),
          g.open_dataset("month").read<std::int32_t>(), g.open_dataset("customer").read<std::int32_t>(),
          g.open_dataset("rep").read<std::int32_t>()};
}

// How many rows events/ holds while its writer has the file open (without
// a lock, as the writer takes none). In this process HDF5 shares the
// writer's open file, so this sees what the writer has laid out, flushed
// or not.
hsize_t rows_while_written(const fs::path& path) {
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(access, false, true);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, access);
  H5Pclose(access);
  EXPECT_GE(file, 0);
  const hid_t dataset = H5Dopen2(file, "events/run", H5P_DEFAULT);
  const hid_t space = H5Dget_space(dataset);
  hsize_t rows = 0;
  H5Sget_simple_extent_dims(space, &rows, nullptr);
  H5Sclose(space);
  H5Dclose(dataset);
  H5Fclose(file);
  return rows;
}

// Rows are numbered 0..n-1 and sorted by (run, month, customer), and run r
// holds exactly sizes[r] rows, all its own.
void expect_run_order(const Rows& rows, const std::vector<std::size_t>& sizes) {
  std::size_t total = 0;
  for (std::size_t n : sizes) total += n;
  ASSERT_EQ(rows.run.size(), total);
  std::size_t row = 0;
  for (std::size_t run = 0; run < sizes.size(); ++run) {
    for (std::size_t k = 0; k < sizes[run]; ++k, ++row) {
      ASSERT_EQ(rows.event[row], static_cast<std::int64_t>(row));
      ASSERT_EQ(rows.run[row], static_cast<std::int64_t>(run)) << "row " << row;
      ASSERT_EQ(rows.rep[row], static_cast<std::int32_t>(run)) << "row " << row;
      ASSERT_EQ(rows.customer[row], static_cast<std::int32_t>(k)) << "row " << row;
    }
  }
}

// More rows than one chunk of events/ (65536), split across runs of
// different sizes (one empty), written back to front.
TEST(EventsTable, RowsAreInRunOrderWhateverTheWriteOrderAcrossChunkBoundaries) {
  const ScratchFolder folder;
  const std::vector<std::size_t> sizes{40000, 70000, 0, 30000, 5};
  const fs::path path = folder.file("x.h5");
  ResultsFile file = ResultsFile::create(path, layout_of(sizes.size()), {});
  for (std::size_t run : {4u, 3u, 1u, 2u, 0u}) file.write_run(record_of(run), result_with(run, sizes[run]));
  file.commit();
  expect_run_order(read_rows(path), sizes);
}

// Two write orders give the same rows: the row id is a function of the data.
TEST(EventsTable, TwoWriteOrdersGiveIdenticalTables) {
  const ScratchFolder folder;
  const std::vector<std::size_t> sizes{3, 7, 2};
  std::vector<Rows> tables;
  for (const std::vector<std::size_t>& order : {std::vector<std::size_t>{0, 1, 2}, {2, 0, 1}}) {
    const fs::path path = folder.file("x" + std::to_string(tables.size()) + ".h5");
    ResultsFile file = ResultsFile::create(path, layout_of(sizes.size()), {});
    for (std::size_t run : order) file.write_run(record_of(run), result_with(run, sizes[run]));
    file.commit();
    tables.push_back(read_rows(path));
  }
  EXPECT_EQ(tables[0].event, tables[1].event);
  EXPECT_EQ(tables[0].run, tables[1].run);
  EXPECT_EQ(tables[0].month, tables[1].month);
  EXPECT_EQ(tables[0].customer, tables[1].customer);
}

// A suspended file (an interrupted sweep) holds the events of the runs
// written so far, in run order.
TEST(EventsTable, SuspendedFileHoldsTheWrittenRunsEventsInRunOrder) {
  const ScratchFolder folder;
  const fs::path path = folder.file("x.h5");
  ResultsFile file = ResultsFile::create(path, layout_of(4), {});
  file.write_run(record_of(3), result_with(3, 4));
  file.write_run(record_of(1), result_with(1, 2));
  file.suspend();
  expect_run_order(read_rows(partial_path_for(path)), {0, 2, 0, 4});
}

// Runs finished in an unbroken line from the first reach events/ while the
// sweep runs, a whole chunk (65536 rows) at a time, so that an interruption
// lays out only the rest (a Ctrl-C, or a batch system's SIGTERM through
// mpirun, which kills the ranks a second or two later, must not wait for
// every finished run's decisions); a run finished out of order waits for
// the runs before it. The rows read from the file while it is being written.
TEST(EventsTable, RunsFinishedInOrderReachTheTableAWholeChunkAtATime) {
  const ScratchFolder folder;
  const fs::path path = folder.file("x.h5");
  const std::vector<std::size_t> sizes{40000, 30000, 20000, 5};
  ResultsFile file = ResultsFile::create(path, layout_of(sizes.size()), {});
  const auto rows_in_file = [&] { return rows_while_written(partial_path_for(path)); };
  file.write_run(record_of(0), result_with(0, sizes[0]));
  EXPECT_EQ(rows_in_file(), 0u);  // less than a chunk: it waits
  file.write_run(record_of(2), result_with(2, sizes[2]));
  EXPECT_EQ(rows_in_file(), 0u);  // run 1 is not finished: run 2 waits in the scratch
  file.write_run(record_of(1), result_with(1, sizes[1]));
  EXPECT_EQ(rows_in_file(), 65536u);  // runs 0-2, 90000 rows: one whole chunk
  file.suspend();
  expect_run_order(read_rows(partial_path_for(path)), {40000, 30000, 20000, 0});
  // The other columns, of every element size, read back too: the whole
  // chunk was encoded by the writer (shuffle, deflate), the rest by HDF5.
  const hdf5::File written = hdf5::File::open(partial_path_for(path), hdf5::File::Access::read_only);
  const hdf5::Group g = written.open_group("events");
  const std::vector<float> B = g.open_dataset("B").read<float>(), R = g.open_dataset("R").read<float>();
  const std::vector<std::int16_t> segment = g.open_dataset("segment").read<std::int16_t>();
  const std::vector<std::int16_t> to_firm = g.open_dataset("to_firm").read<std::int16_t>();
  const std::vector<std::int8_t> choice = g.open_dataset("choice").read<std::int8_t>();
  ASSERT_EQ(B.size(), 90000u);
  ASSERT_EQ(choice.size(), 90000u);
  std::size_t row = 0;
  for (std::size_t run = 0; run < 3; ++run) {
    for (std::size_t k = 0; k < sizes[run]; ++k, ++row) {
      ASSERT_EQ(B[row], 0.5f) << "row " << row;
      ASSERT_EQ(R[row], 0.25f) << "row " << row;
      ASSERT_EQ(segment[row], static_cast<std::int16_t>(k % 2)) << "row " << row;
      ASSERT_EQ(to_firm[row], 1) << "row " << row;
      ASSERT_EQ(choice[row], static_cast<std::int8_t>(Choice::follow)) << "row " << row;
    }
  }
}

// The staging file is unlinked as soon as it is made: the folder only ever
// holds the partial file, and after commit only the result.
TEST(EventsTable, StagingLeavesNoFileBehind) {
  const ScratchFolder folder;
  const fs::path path = folder.file("x.h5");
  const auto listing = [&] {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder.path())) names.push_back(entry.path().filename());
    return names;
  };
  {
    ResultsFile file = ResultsFile::create(path, layout_of(2), {});
    file.write_run(record_of(1), result_with(1, 10));
    EXPECT_EQ(listing(), std::vector<std::string>{"x.h5.partial"});
    file.write_run(record_of(0), result_with(0, 10));
    file.commit();
  }
  EXPECT_EQ(listing(), std::vector<std::string>{"x.h5"});
}

// events/ promises (run, month, customer) order; a run whose own events
// break it (a producer bug) is refused before anything of it is written.
TEST(EventsTable, RunWithEventsOutOfMonthCustomerOrderIsRefused) {
  const ScratchFolder folder;
  const fs::path path = folder.file("x.h5");
  ResultsFile file = ResultsFile::create(path, layout_of(2), {});
  RunResult swapped = result_with(0, 6);
  std::swap(swapped.events[1], swapped.events[2]);
  EXPECT_THROW(file.write_run(record_of(0), swapped), Error);
  RunResult repeated = result_with(0, 6);
  repeated.events[3] = repeated.events[2];
  EXPECT_THROW(file.write_run(record_of(0), repeated), Error);
  // The run was not written: it can still be.
  file.write_run(record_of(0), result_with(0, 6));
  file.commit();
  expect_run_order(read_rows(path), {6, 0});
}

}  // namespace
}  // namespace loyalsim::io
