// Internal to loyalsim_io: the groups and tables of the HDF5 results file
// (SPEC section 4), built and filled by ResultsFile (results_file.cpp). Not
// part of the library's interface; include io/results_file.hpp instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/run_result.hpp"
#include "io/chunk_codec.hpp"
#include "io/hdf5.hpp"
#include "io/results_file.hpp"

namespace loyalsim::io::detail {

namespace h5 = hdf5;
using h5::Dims;

// ------------------------------------------------------------ building blocks
// (results_layout.cpp)

// Unwritten runs read back as these. Only the real fill is also a netCDF
// _FillValue attribute (see announce_fill in results_layout.cpp).
inline constexpr std::int64_t count_fill = -1;
inline constexpr double real_fill = std::numeric_limits<double>::quiet_NaN();

h5::DatasetCreation compressed(const Dims& chunk);

void describe(h5::Object& object, std::string_view units, std::string_view description);

// A dimension of a data variable: its name and the scale of the variable's
// own group (each group carries its own scales, so xarray can open any group
// on its own).
struct Axis {
  std::string_view name;
  const h5::Dataset& scale;
};

void attach(h5::Dataset& variable, const std::vector<Axis>& axes);

h5::Dataset create_index_scale(h5::Group& group, std::string_view name, std::size_t size, std::int64_t first,
                               std::string_view description);

h5::Dataset create_name_scale(h5::Group& group, std::string_view name, const std::vector<std::string>& names,
                              std::string_view description);

// ------------------------------------------------------------ runs/ (results_layout.cpp)

struct RunsTable {
  h5::Dataset run;                      // the row number (the dimension scale)
  std::vector<h5::Dataset> columns;     // run_columns order, each text companion after its column
  std::vector<h5::Dataset> parameters;  // ResultsLayout::varied_parameters order
};

RunsTable create_runs_table(h5::File& file, const ResultsLayout& layout);

// The rows of `records` (any runs, in any order), each column in one write.
void write_runs_rows(RunsTable& table, const std::vector<RunRecord>& records);

// ------------------------------------------------------------ timeseries/ and summary/
// (results_layout.cpp)

// One dataset per metric, in series_metrics order.
std::vector<h5::Dataset> create_timeseries(h5::File& file, const ResultsLayout& layout);

// One dataset per metric, in summary_metrics order.
std::vector<h5::Dataset> create_summary(h5::File& file, const ResultsLayout& layout);

// ------------------------------------------------------------ events/ (events_table.cpp)

// Runs finish (and resumed runs come back from the journal) in any order,
// but SPEC wants events/ in (run, month, customer) order whatever that
// order was. So a run's events are first staged, as they arrive, in a
// scratch file, and laid out in run order once every run before it has
// been written (write_finished_events), the rest when the file is
// committed or suspended. The scratch is an unnamed file in the output's folder
// (O_TMPFILE, or mkstemp and unlinked at once): nobody else sees it, and it
// vanishes with the process however that ends. It starts with an index, one (offset,
// count) slot per run, so memory does not grow with the number of runs.
class EventsScratch {
 public:
  EventsScratch() = default;
  // `beside`: a path in the folder of the output, naming it in messages.
  EventsScratch(const std::filesystem::path& beside, std::size_t runs);
  EventsScratch(EventsScratch&& other) noexcept;
  EventsScratch& operator=(EventsScratch&& other) noexcept;
  EventsScratch(const EventsScratch&) = delete;
  EventsScratch& operator=(const EventsScratch&) = delete;
  ~EventsScratch();

  bool is_open() const noexcept { return fd_ >= 0; }
  std::size_t runs() const noexcept { return runs_; }
  // Stores run `run`'s events (each run at most once; the caller checks).
  void add(std::size_t run, const std::vector<DecisionEvent>& events);
  // Where run `run`'s events are: {byte offset, count}; {0, 0} if none.
  std::pair<std::uint64_t, std::uint64_t> slot(std::size_t run) const;
  // Reads `count` events at byte `offset` into out[0, count).
  void read(std::uint64_t offset, std::uint64_t count, DecisionEvent* out) const;
  void close() noexcept;

 private:
  void write_all(const void* data, std::size_t bytes, std::uint64_t offset);
  void read_bytes(void* data, std::size_t bytes, std::uint64_t offset) const;
  [[noreturn]] void fail(const std::string& doing, int error) const;

  std::string label_;  // names the scratch in messages
  int fd_ = -1;
  std::size_t runs_ = 0;
  std::uint64_t end_ = 0;  // where the next run's events go
};

struct EventsTable {
  h5::Dataset event, run;            // the row number (the dimension scale) and the run
  std::vector<h5::Dataset> columns;  // the members of DecisionEvent, in event_columns order
  hsize_t rows = 0;
  EventsScratch scratch;  // runs staged, not yet in the datasets
  // Runs before next_run have left the scratch: their rows are in the
  // datasets or held here (with their runs; less than a chunk) until a
  // whole chunk is ready.
  std::size_t next_run = 0;
  std::vector<DecisionEvent> held;
  std::vector<std::int64_t> held_runs;
  ChunkEncoder encoder;  // whole chunks are encoded here (events_table.cpp)
};

// `scratch_beside`: where the staging file goes (the output's folder).
EventsTable create_events_table(h5::File& file, const ResultsLayout& layout,
                                const std::filesystem::path& scratch_beside);

// Stages run `run`'s events, which must be in (month, customer) order;
// they reach events/ at write_finished_events or write_events_in_run_order.
void stage_events(EventsTable& t, std::int64_t run, const std::vector<DecisionEvent>& events);

// Appends the staged events of the runs finished in an unbroken line from
// the first (finished[run], for every run from t.next_run on until one is
// not) to events/, in whole chunks; the last part waits for more rows.
// Called as runs finish, so that what is left for the end (and for an
// interruption, which must stop promptly) is only what the runs finished
// out of order and the last part of a chunk hold, however many runs there
// are. Each chunk is still written once.
void write_finished_events(EventsTable& t, const std::vector<bool>& finished);

// Appends every staged run's events not yet appended to events/ in run
// order, numbering the rows from 0 in that order, and closes the scratch.
// Memory: one run's events plus one chunk of rows. Called once, when the
// file is committed or suspended; a second call does nothing.
void write_events_in_run_order(EventsTable& t);

// ------------------------------------------------------------ design/ (results_layout.cpp)

// The design's spec (type, replicates, samples, value lists or ranges) and
// its points, row-major as the Design holds them.
void create_design_group(h5::File& file, const Design& design);

}  // namespace loyalsim::io::detail
