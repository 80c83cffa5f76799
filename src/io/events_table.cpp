// events/: one row per departure decision, in (run, month, customer) order
// whatever order runs finish in. Runs are staged in a scratch file as they
// are written (see EventsScratch in results_layout.hpp) and laid out in run
// order as soon as every earlier run has finished, a whole chunk at a time;
// the rest at the end.
#include "io/results_layout.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/event_columns.hpp"

namespace loyalsim::io::detail {
namespace {

constexpr hsize_t events_chunk_rows = 65536;

template <h5::Element T>
h5::Dataset create_event_column(h5::Group& group, std::string_view name, const h5::Dataset& event,
                                std::string_view units, std::string_view description) {
  h5::Dataset column = group.create_dataset(
      name, h5::Datatype::stored_as<T>(), h5::Dataspace::simple({0}, {h5::unlimited}), compressed({events_chunk_rows}));
  describe(column, units, description);
  attach(column, {{"event", event}});
  return column;
}

// Appends events' values of one column at row `first`. A whole chunk (the
// table grows a chunk at a time until its last rows) is encoded here and
// written in one H5Dwrite_chunk, as the results file writes its metrics
// (libdeflate where installed, instead of the pipeline's zlib: a 200-run
// sweep with 35,000 decisions per run took 0.92 of the time), where
// direct_chunk_filters allows; anything else goes through HDF5.
template <h5::Element T, typename Field>
void append_column(h5::Dataset& column, ChunkEncoder& encoder, hsize_t first, std::span<const DecisionEvent> events,
                   Field field) {
  std::vector<T> values;
  values.reserve(events.size());
  for (std::size_t k = 0; k < events.size(); ++k) values.push_back(static_cast<T>(field(k, events[k])));
  const hsize_t n = events.size();
  column.extend({first + n});
  if (n == events_chunk_rows && first % events_chunk_rows == 0) {
    if (const std::optional<ChunkFilters> filters = direct_chunk_filters(column, sizeof(T))) {
      const std::span<const unsigned char> raw(reinterpret_cast<const unsigned char*>(values.data()),
                                               values.size() * sizeof(T));
      const std::span<const unsigned char> stored = encoder.encode(raw, *filters);
      column.write_chunk({first}, stored.data(), stored.size());
      return;
    }
  }
  column.write(values, {first}, {n});
}

// Appends rows to every column; runs[k] is the run of events[k].
void append_rows(EventsTable& t, std::span<const DecisionEvent> events, std::span<const std::int64_t> runs) {
  if (events.empty()) return;
  const hsize_t first = t.rows;
  using E = DecisionEvent;
  // The row number is the id: a function of the ordered data alone.
  append_column<std::int64_t>(t.event, t.encoder, first, events, [first](std::size_t k, const E&) { return first + k; });
  append_column<std::int64_t>(t.run, t.encoder, first, events, [runs](std::size_t k, const E&) { return runs[k]; });
  std::size_t i = 0;
  for_each_event_column([&](const auto& column) {
    using Stored = typename std::remove_cvref_t<decltype(column)>::stored_type;
    append_column<Stored>(t.columns[i++], t.encoder, first, events,
                          [&column](std::size_t, const E& e) { return static_cast<Stored>(e.*column.member); });
  });
  t.rows += events.size();
}

// The scratch holds DecisionEvent objects byte for byte: it is read back by
// the process that wrote it, so its layout never has to be stable.
static_assert(std::is_trivially_copyable_v<DecisionEvent>);
constexpr std::uint64_t slot_bytes = 2 * sizeof(std::uint64_t);  // offset, count

}  // namespace

EventsTable create_events_table(h5::File& file, const ResultsLayout& layout,
                                const std::filesystem::path& scratch_beside) {
  h5::Group group = file.create_group("events");
  group.write_attribute("description", "one row per departure decision: a customer whose rep left the firm");
  EventsTable t;
  t.event = group.create_dataset("event", h5::Datatype::stored_as<std::int64_t>(),
                                 h5::Dataspace::simple({0}, {h5::unlimited}), compressed({events_chunk_rows}));
  t.event.make_dimension_scale("event");
  describe(t.event, "1", "row number of the decision in this table");

  t.run = create_event_column<std::int64_t>(group, "run", t.event, "1", "run of the decision: the row of runs/");
  for_each_event_column([&](const auto& column) {
    using Stored = typename std::remove_cvref_t<decltype(column)>::stored_type;
    h5::Dataset variable = create_event_column<Stored>(group, column.name, t.event, column.units, column.description);
    if (column.names == IndexNames::segment_names) variable.write_attribute("segment_names", layout.segment_names);
    if (column.names == IndexNames::firm_names) variable.write_attribute("firm_names", layout.firm_names);
    if (const std::size_t flags = flag_count(column.flag_meanings); flags > 0) {
      std::vector<Stored> values(flags);
      std::iota(values.begin(), values.end(), Stored{0});
      variable.write_attribute("flag_values", values);
      variable.write_attribute("flag_meanings", column.flag_meanings);
    }
    t.columns.push_back(std::move(variable));
  });
  t.scratch = EventsScratch(scratch_beside, layout.runs);
  return t;
}

void stage_events(EventsTable& t, std::int64_t run, const std::vector<DecisionEvent>& events) {
  t.scratch.add(static_cast<std::size_t>(run), events);
}

namespace {

// Appends the held rows (at most a chunk) to events/.
void write_held(EventsTable& t) {
  append_rows(t, t.held, t.held_runs);
  t.held.clear();
  t.held_runs.clear();
}

// Moves run t.next_run's staged events behind the held rows, writing each
// chunk as it fills: rows wait until a chunk is full, so every chunk of
// events/ is written (and compressed) once. The run is read a piece at a
// time, so at most one chunk of rows is held, however large the run (it
// is called while the run's own results are still in memory).
void take_next_run(EventsTable& t) {
  const std::size_t run = t.next_run;
  const auto [offset, count] = t.scratch.slot(run);
  for (std::uint64_t done = 0; done < count;) {
    const std::size_t held = t.held.size();
    const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(count - done, events_chunk_rows - held));
    t.held.resize(held + piece);
    t.held_runs.resize(held + piece, static_cast<std::int64_t>(run));
    t.scratch.read(offset + done * sizeof(DecisionEvent), piece, t.held.data() + held);
    done += piece;
    if (t.held.size() == events_chunk_rows) write_held(t);
  }
  ++t.next_run;
}

}  // namespace

void write_finished_events(EventsTable& t, const std::vector<bool>& finished) {
  if (!t.scratch.is_open()) return;
  while (t.next_run < t.scratch.runs() && finished[t.next_run]) take_next_run(t);
}

void write_events_in_run_order(EventsTable& t) {
  if (!t.scratch.is_open()) return;
  while (t.next_run < t.scratch.runs()) take_next_run(t);
  write_held(t);
  t.scratch.close();
}

// ------------------------------------------------------------ EventsScratch

EventsScratch::EventsScratch(const std::filesystem::path& beside, std::size_t runs)
    : label_("events scratch file beside '" + beside.string() + "'"), runs_(runs) {
  const std::filesystem::path folder = beside.has_parent_path() ? beside.parent_path() : ".";
  // A file without a name (Linux O_TMPFILE): a killed process leaves nothing.
#ifdef O_TMPFILE
  fd_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd_ < 0) {
    // Elsewhere, a fresh name (O_EXCL: never an existing file, link or
    // FIFO), unlinked at once. A short name: the output's may be long.
    std::string name = (folder / ".loyalsim-events-XXXXXX").string();
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) fail("creating", errno);
    if (::unlink(name.c_str()) != 0) {
      const int error = errno;
      close();
      fail("unlinking", error);
    }
  }
  // The index: one zero (empty) slot per run, a hole until written.
  end_ = static_cast<std::uint64_t>(runs) * slot_bytes;
  if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) {
    const int error = errno;
    close();
    fail("sizing", error);
  }
}

EventsScratch::EventsScratch(EventsScratch&& other) noexcept
    : label_(std::move(other.label_)), fd_(std::exchange(other.fd_, -1)), runs_(other.runs_), end_(other.end_) {}

EventsScratch& EventsScratch::operator=(EventsScratch&& other) noexcept {
  if (this != &other) {
    close();
    label_ = std::move(other.label_);
    fd_ = std::exchange(other.fd_, -1);
    runs_ = other.runs_;
    end_ = other.end_;
  }
  return *this;
}

EventsScratch::~EventsScratch() { close(); }

void EventsScratch::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void EventsScratch::fail(const std::string& doing, int error) const {
  throw Error(label_ + ": " + doing + ": " + std::strerror(error));
}

void EventsScratch::write_all(const void* data, std::size_t bytes, std::uint64_t offset) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::pwrite(fd_, p, bytes, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("writing", n < 0 ? errno : ENOSPC);
    p += n;
    bytes -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

void EventsScratch::add(std::size_t run, const std::vector<DecisionEvent>& events) {
  if (fd_ < 0) throw Error(label_ + ": adding run " + std::to_string(run) + " after the events were laid out");
  if (events.empty()) return;
  const std::uint64_t bytes = events.size() * sizeof(DecisionEvent);
  write_all(events.data(), bytes, end_);
  // The slot last: a failed write leaves the run without events, not half of them.
  const std::array<std::uint64_t, 2> slot{end_, events.size()};
  write_all(slot.data(), slot_bytes, run * slot_bytes);
  end_ += bytes;
}

std::pair<std::uint64_t, std::uint64_t> EventsScratch::slot(std::size_t run) const {
  std::array<std::uint64_t, 2> slot{};
  read_bytes(slot.data(), slot_bytes, run * slot_bytes);
  return {slot[0], slot[1]};
}

void EventsScratch::read(std::uint64_t offset, std::uint64_t count, DecisionEvent* out) const {
  read_bytes(out, count * sizeof(DecisionEvent), offset);
}

void EventsScratch::read_bytes(void* data, std::size_t bytes, std::uint64_t offset) const {
  auto* p = static_cast<unsigned char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::pread(fd_, p, bytes, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("reading", n < 0 ? errno : EIO);
    p += n;
    bytes -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

}  // namespace loyalsim::io::detail
