#include "io/results_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "io/hdf5.hpp"

namespace loyalsim::io {
namespace {

namespace h5 = hdf5;
using h5::Dims;

constexpr std::int32_t format_version = 1;
constexpr unsigned deflate_level = 4;
// One run per chunk lets a sweep write runs in any order without rewriting
// another run's chunk; the cap keeps a chunk (and so the chunk cache needed
// to read one run) near 1 MiB when firms x segments is large.
constexpr std::size_t chunk_byte_cap = std::size_t{1} << 20;
constexpr hsize_t runs_chunk_rows = 1024;
constexpr hsize_t events_chunk_rows = 65536;
// Metric elements are int64 or float64 alike.
constexpr std::size_t metric_element_bytes = 8;

// Unwritten runs read back as these (and netCDF readers mask them).
constexpr std::int64_t count_fill = -1;
constexpr double real_fill = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::int8_t> status_flag_values{0, 1, 2};
constexpr std::string_view status_flag_meanings = "pending done failed";
const std::vector<std::int8_t> choice_flag_values{0, 1, 2};
constexpr std::string_view choice_flag_meanings = "stay follow defect";

// runs/ columns every file has; a varied parameter may not take these names.
constexpr std::array<std::string_view, 7> fixed_run_columns{
    "run", "point", "replicate", "seed", "status", "wall_seconds", "scripted_shortfall"};

std::string context(const std::filesystem::path& final_path) {
  return "results file '" + final_path.string() + "'";
}

// ------------------------------------------------------------ layout checks

void check_layout(const std::filesystem::path& final_path, const ResultsLayout& layout) {
  const auto fail = [&](const std::string& problem) {
    throw Error(context(final_path) + ": " + problem);
  };
  if (!final_path.has_filename()) fail("the path names no file");
  if (layout.runs == 0 || layout.months == 0 || layout.firm_names.empty() ||
      layout.segment_names.empty()) {
    fail("the layout needs at least one run, month, firm and segment");
  }
  // events/ stores firm and segment indices as int16.
  constexpr auto index_limit = static_cast<std::size_t>(std::numeric_limits<std::int16_t>::max());
  if (layout.firm_names.size() > index_limit || layout.segment_names.size() > index_limit) {
    fail("more than " + std::to_string(index_limit) + " firms or segments");
  }
  std::set<std::string_view> columns(fixed_run_columns.begin(), fixed_run_columns.end());
  for (const std::string& parameter : layout.varied_parameters) {
    if (parameter.empty() || parameter == "." || parameter.find('/') != std::string::npos) {
      fail("varied parameter '" + parameter +
           "' cannot name a runs/ column (empty, '.' or containing '/')");
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

// ------------------------------------------------------------ building blocks

h5::DatasetCreation compressed(const Dims& chunk) {
  h5::DatasetCreation options;
  options.chunk(chunk).shuffle().deflate(deflate_level);  // shuffle first: it feeds deflate
  return options;
}

void describe(h5::Object& object, std::string_view units, std::string_view description) {
  object.write_attribute("units", units);
  object.write_attribute("description", description);
}

// A dimension of a data variable: its name and the scale of the variable's
// own group (each group carries its own scales, so xarray can open any group
// on its own).
struct Axis {
  std::string_view name;
  const h5::Dataset& scale;
};

void attach(h5::Dataset& variable, const std::vector<Axis>& axes) {
  for (unsigned i = 0; i < axes.size(); ++i) {
    variable.attach_dimension_scale(axes[i].scale, i);
    variable.set_dimension_label(i, axes[i].name);
  }
}

h5::Dataset create_index_scale(h5::Group& group, std::string_view name, std::size_t size,
                               std::int64_t first, std::string_view description) {
  h5::Dataset scale = group.create_dataset(name, h5::Datatype::stored_as<std::int64_t>(),
                                           h5::Dataspace::simple({size}),
                                           compressed({std::min<hsize_t>(size, runs_chunk_rows)}));
  std::vector<std::int64_t> values(size);
  std::iota(values.begin(), values.end(), first);
  scale.write(values);
  scale.make_dimension_scale(name);
  describe(scale, "1", description);
  return scale;
}

h5::Dataset create_month_scale(h5::Group& group, std::size_t months) {
  h5::Dataset scale = group.create_dataset("month", h5::Datatype::stored_as<std::int32_t>(),
                                           h5::Dataspace::simple({months}));
  std::vector<std::int32_t> values(months);
  std::iota(values.begin(), values.end(), 1);
  scale.write(values);
  scale.make_dimension_scale("month");
  describe(scale, "1", "recorded month, numbered from 1 (burn-in months are not recorded)");
  return scale;
}

h5::Dataset create_name_scale(h5::Group& group, std::string_view name,
                              const std::vector<std::string>& names, std::string_view description) {
  h5::Dataset scale = group.create_dataset(name, h5::Datatype::utf8_string(),
                                           h5::Dataspace::simple({names.size()}));
  scale.write_strings(names);
  scale.make_dimension_scale(name);
  describe(scale, "", description);
  return scale;
}

// Chunk of a (run, second, rest...) metric: one run, all of the rest, and as
// much of the second axis (months in timeseries/) as fits under the cap.
Dims metric_chunk(const Dims& dims) {
  Dims chunk = dims;
  chunk[0] = 1;
  std::size_t bytes_per_step = metric_element_bytes;
  for (std::size_t i = 2; i < dims.size(); ++i) bytes_per_step *= dims[i];
  const hsize_t steps = std::max<std::size_t>(1, chunk_byte_cap / bytes_per_step);
  chunk[1] = std::min(dims[1], steps);
  return chunk;
}

h5::Dataset create_metric(h5::Group& group, const MetricInfo& metric, const Dims& dims,
                          const std::vector<Axis>& axes) {
  h5::DatasetCreation options = compressed(metric_chunk(dims));
  const bool is_count = metric.type == MetricType::count;
  if (is_count) {
    options.fill_value(count_fill);
  } else {
    options.fill_value(real_fill);
  }
  h5::Dataset variable = group.create_dataset(
      metric.name,
      is_count ? h5::Datatype::stored_as<std::int64_t>() : h5::Datatype::stored_as<double>(),
      h5::Dataspace::simple(dims), options);
  describe(variable, metric.units, metric.description);
  // Same type as the data, so netCDF readers agree with the HDF5 fill value.
  if (is_count) {
    variable.write_attribute("_FillValue", count_fill);
  } else {
    variable.write_attribute("_FillValue", real_fill);
  }
  attach(variable, axes);
  return variable;
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
}

// ------------------------------------------------------------ runs/

struct RunsTable {
  h5::Dataset run, point, replicate, seed, status, wall_seconds, scripted_shortfall;
  std::vector<h5::Dataset> parameters;  // ResultsLayout::varied_parameters order
};

template <h5::Element T>
h5::Dataset create_run_column(h5::Group& group, std::string_view name, const h5::Dataset& run,
                              std::size_t runs, std::string_view units,
                              std::string_view description, std::optional<T> fill = {}) {
  h5::DatasetCreation options = compressed({std::min<hsize_t>(runs, runs_chunk_rows)});
  if (fill) options.fill_value(*fill);
  h5::Dataset column = group.create_dataset(name, h5::Datatype::stored_as<T>(),
                                            h5::Dataspace::simple({runs}), options);
  describe(column, units, description);
  if (fill) column.write_attribute("_FillValue", *fill);
  attach(column, {{"run", run}});
  return column;
}

RunsTable create_runs_table(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("runs");
  group.write_attribute("description", "one row per run (design point x replicate)");
  const std::size_t runs = layout.runs;
  RunsTable table;
  table.run = create_index_scale(group, "run", runs, 0,
                                 "run number: design point x replicate, as in every group");
  table.point = create_run_column<std::int64_t>(group, "point", table.run, runs, "1",
                                                "design point of the sweep (0 for a single run)");
  table.replicate = create_run_column<std::int64_t>(group, "replicate", table.run, runs, "1",
                                                    "replicate of the design point, from 0");
  table.seed = create_run_column<std::uint64_t>(group, "seed", table.run, runs, "1",
                                                "seed of the run's random streams");
  // No _FillValue: pending (0) is the HDF5 fill, and masking it would hide it.
  table.status = create_run_column<std::int8_t>(group, "status", table.run, runs, "1",
                                                "state of the run: pending, done or failed");
  table.status.write_attribute("flag_values", status_flag_values);
  table.status.write_attribute("flag_meanings", status_flag_meanings);
  // "s", not "seconds": xarray would turn a "seconds" column into timedeltas.
  table.wall_seconds = create_run_column<double>(group, "wall_seconds", table.run, runs, "s",
                                                 "wall-clock time the run took", real_fill);
  table.scripted_shortfall = create_run_column<std::int64_t>(
      group, "scripted_shortfall", table.run, runs, "reps",
      "scripted departures that could not happen because the firm had too few active reps",
      std::optional<std::int64_t>(-1));
  for (const std::string& parameter : layout.varied_parameters) {
    table.parameters.push_back(create_run_column<double>(
        group, parameter, table.run, runs, "",
        "value of the varied parameter " + parameter + " in this run (units as in the scenario)",
        real_fill));
  }
  return table;
}

template <h5::Element T>
void write_cell(h5::Dataset& column, hsize_t run, T value) {
  column.write(std::array<T, 1>{value}, {run}, {1});
}

void write_runs_row(RunsTable& table, const RunRecord& record) {
  const auto run = static_cast<hsize_t>(record.run);
  write_cell(table.point, run, record.point);
  write_cell(table.replicate, run, record.replicate);
  write_cell(table.seed, run, record.seed);
  write_cell(table.status, run, static_cast<std::int8_t>(record.status));
  write_cell(table.wall_seconds, run, record.wall_seconds);
  write_cell(table.scripted_shortfall, run, record.scripted_shortfall);
  for (std::size_t i = 0; i < table.parameters.size(); ++i) {
    write_cell(table.parameters[i], run, record.parameter_values[i]);
  }
}

// ------------------------------------------------------------ timeseries/ and summary/

std::vector<h5::Dataset> create_timeseries(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("timeseries");
  group.write_attribute("description", "monthly metrics of every run, firm and segment");
  const h5::Dataset run =
      create_index_scale(group, "run", layout.runs, 0, "run number: the row of runs/");
  const h5::Dataset month = create_month_scale(group, layout.months);
  const h5::Dataset firm = create_name_scale(group, "firm", layout.firm_names, "firm name");
  const h5::Dataset segment =
      create_name_scale(group, "segment", layout.segment_names, "customer segment name");

  const hsize_t runs = layout.runs, months = layout.months;
  const hsize_t firms = layout.firm_names.size(), segments = layout.segment_names.size();
  std::vector<h5::Dataset> variables;
  for (const MetricInfo& metric : series_metrics) {
    if (metric.shape == MetricShape::firm_segment) {
      variables.push_back(
          create_metric(group, metric, {runs, months, firms, segments},
                        {{"run", run}, {"month", month}, {"firm", firm}, {"segment", segment}}));
    } else {
      variables.push_back(create_metric(group, metric, {runs, months, firms},
                                        {{"run", run}, {"month", month}, {"firm", firm}}));
    }
  }
  return variables;
}

std::vector<h5::Dataset> create_summary(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("summary");
  group.write_attribute("description", "totals and headline rates over the recorded months");
  const h5::Dataset run =
      create_index_scale(group, "run", layout.runs, 0, "run number: the row of runs/");
  const h5::Dataset firm = create_name_scale(group, "firm", layout.firm_names, "firm name");
  const h5::Dataset segment =
      create_name_scale(group, "segment", layout.segment_names, "customer segment name");

  const Dims dims{layout.runs, layout.firm_names.size(), layout.segment_names.size()};
  std::vector<h5::Dataset> variables;
  for (const MetricInfo& metric : summary_metrics) {
    variables.push_back(
        create_metric(group, metric, dims, {{"run", run}, {"firm", firm}, {"segment", segment}}));
  }
  return variables;
}

// ------------------------------------------------------------ events/

struct EventsTable {
  h5::Dataset event, run, month, customer, segment, rep, from_firm, to_firm, brand_loyalty,
      rep_loyalty, choice;
  hsize_t rows = 0;
};

template <h5::Element T>
h5::Dataset create_event_column(h5::Group& group, std::string_view name, const h5::Dataset& event,
                                std::string_view units, std::string_view description) {
  h5::Dataset column = group.create_dataset(name, h5::Datatype::stored_as<T>(),
                                            h5::Dataspace::simple({0}, {h5::unlimited}),
                                            compressed({events_chunk_rows}));
  describe(column, units, description);
  attach(column, {{"event", event}});
  return column;
}

EventsTable create_events_table(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("events");
  group.write_attribute("description",
                        "one row per departure decision: a customer whose rep left the firm");
  EventsTable t;
  t.event = group.create_dataset("event", h5::Datatype::stored_as<std::int64_t>(),
                                 h5::Dataspace::simple({0}, {h5::unlimited}),
                                 compressed({events_chunk_rows}));
  t.event.make_dimension_scale("event");
  describe(t.event, "1", "row number of the decision in this table");

  t.run = create_event_column<std::int64_t>(group, "run", t.event, "1",
                                            "run of the decision: the row of runs/");
  t.month = create_event_column<std::int32_t>(group, "month", t.event, "1",
                                              "recorded month of the decision, numbered from 1");
  t.customer = create_event_column<std::int32_t>(group, "customer", t.event, "1",
                                                 "customer id within the run");
  t.segment = create_event_column<std::int16_t>(
      group, "segment", t.event, "1", "customer segment: index into segment_names, from 0");
  t.segment.write_attribute("segment_names", layout.segment_names);
  t.rep = create_event_column<std::int32_t>(group, "rep", t.event, "1", "id of the rep who left");
  t.from_firm = create_event_column<std::int16_t>(
      group, "from_firm", t.event, "1", "firm the rep left: index into firm_names, from 0");
  t.from_firm.write_attribute("firm_names", layout.firm_names);
  t.to_firm = create_event_column<std::int16_t>(
      group, "to_firm", t.event, "1",
      "firm of the customer after the decision: index into firm_names, -1 = unattached");
  t.to_firm.write_attribute("firm_names", layout.firm_names);
  t.brand_loyalty = create_event_column<float>(group, "B", t.event, "1",
                                               "brand loyalty B just before the decision");
  t.rep_loyalty = create_event_column<float>(group, "R", t.event, "1",
                                             "rep loyalty R just before the decision");
  t.choice = create_event_column<std::int8_t>(group, "choice", t.event, "1",
                                              "the customer's decision: stay, follow or defect");
  t.choice.write_attribute("flag_values", choice_flag_values);
  t.choice.write_attribute("flag_meanings", choice_flag_meanings);
  return t;
}

template <h5::Element T, typename Field>
void append_column(h5::Dataset& column, hsize_t first, const std::vector<DecisionEvent>& events,
                   Field field) {
  std::vector<T> values;
  values.reserve(events.size());
  for (const DecisionEvent& e : events) values.push_back(static_cast<T>(field(e)));
  const hsize_t n = events.size();
  column.extend({first + n});
  column.write(values, {first}, {n});
}

void append_events(EventsTable& t, std::int64_t run, const std::vector<DecisionEvent>& events) {
  if (events.empty()) return;
  const hsize_t first = t.rows;
  using E = DecisionEvent;
  append_column<std::int64_t>(t.event, first, events,
                              [row = first](const E&) mutable { return row++; });
  append_column<std::int64_t>(t.run, first, events, [run](const E&) { return run; });
  append_column<std::int32_t>(t.month, first, events, [](const E& e) { return e.month; });
  append_column<std::int32_t>(t.customer, first, events, [](const E& e) { return e.customer; });
  append_column<std::int16_t>(t.segment, first, events, [](const E& e) { return e.segment; });
  append_column<std::int32_t>(t.rep, first, events, [](const E& e) { return e.rep; });
  append_column<std::int16_t>(t.from_firm, first, events, [](const E& e) { return e.from_firm; });
  append_column<std::int16_t>(t.to_firm, first, events, [](const E& e) { return e.to_firm; });
  append_column<float>(t.brand_loyalty, first, events, [](const E& e) { return e.brand_loyalty; });
  append_column<float>(t.rep_loyalty, first, events, [](const E& e) { return e.rep_loyalty; });
  append_column<std::int8_t>(t.choice, first, events,
                             [](const E& e) { return static_cast<std::int8_t>(e.choice); });
  t.rows += events.size();
}

}  // namespace

// ------------------------------------------------------------ design/

void create_design_group(h5::File& file, const DesignDescription& design) {
  h5::Group group = file.create_group("design");
  group.write_attribute("description", "the sweep design: one point per row of points, each run by replicates");
  group.write_attribute("type", design.type);
  group.write_attribute("replicates", design.replicates);
  group.write_attribute("samples", design.samples);
  const std::size_t parameters = design.parameters.size();
  const std::size_t points = parameters == 0 ? 0 : design.points.size() / parameters;
  h5::Dataset point = create_index_scale(group, "point", points, 0, "design point");
  h5::Dataset parameter = create_name_scale(group, "parameter", design.parameters, "varied parameter path");
  h5::Dataset matrix = group.create_dataset("points", h5::Datatype::stored_as<double>(),
                                            h5::Dataspace::simple({points, parameters}),
                                            compressed({std::min<hsize_t>(std::max<std::size_t>(points, 1), 4096),
                                                        std::max<hsize_t>(parameters, 1)}));
  matrix.write(design.points);
  describe(matrix, "", "the sample matrix: the value of each varied parameter at each design point");
  attach(matrix, {{"point", point}, {"parameter", parameter}});
  if (!design.low.empty()) {
    for (const auto& [name, bounds, text] :
         {std::tuple{"low", &design.low, "lower end of the sampled range"},
          std::tuple{"high", &design.high, "upper end of the sampled range"}}) {
      h5::Dataset column = group.create_dataset(name, h5::Datatype::stored_as<double>(),
                                                h5::Dataspace::simple({parameters}));
      column.write(*bounds);
      describe(column, "", text);
      attach(column, {{"parameter", parameter}});
    }
  }
  if (!design.values.empty()) {
    h5::Group values = group.create_group("values");
    values.write_attribute("description", "the value list of each varied parameter, as written in the scenario");
    for (std::size_t k = 0; k < parameters; ++k) {
      h5::Dataset list = values.create_dataset(design.parameters[k], h5::Datatype::stored_as<double>(),
                                               h5::Dataspace::simple({design.values[k].size()}));
      list.write(design.values[k]);
    }
  }
}

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

  std::vector<bool> written;               // per run: a run is written once
  std::vector<std::int64_t> count_buffer;  // reused by every count metric
  bool open = true;                        // false once commit() has begun
  bool committed = false;
  bool keep_temporary = false;  // the rename failed: the results live there

  Impl(const std::filesystem::path& final, const ResultsLayout& shape)
      : final_path(final),
        temporary_path(temporary_path_for(final)),
        layout(shape),
        written(shape.runs, false) {}

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
  const std::vector<std::int64_t>& as_counts(std::int64_t run, const MetricInfo& metric,
                                             std::string_view group,
                                             const std::vector<double>& values);
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
  if (result.months != layout.months || result.firms != firms || result.segments != segments) {
    fail(run, "the result has " + std::to_string(result.months) + " months x " +
                  std::to_string(result.firms) + " firms x " + std::to_string(result.segments) +
                  " segments, the file " + std::to_string(layout.months) + " x " +
                  std::to_string(firms) + " x " + std::to_string(segments));
  }
  if (result.series.size() != series_metrics.size() ||
      result.totals.size() != summary_metrics.size()) {
    fail(run, "the result was not allocated for the metric tables");
  }
  for (std::size_t i = 0; i < series_metrics.size(); ++i) {
    if (result.series[i].size() != result.series_size(series_metrics[i])) {
      fail(run, "timeseries '" + std::string(series_metrics[i].name) + "' has the wrong size");
    }
  }
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    if (result.totals[i].size() != firms * segments) {
      fail(run, "summary '" + std::string(summary_metrics[i].name) + "' has the wrong size");
    }
  }
  if (record.parameter_values.size() != layout.varied_parameters.size()) {
    fail(run, std::to_string(record.parameter_values.size()) + " parameter values for " +
                  std::to_string(layout.varied_parameters.size()) + " varied parameters");
  }
  if (!layout.events) return;
  for (const DecisionEvent& e : result.events) {
    const bool valid = e.month >= 1 && static_cast<std::size_t>(e.month) <= layout.months &&
                       e.segment < segments && e.from_firm >= 0 &&
                       static_cast<std::size_t>(e.from_firm) < firms && e.to_firm >= -1 &&
                       (e.to_firm < 0 || static_cast<std::size_t>(e.to_firm) < firms);
    if (!valid) {
      fail(run, "decision event of customer " + std::to_string(e.customer) + " in month " +
                    std::to_string(e.month) + " has an index outside the layout");
    }
  }
}

// Counts are accumulated as doubles in RunResult and stored as int64, so
// that -1 can mark an unwritten run; anything but a whole number is a bug.
const std::vector<std::int64_t>& ResultsFile::Impl::as_counts(std::int64_t run,
                                                              const MetricInfo& metric,
                                                              std::string_view group,
                                                              const std::vector<double>& values) {
  constexpr double limit = 9.0e18;  // inside int64
  count_buffer.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!(std::isfinite(v) && std::trunc(v) == v && std::fabs(v) < limit)) {
      fail(run, "count metric '" + std::string(group) + "/" + std::string(metric.name) +
                    "' holds " + std::to_string(v) + ", not a whole number");
    }
    count_buffer[i] = static_cast<std::int64_t>(v);
  }
  return count_buffer;
}

void ResultsFile::Impl::close_all() {
  const auto close_table = [](RunsTable& t) {
    for (h5::Dataset* d : {&t.run, &t.point, &t.replicate, &t.seed, &t.status, &t.wall_seconds, &t.scripted_shortfall}) {
      d->close();
    }
    for (h5::Dataset& d : t.parameters) d.close();
  };
  close_table(runs);
  for (h5::Dataset& d : series) d.close();
  for (h5::Dataset& d : totals) d.close();
  if (events) {
    EventsTable& t = *events;
    for (h5::Dataset* d : {&t.event, &t.run, &t.month, &t.customer, &t.segment, &t.rep,
                           &t.from_firm, &t.to_firm, &t.brand_loyalty, &t.rep_loyalty, &t.choice}) {
      d->close();
    }
  }
  file.close();
}

ResultsFile ResultsFile::create(const std::filesystem::path& final_path,
                                const ResultsLayout& layout, const FileMetadata& meta) {
  check_layout(final_path, layout);
  auto impl = std::make_unique<Impl>(final_path, layout);

  // The default -o results/NAME.h5 must work in a fresh checkout.
  if (const auto folder = final_path.parent_path(); !folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
      throw Error(context(final_path) + ": creating folder '" + folder.string() +
                  "': " + error.message());
    }
  }

  // From here on a failure destroys impl, which removes the temporary file.
  impl->file = h5::File::create(impl->temporary_path, final_path.string());
  write_root_attributes(impl->file, meta);
  impl->runs = create_runs_table(impl->file, layout);
  impl->series = create_timeseries(impl->file, layout);
  impl->totals = create_summary(impl->file, layout);
  if (layout.events) impl->events = create_events_table(impl->file, layout);
  if (layout.design) create_design_group(impl->file, *layout.design);
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
      f.series[i].write(f.as_counts(record.run, metric, "timeseries", result.series[i]), start,
                        count);
    } else {
      f.series[i].write(result.series[i], start, count);
    }
  }
  for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
    const MetricInfo& metric = summary_metrics[i];
    const Dims start{run, 0, 0}, count{1, firms, segments};
    if (metric.type == MetricType::count) {
      f.totals[i].write(f.as_counts(record.run, metric, "summary", result.totals[i]), start, count);
    } else {
      f.totals[i].write(result.totals[i], start, count);
    }
  }
  if (f.events) append_events(*f.events, record.run, result.events);

  // The runs/ row, with its status "done", goes last and after a flush of
  // the data: a reader mid-sweep never sees a run marked done whose data
  // have not reached the file.
  f.file.flush();
  write_runs_row(f.runs, record);
  f.file.flush();
  f.written[run] = true;
}

void ResultsFile::suspend() {
  if (!impl_ || !impl_->open) throw Error("results file: suspend after commit or move");
  Impl& f = *impl_;
  f.open = false;
  f.keep_temporary = true;
  f.file.flush();
  f.close_all();
}

void ResultsFile::commit() {
  if (!impl_ || !impl_->open) throw Error("results file: commit after commit or move");
  Impl& f = *impl_;
  f.open = false;
  f.file.write_attribute("complete", std::int8_t{1});
  f.file.flush();
  f.close_all();
  std::error_code error;
  std::filesystem::rename(f.temporary_path, f.final_path, error);
  if (error) {
    f.keep_temporary = true;
    throw Error(context(f.final_path) + ": renaming '" + f.temporary_path.string() + "' onto it: " +
                error.message() + "; the results are kept in '" + f.temporary_path.string() + "'");
  }
  f.committed = true;
}

const std::filesystem::path& ResultsFile::temporary_path() const {
  if (!impl_) throw Error("results file: asking a moved-from file for its temporary path");
  return impl_->temporary_path;
}

std::filesystem::path partial_path_for(const std::filesystem::path& final_path) {
  std::filesystem::path partial = final_path;
  partial += ".partial";
  return partial;
}

}  // namespace loyalsim::io
