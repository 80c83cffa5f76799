// The groups of the results file other than events/: the shared building
// blocks (compression, dimension scales, attributes), runs/, timeseries/,
// summary/ and design/.
#include "io/results_layout.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

#include "core/flag_meanings.hpp"
#include "core/metrics.hpp"
#include "io/run_columns.hpp"

namespace loyalsim::io::detail {
namespace {

constexpr unsigned deflate_level = 4;
// One run per chunk lets a sweep write runs in any order without rewriting
// another run's chunk; the cap keeps a chunk (and so the chunk cache needed
// to read one run) near 1 MiB when firms x segments is large.
constexpr std::size_t chunk_byte_cap = std::size_t{1} << 20;
constexpr hsize_t runs_chunk_rows = 1024;
// Metric elements are int64 or float64 alike.
constexpr std::size_t metric_element_bytes = 8;

// netCDF readers (xarray, R's ncdf4) mask a variable's _FillValue, and to
// mask an integer they must turn it into floats: xarray would load every
// count as float64. So only reals, whose fill (NaN) is a float already, get
// the attribute; an integer keeps its HDF5 fill value (-1 for counts, which
// no written count takes) and reads as integers everywhere.
template <typename T>
void announce_fill(h5::Dataset& variable, T fill) {
  if constexpr (std::is_floating_point_v<T>) variable.write_attribute("_FillValue", fill);
}

}  // namespace

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

void attach(h5::Dataset& variable, const std::vector<Axis>& axes) {
  for (unsigned i = 0; i < axes.size(); ++i) {
    variable.attach_dimension_scale(axes[i].scale, i);
    variable.set_dimension_label(i, axes[i].name);
  }
}

h5::Dataset create_index_scale(h5::Group& group, std::string_view name, std::size_t size, std::int64_t first,
                               std::string_view description) {
  h5::Dataset scale = group.create_dataset(name, h5::Datatype::stored_as<std::int64_t>(), h5::Dataspace::simple({size}),
                                           compressed({std::min<hsize_t>(size, runs_chunk_rows)}));
  std::vector<std::int64_t> values(size);
  std::iota(values.begin(), values.end(), first);
  scale.write(values);
  scale.make_dimension_scale(name);
  describe(scale, "1", description);
  return scale;
}

h5::Dataset create_name_scale(h5::Group& group, std::string_view name, const std::vector<std::string>& names,
                              std::string_view description) {
  h5::Dataset scale = group.create_dataset(name, h5::Datatype::utf8_string(), h5::Dataspace::simple({names.size()}));
  scale.write_strings(names);
  scale.make_dimension_scale(name);
  describe(scale, "", description);
  return scale;
}

namespace {

h5::Dataset create_month_scale(h5::Group& group, std::size_t months) {
  h5::Dataset scale =
      group.create_dataset("month", h5::Datatype::stored_as<std::int32_t>(), h5::Dataspace::simple({months}));
  std::vector<std::int32_t> values(months);
  std::iota(values.begin(), values.end(), 1);
  scale.write(values);
  scale.make_dimension_scale("month");
  describe(scale, "1", "recorded month, numbered from 1 (burn-in months are not recorded)");
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

h5::Dataset create_metric(h5::Group& group, const MetricInfo& metric, const Dims& dims, const std::vector<Axis>& axes) {
  h5::DatasetCreation options = compressed(metric_chunk(dims));
  const bool is_count = metric.type == MetricType::count;
  if (is_count) {
    options.fill_value(count_fill);
  } else {
    options.fill_value(real_fill);
  }
  h5::Dataset variable = group.create_dataset(
      metric.name, is_count ? h5::Datatype::stored_as<std::int64_t>() : h5::Datatype::stored_as<double>(),
      h5::Dataspace::simple(dims), options);
  describe(variable, metric.units, metric.description);
  if (!is_count) announce_fill(variable, real_fill);
  attach(variable, axes);
  return variable;
}

}  // namespace

// ------------------------------------------------------------ runs/

namespace {

template <h5::Element T>
h5::Dataset create_run_column(h5::Group& group, std::string_view name, const h5::Dataset& run, std::size_t runs,
                              std::string_view units, std::string_view description, std::optional<T> fill = {}) {
  h5::DatasetCreation options = compressed({std::min<hsize_t>(runs, runs_chunk_rows)});
  if (fill) options.fill_value(*fill);
  h5::Dataset column = group.create_dataset(name, h5::Datatype::stored_as<T>(), h5::Dataspace::simple({runs}), options);
  describe(column, units, description);
  if (fill) announce_fill(column, *fill);
  attach(column, {{"run", run}});
  return column;
}

h5::Dataset create_text_column(h5::Group& group, std::string_view name, const h5::Dataset& run, std::size_t runs,
                               std::string_view description) {
  h5::Dataset column = group.create_dataset(name, h5::Datatype::utf8_string(), h5::Dataspace::simple({runs}),
                                            compressed({std::min<hsize_t>(runs, runs_chunk_rows)}));
  describe(column, "", description);
  attach(column, {{"run", run}});
  return column;
}

template <class Stored>
std::optional<Stored> fill_of(RunFill fill) {
  if constexpr (std::is_floating_point_v<Stored>) {
    if (fill == RunFill::real) return real_fill;
  } else {
    if (fill == RunFill::count) return static_cast<Stored>(count_fill);
  }
  return std::nullopt;  // run_columns' static_asserts rule out the other pairs
}

// A text companion's cell: the decimal text of an integer.
template <class T>
std::string decimal_text(T value) {
  if constexpr (std::is_integral_v<T>) return std::to_string(value);
  else return {};  // run_columns' static_asserts give only integers a text
}

}  // namespace

RunsTable create_runs_table(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("runs");
  group.write_attribute("description", "one row per run (design point x replicate)");
  const std::size_t runs = layout.runs;
  RunsTable table;
  table.run = create_index_scale(group, "run", runs, 0, "run number: design point x replicate, as in every group");
  for_each_run_column([&](const auto& column) {
    using Stored = typename std::remove_cvref_t<decltype(column)>::stored_type;
    h5::Dataset variable = create_run_column<Stored>(group, column.name, table.run, runs, column.units,
                                                     column.description, fill_of<Stored>(column.fill));
    if (const std::size_t flags = flag_count(column.flag_meanings); flags > 0) {
      std::vector<Stored> values(flags);
      std::iota(values.begin(), values.end(), Stored{0});
      variable.write_attribute("flag_values", values);
      variable.write_attribute("flag_meanings", column.flag_meanings);
    }
    table.columns.push_back(std::move(variable));
    if (!column.text_name.empty())
      table.columns.push_back(create_text_column(group, column.text_name, table.run, runs, column.text_description));
  });
  for (const std::string& parameter : layout.varied_parameters) {
    table.parameters.push_back(create_run_column<double>(
        group, parameter, table.run, runs, "",
        "value of the varied parameter " + parameter + " in this run (units as in the scenario)", real_fill));
  }
  return table;
}

void write_runs_rows(RunsTable& table, const std::vector<RunRecord>& records) {
  if (records.empty()) return;
  std::vector<hsize_t> rows;
  for (const RunRecord& record : records) rows.push_back(static_cast<hsize_t>(record.run));
  std::size_t i = 0;
  for_each_run_column([&](const auto& column) {
    using Stored = typename std::remove_cvref_t<decltype(column)>::stored_type;
    std::vector<Stored> values;
    for (const RunRecord& record : records) values.push_back(static_cast<Stored>(record.*column.member));
    table.columns[i++].write_elements(values, rows);
    if (column.text_name.empty()) return;
    std::vector<std::string> texts;
    for (const RunRecord& record : records) texts.push_back(decimal_text(record.*column.member));
    table.columns[i++].write_strings_at(texts, rows);
  });
  for (std::size_t p = 0; p < table.parameters.size(); ++p) {
    std::vector<double> values;
    for (const RunRecord& record : records) values.push_back(record.parameter_values[p]);
    table.parameters[p].write_elements(values, rows);
  }
}

// ------------------------------------------------------------ timeseries/ and summary/

std::vector<h5::Dataset> create_timeseries(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("timeseries");
  group.write_attribute("description", "monthly metrics of every run, firm and segment");
  const h5::Dataset run = create_index_scale(group, "run", layout.runs, 0, "run number: the row of runs/");
  const h5::Dataset month = create_month_scale(group, layout.months);
  const h5::Dataset firm = create_name_scale(group, "firm", layout.firm_names, "firm name");
  const h5::Dataset segment = create_name_scale(group, "segment", layout.segment_names, "customer segment name");

  const hsize_t runs = layout.runs, months = layout.months;
  const hsize_t firms = layout.firm_names.size(), segments = layout.segment_names.size();
  std::vector<h5::Dataset> variables;
  for (const MetricInfo& metric : series_metrics) {
    if (metric.shape == MetricShape::firm_segment) {
      variables.push_back(create_metric(group, metric, {runs, months, firms, segments},
                                        {{"run", run}, {"month", month}, {"firm", firm}, {"segment", segment}}));
    } else {
      variables.push_back(
          create_metric(group, metric, {runs, months, firms}, {{"run", run}, {"month", month}, {"firm", firm}}));
    }
  }
  return variables;
}

std::vector<h5::Dataset> create_summary(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("summary");
  group.write_attribute("description", "totals and headline rates over the recorded months");
  const h5::Dataset run = create_index_scale(group, "run", layout.runs, 0, "run number: the row of runs/");
  const h5::Dataset firm = create_name_scale(group, "firm", layout.firm_names, "firm name");
  const h5::Dataset segment = create_name_scale(group, "segment", layout.segment_names, "customer segment name");

  const hsize_t runs = layout.runs, firms = layout.firm_names.size(), segments = layout.segment_names.size();
  std::vector<h5::Dataset> variables;
  for (const MetricInfo& metric : summary_metrics) {
    if (metric.shape == MetricShape::firm_segment) {
      variables.push_back(
          create_metric(group, metric, {runs, firms, segments}, {{"run", run}, {"firm", firm}, {"segment", segment}}));
    } else {
      variables.push_back(create_metric(group, metric, {runs, firms}, {{"run", run}, {"firm", firm}}));
    }
  }
  return variables;
}

// ------------------------------------------------------------ design/

// Saltelli and Morris designs: each point's role, the parameter it moves
// and its base sample (trajectory), which `loyalsim analyze` needs to pair
// the outputs (docs/SWEEPS.md, "The results of a sweep").
namespace {
void write_point_places(h5::Group& group, const Design& design, const h5::Dataset& point) {
  std::vector<std::int8_t> roles;
  std::vector<std::int32_t> parameters;
  std::vector<std::int64_t> samples;
  for (const PointPlace& place : design.places) {
    roles.push_back(static_cast<std::int8_t>(place.role));
    parameters.push_back(place.parameter);
    samples.push_back(place.sample);
  }
  const hsize_t points = roles.size();
  auto column = [&](std::string_view name, const auto& values, auto stored, std::string_view text) {
    h5::Dataset dataset = group.create_dataset(name, stored, h5::Dataspace::simple({points}),
                                               compressed({std::min<hsize_t>(std::max<hsize_t>(points, 1), 4096)}));
    dataset.write(values);
    describe(dataset, "", text);
    attach(dataset, {{"point", point}});
    return dataset;
  };
  h5::Dataset role = column("point_role", roles, h5::Datatype::stored_as<std::int8_t>(),
                            "the point's role: saltelli A, B, AB (A with the parameter's column from B), BA (B with "
                            "the parameter's column from A); morris start, step (the parameter moved by +-delta)");
  role.write_attribute("flag_values", std::vector<std::int8_t>{0, 1, 2, 3, 4, 5});
  role.write_attribute("flag_meanings", std::string("A B AB BA start step"));
  column("point_parameter", parameters, h5::Datatype::stored_as<std::int32_t>(),
         "AB, BA and step points: the index (into parameter) of the parameter this point changes; -1 otherwise");
  column("point_sample", samples, h5::Datatype::stored_as<std::int64_t>(),
         design.spec.design == DesignType::saltelli ? "the base sample j (the row of A and B) the point belongs to"
                                                    : "the trajectory the point belongs to");
}
}  // namespace

void create_design_group(h5::File& file, const Design& design) {
  const SweepSpec& spec = design.spec;
  h5::Group group = file.create_group("design");
  group.write_attribute("description", "the sweep design: one point per row of points, each run by replicates");
  group.write_attribute("type", std::string(design_name(spec.design)));
  group.write_attribute("replicates", spec.replicates);
  group.write_attribute("samples", spec.samples);
  if (spec.design == DesignType::saltelli)
    group.write_attribute("second_order", static_cast<std::int8_t>(spec.second_order ? 1 : 0));
  if (spec.design == DesignType::morris) {
    group.write_attribute("trajectories", spec.trajectories);
    group.write_attribute("levels", spec.levels);
  }
  const std::size_t parameters = design.parameters();
  const auto points = static_cast<std::size_t>(design.point_count);
  const std::vector<std::string> paths = design.paths();
  h5::Dataset point = create_index_scale(group, "point", points, 0, "design point");
  h5::Dataset parameter = create_name_scale(group, "parameter", paths, "varied parameter path");
  h5::Dataset matrix = group.create_dataset(
      "points", h5::Datatype::stored_as<double>(), h5::Dataspace::simple({points, parameters}),
      compressed({std::min<hsize_t>(std::max<std::size_t>(points, 1), 4096), std::max<hsize_t>(parameters, 1)}));
  matrix.write(design.points);
  describe(matrix, "", "the sample matrix: the value of each varied parameter at each design point");
  attach(matrix, {{"point", point}, {"parameter", parameter}});
  if (!design.places.empty()) write_point_places(group, design, point);
  // A sampled design records its ranges; a grid or list its value lists.
  if (is_sampled(spec.design)) {
    std::vector<double> low, high;
    for (const SweepParameter& p : spec.parameters) {
      low.push_back(p.low);
      high.push_back(p.high);
    }
    for (const auto& [name, bounds, text] : {std::tuple{"low", &low, "lower end of the sampled range"},
                                             std::tuple{"high", &high, "upper end of the sampled range"}}) {
      h5::Dataset column =
          group.create_dataset(name, h5::Datatype::stored_as<double>(), h5::Dataspace::simple({parameters}));
      column.write(*bounds);
      describe(column, "", text);
      attach(column, {{"parameter", parameter}});
    }
  } else {
    h5::Group values = group.create_group("values");
    values.write_attribute("description", "the value list of each varied parameter, as written in the scenario");
    for (const SweepParameter& p : spec.parameters) {
      h5::Dataset list =
          values.create_dataset(p.path, h5::Datatype::stored_as<double>(), h5::Dataspace::simple({p.values.size()}));
      list.write(p.values);
    }
  }
}

}  // namespace loyalsim::io::detail
