#include "io/results_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <system_error>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "io/chunk_codec.hpp"
#include "io/hdf5.hpp"
#include "io/results_layout.hpp"
#include "io/run_columns.hpp"

namespace loyalsim::io {
namespace {

namespace h5 = hdf5;
using detail::create_design_group;
using detail::create_events_table;
using detail::create_runs_table;
using detail::create_summary;
using detail::create_timeseries;
using detail::EventsTable;
using detail::RunsTable;
using detail::stage_events;
using detail::write_events_in_run_order;
using detail::write_finished_events;
using detail::write_runs_rows;
using h5::Dims;

constexpr std::int32_t format_version = 1;

std::string context(const std::filesystem::path& final_path) { return "results file '" + final_path.string() + "'"; }

// ------------------------------------------------------------ layout checks

void check_layout(const std::filesystem::path& final_path, const ResultsLayout& layout) {
  const auto fail = [&](const std::string& problem) { throw Error(context(final_path) + ": " + problem); };
  if (!final_path.has_filename()) fail("the path names no file");
  if (layout.runs == 0 || layout.months == 0 || layout.firm_names.empty() || layout.segment_names.empty()) {
    fail("the layout needs at least one run, month, firm and segment");
  }
  // events/ stores firm and segment indices as int16.
  constexpr auto index_limit = static_cast<std::size_t>(std::numeric_limits<std::int16_t>::max());
  if (layout.firm_names.size() > index_limit || layout.segment_names.size() > index_limit) {
    fail("more than " + std::to_string(index_limit) + " firms or segments");
  }
  // runs/ columns every file has; a varied parameter may not take these names.
  std::set<std::string_view> columns;
  for_each_fixed_run_name([&](std::string_view name) { columns.insert(name); });
  for (const std::string& parameter : layout.varied_parameters) {
    if (parameter.empty() || parameter == "." || parameter.find('/') != std::string::npos) {
      fail("varied parameter '" + parameter + "' cannot name a runs/ column (empty, '.' or containing '/')");
    }
    if (!columns.insert(parameter).second) {
      fail("varied parameter '" + parameter + "' repeats a runs/ column name");
    }
  }
}

// Beside the final path, so that commit() is a rename within one file system.
std::filesystem::path temporary_path_for(const std::filesystem::path& final_path) {
  return partial_path_for(final_path);
}

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text.data();
}

void write_root_attributes(h5::File& file, const FileMetadata& meta) {
  file.write_attribute("format", "loyalsim-results");
  file.write_attribute("format_version", format_version);
  file.write_attribute("software_version", meta.software_version);
  file.write_attribute("command_line", meta.command_line);
  file.write_attribute("scenario_path", meta.scenario_path);
  file.write_attribute("scenario", meta.scenario_text);
  file.write_attribute("scenario_resolved", meta.resolved_scenario_text);
  file.write_attribute("scenario_seed", meta.scenario_seed);
  file.write_attribute("scenario_hash", meta.scenario_hash);
  file.write_attribute("created_utc", utc_now_iso8601());
  if (meta.only_run >= 0) {
    file.write_attribute("only_run", meta.only_run);
    file.write_attribute("sweep_runs", meta.sweep_runs);
  }
}

// runs/ rows wait until this many runs are pending or this long has
// passed since the last rows were written (and are written at suspend and
// commit). Writing a row rewrites its columns' chunks (1,024 rows each,
// shuffled and deflated): per run, that was most of the cost of recording
// a small run; per batch it is negligible, and a reader of the .partial
// file still sees a finished run's status within a second.
constexpr std::size_t max_pending_rows = 256;
constexpr auto max_row_delay = std::chrono::seconds(1);

// How write_run stores one run of a metric: its chunks encoded here and
// written whole (Dataset::write_chunk), or, when the dataset's chunks or
// filters are not of that kind, through HDF5's own pipeline.
struct MetricChunks {
  std::optional<ChunkFilters> filters;  // nothing: write through HDF5
  hsize_t steps = 0;                    // the second axis (months, or firms in summary/)
  hsize_t chunk_steps = 0;              // of which one chunk holds this many
  std::size_t step_elements = 0;        // elements per step: the rest of the axes, whole
};

// Direct chunk writes need: one run per chunk, every axis past the second
// whole, and what direct_chunk_filters asks of 8-byte elements (int64 and
// float64).
MetricChunks metric_chunks(const h5::Dataset& dataset) {
  MetricChunks m;
  const Dims dims = dataset.dims();
  const h5::Dataset::ChunkLayout layout = dataset.chunk_layout();
  if (dims.size() < 2 || layout.chunk.size() != dims.size() || layout.chunk[0] != 1 || layout.chunk[1] == 0) return m;
  m.step_elements = 1;
  for (std::size_t i = 2; i < dims.size(); ++i) {
    if (layout.chunk[i] != dims[i]) return m;
    m.step_elements *= dims[i];
  }
  m.steps = dims[1];
  m.chunk_steps = layout.chunk[1];
  m.filters = direct_chunk_filters(dataset, 8);
  return m;
}

}  // namespace

// ------------------------------------------------------------ ResultsFile

struct ResultsFile::Impl {
  std::filesystem::path final_path;
  std::filesystem::path temporary_path;
  ResultsLayout layout;

  // The file is declared first so that it is destroyed last, after every
  // dataset of it.
  h5::File file;
  RunsTable runs;
  std::vector<h5::Dataset> series;  // series_metrics order
  std::vector<h5::Dataset> totals;  // summary_metrics order
  std::optional<EventsTable> events;

  std::vector<MetricChunks> series_chunks;  // per dataset of series, totals
  std::vector<MetricChunks> totals_chunks;
  ChunkEncoder encoder;
  std::vector<unsigned char> padded;  // a chunk that runs past the last month, filled out

  std::vector<RunRecord> pending_rows;  // finished runs whose runs/ row is not written yet
  std::chrono::steady_clock::time_point rows_written_at = std::chrono::steady_clock::now();

  std::vector<bool> written;  // per run: a run is written once
  bool open = true;           // false once commit() has begun
  bool committed = false;
  bool keep_temporary = false;  // the rename failed: the results live there
  bool broken = false;          // a write_run failed part-way: write nothing more

  Impl(const std::filesystem::path& final, const ResultsLayout& shape)
      : final_path(final), temporary_path(temporary_path_for(final)), layout(shape), written(shape.runs, false) {}

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  ~Impl() {
    if (committed || keep_temporary) return;
    // Close before removing, so HDF5 does not write to an unlinked file.
    events.reset();
    series.clear();
    totals.clear();
    runs = RunsTable{};
    file = h5::File{};
    std::error_code ignored;
    std::filesystem::remove(temporary_path, ignored);
  }

  [[noreturn]] void fail(std::int64_t run, const std::string& problem) const {
    throw Error(context(final_path) + ": run " + std::to_string(run) + ": " + problem);
  }

  void check_run(const RunRecord& record, const RunResult& result) const;
  // Writes a checked run (write_run).
  void store_run(const RunRecord& record, const RunResult& result);
  // Writes one run's slab of a metric (values: its 8-byte elements in C order).
  template <class T>
  void write_metric(h5::Dataset& dataset, const MetricChunks& m, const std::vector<T>& values, hsize_t run,
                    const Dims& start, const Dims& count, T fill);
  // The pending runs/ rows, after a flush of their runs' data: a reader
  // never sees a run marked done whose data have not reached the file.
  void write_pending_rows();
  // Closes every handle, datasets first, reporting failures.
  void close_all();
};

void ResultsFile::Impl::check_run(const RunRecord& record, const RunResult& result) const {
  const std::int64_t run = record.run;
  if (run < 0 || static_cast<std::size_t>(run) >= layout.runs) {
    fail(run, "outside the file's " + std::to_string(layout.runs) + " runs");
  }
  if (written[static_cast<std::size_t>(run)]) fail(run, "already written");
  const std::size_t firms = layout.firm_names.size(), segments = layout.segment_names.size();
  if (auto problem = run_shape_problem(result, layout.months, firms, segments, "file")) fail(run, *problem);
  if (record.parameter_values.size() != layout.varied_parameters.size()) {
    fail(run, std::to_string(record.parameter_values.size()) + " parameter values for " +
                  std::to_string(layout.varied_parameters.size()) + " varied parameters");
  }
  if (!layout.events) return;
  const DecisionEvent* previous = nullptr;
  for (const DecisionEvent& e : result.events) {
    // events/ is in (run, month, customer) order: a run's own events must
    // come in (month, customer) order, one decision per customer and month.
    if (previous != nullptr &&
        !(previous->month < e.month || (previous->month == e.month && previous->customer < e.customer))) {
      fail(run, "decision event of customer " + std::to_string(e.customer) + " in month " + std::to_string(e.month) +
                    " is out of (month, customer) order");
    }
    previous = &e;
    const bool valid = e.month >= 1 && static_cast<std::size_t>(e.month) <= layout.months && e.segment < segments &&
                       e.from_firm >= 0 && static_cast<std::size_t>(e.from_firm) < firms && e.to_firm >= -1 &&
                       (e.to_firm < 0 || static_cast<std::size_t>(e.to_firm) < firms);
    if (!valid) {
      fail(run, "decision event of customer " + std::to_string(e.customer) + " in month " + std::to_string(e.month) +
                    " has an index outside the layout");
    }
  }
}

template <class T>
void ResultsFile::Impl::write_metric(h5::Dataset& dataset, const MetricChunks& m, const std::vector<T>& values,
                                     hsize_t run, const Dims& start, const Dims& count, T fill) {
  static_assert(sizeof(T) == 8);
  if (!m.filters) {
    dataset.write(values, start, count);
    return;
  }
  const std::size_t chunk_elements = m.chunk_steps * m.step_elements;
  Dims offset(start.size(), 0);
  offset[0] = run;
  for (hsize_t step = 0; step < m.steps; step += m.chunk_steps) {
    const T* first = values.data() + step * m.step_elements;
    std::span<const unsigned char> raw;
    if (step + m.chunk_steps <= m.steps) {
      raw = {reinterpret_cast<const unsigned char*>(first), chunk_elements * sizeof(T)};
    } else {
      // The last chunk reaches past the last step: the rest holds the fill
      // value, as HDF5 fills a chunk it writes in part.
      std::vector<T> chunk(chunk_elements, fill);
      std::copy_n(first, (m.steps - step) * m.step_elements, chunk.begin());
      padded.assign(reinterpret_cast<const unsigned char*>(chunk.data()),
                    reinterpret_cast<const unsigned char*>(chunk.data() + chunk.size()));
      raw = padded;
    }
    offset[1] = step;
    const std::span<const unsigned char> stored = encoder.encode(raw, *m.filters);
    dataset.write_chunk(offset, stored.data(), stored.size());
  }
}

void ResultsFile::Impl::write_pending_rows() {
  if (pending_rows.empty()) return;
  file.flush();
  write_runs_rows(runs, pending_rows);
  file.flush();
  pending_rows.clear();
  rows_written_at = std::chrono::steady_clock::now();
}

void ResultsFile::Impl::close_all() {
  const auto close_table = [](RunsTable& t) {
    t.run.close();
    for (h5::Dataset& d : t.columns) d.close();
    for (h5::Dataset& d : t.parameters) d.close();
  };
  close_table(runs);
  for (h5::Dataset& d : series) d.close();
  for (h5::Dataset& d : totals) d.close();
  if (events) {
    EventsTable& t = *events;
    t.event.close();
    t.run.close();
    for (h5::Dataset& d : t.columns) d.close();
  }
  file.close();
}

ResultsFile ResultsFile::create(const std::filesystem::path& final_path, const ResultsLayout& layout,
                                const FileMetadata& meta) {
  check_layout(final_path, layout);
  auto impl = std::make_unique<Impl>(final_path, layout);

  // The default -o results/NAME.h5 must work in a fresh checkout.
  if (const auto folder = final_path.parent_path(); !folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
      throw Error(context(final_path) + ": creating folder '" + folder.string() + "': " + error.message());
    }
  }

  // From here on a failure destroys impl, which removes the temporary file.
  impl->file = h5::File::create(impl->temporary_path, final_path.string());
  write_root_attributes(impl->file, meta);
  impl->runs = create_runs_table(impl->file, layout);
  impl->series = create_timeseries(impl->file, layout);
  impl->totals = create_summary(impl->file, layout);
  if (layout.events) impl->events = create_events_table(impl->file, layout, impl->temporary_path);
  if (layout.design) create_design_group(impl->file, *layout.design);
  for (const h5::Dataset& d : impl->series) impl->series_chunks.push_back(metric_chunks(d));
  for (const h5::Dataset& d : impl->totals) impl->totals_chunks.push_back(metric_chunks(d));
  impl->file.flush();
  return ResultsFile(std::move(impl));
}

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;
ResultsFile::~ResultsFile() = default;

void ResultsFile::write_run(const RunRecord& record, const RunResult& result) {
  if (!impl_ || !impl_->open) throw Error("results file: writing a run after commit or move");
  Impl& f = *impl_;
  f.check_run(record, result);
  // A failure past here (a full disk, say) may leave the file half written:
  // a dataset extended and its chunk not, a run's events partly laid out.
  // It is kept as it is, for the journal holds the runs, and suspend() only
  // closes it.
  try {
    f.store_run(record, result);
  } catch (...) {
    f.broken = true;
    throw;
  }
}

void ResultsFile::Impl::store_run(const RunRecord& record, const RunResult& result) {
  Impl& f = *this;
  const auto run = static_cast<hsize_t>(record.run);
  const hsize_t months = f.layout.months;
  const hsize_t firms = f.layout.firm_names.size(), segments = f.layout.segment_names.size();

  // Month-major RunResult arrays are exactly the C order of one run's slab.
  for (std::size_t i = 0; i < series_metrics.size(); ++i) {
    const MetricInfo& metric = series_metrics[i];
    const bool by_segment = metric.shape == MetricShape::firm_segment;
    const Dims start = by_segment ? Dims{run, 0, 0, 0} : Dims{run, 0, 0};
    const Dims count = by_segment ? Dims{1, months, firms, segments} : Dims{1, months, firms};
    if (metric.type == MetricType::count) {
      f.write_metric(f.series[i], f.series_chunks[i], result.series.counts[i], run, start, count, detail::count_fill);
    } else {
      f.write_metric(f.series[i], f.series_chunks[i], result.series.reals[i], run, start, count, detail::real_fill);
    }
  }
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    const bool by_segment = summary_metrics[i].shape == MetricShape::firm_segment;
    const Dims start = by_segment ? Dims{run, 0, 0} : Dims{run, 0};
    const Dims count = by_segment ? Dims{1, firms, segments} : Dims{1, firms};
    if (summary_metrics[i].type == MetricType::count) {
      f.write_metric(f.totals[i], f.totals_chunks[i], result.totals.counts[i], run, start, count, detail::count_fill);
    } else {
      f.write_metric(f.totals[i], f.totals_chunks[i], result.totals.reals[i], run, start, count, detail::real_fill);
    }
  }
  if (f.events) stage_events(*f.events, record.run, result.events);

  // The runs/ row, with its status "done", comes later, in a batch, after
  // a flush of the data (write_pending_rows).
  f.written[run] = true;
  if (f.events) write_finished_events(*f.events, f.written);
  f.pending_rows.push_back(record);
  if (f.pending_rows.size() >= max_pending_rows ||
      std::chrono::steady_clock::now() - f.rows_written_at >= max_row_delay)
    f.write_pending_rows();
}

void ResultsFile::suspend() {
  if (!impl_ || !impl_->open) throw Error("results file: suspend after commit or move");
  Impl& f = *impl_;
  if (f.broken) {
    keep_after_failure();
    return;
  }
  f.write_pending_rows();
  if (f.events) write_events_in_run_order(*f.events);
  f.open = false;
  f.keep_temporary = true;
  f.file.flush();
  f.close_all();
}

void ResultsFile::keep_after_failure() noexcept {
  if (!impl_) return;
  impl_->open = false;
  impl_->keep_temporary = true;  // the destructor closes every handle, unchecked
}

void ResultsFile::commit() {
  if (!impl_ || !impl_->open) throw Error("results file: commit after commit or move");
  Impl& f = *impl_;
  if (f.broken) throw Error(context(f.final_path) + ": not completed: writing a run failed part-way");
  f.write_pending_rows();
  if (f.events) write_events_in_run_order(*f.events);
  f.open = false;
  f.file.write_attribute("complete", std::int8_t{1});
  f.file.flush();
  f.close_all();
  std::error_code error;
  std::filesystem::rename(f.temporary_path, f.final_path, error);
  if (error) {
    f.keep_temporary = true;
    throw Error(context(f.final_path) + ": renaming '" + f.temporary_path.string() + "' onto it: " + error.message() +
                "; the results are kept in '" + f.temporary_path.string() + "'");
  }
  f.committed = true;
}

const std::filesystem::path& ResultsFile::temporary_path() const {
  if (!impl_) throw Error("results file: asking a moved-from file for its temporary path");
  return impl_->temporary_path;
}

std::optional<std::string> complete_file_scenario_hash(const std::filesystem::path& path) {
  try {
    const h5::File file = h5::File::open(path, h5::File::Access::read_only);
    if (!file.has_attribute("complete") || !file.has_attribute("scenario_hash")) return std::nullopt;
    const std::vector<std::int8_t> complete = file.read_attribute<std::int8_t>("complete");
    if (complete.size() != 1 || complete[0] != 1) return std::nullopt;
    return file.read_string_attribute("scenario_hash");
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::filesystem::path partial_path_for(const std::filesystem::path& final_path) {
  std::filesystem::path partial = final_path;
  partial += ".partial";
  return partial;
}

}  // namespace loyalsim::io
