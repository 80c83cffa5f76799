// The results file is written for real, read back through the HDF5 wrapper
// and the C API, and compared value by value with what was written.
#include <gtest/gtest.h>

#include <hdf5.h>
#include <unistd.h>
#include "scratch_folder.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
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
using hdf5::Dims;

// ------------------------------------------------------------ fixtures

// A folder per test, removed afterwards.
class ScratchFolder : public test::ScratchFolder {
 public:
  ScratchFolder() : test::ScratchFolder("loyalsim-results") {}
};

constexpr std::size_t runs = 2, months = 3, firms = 2, segments = 2;

ResultsLayout small_layout(bool events = true) {
  ResultsLayout layout;
  layout.runs = runs;
  layout.months = months;
  layout.firm_names = {"Incumbent", "Nordwärts Ø"};  // UTF-8 survives the round trip
  layout.segment_names = {"complex_solution", "commodity"};
  layout.varied_parameters = {"market.substitutability", "firms.Incumbent.service_touchpoints"};
  layout.events = events;
  return layout;
}

FileMetadata small_metadata() {
  FileMetadata meta;
  meta.software_version = "0.1.0-test";
  meta.command_line = "loyalsim run tiny.toml -o results/x.h5";
  meta.scenario_path = "tests/data/tiny.toml";
  meta.scenario_text = "seed = 7\n[market]\ncustomers = 20\n";
  meta.scenario_seed = std::numeric_limits<std::uint64_t>::max() - 58;  // the full uint64 range
  return meta;
}

// A distinct value for every (run, metric, element), so any misplaced value
// shows; reals have fractions, counts are whole.
double fabricated(std::size_t run, std::size_t metric, const MetricInfo& info, std::size_t k) {
  if (info.type == MetricType::count) return static_cast<double>(run * 100000 + metric * 1000 + k);
  return static_cast<double>(run) + 0.01 * static_cast<double>(metric) + 0.0001 * static_cast<double>(k);
}

// Element k of metric m (of `table`) as a double, counts and reals alike.
double element(const MetricArrays& arrays, const MetricInfo& info, std::size_t m, std::size_t k) {
  return info.type == MetricType::count ? static_cast<double>(arrays.counts[m][k]) : arrays.reals[m][k];
}

RunResult fabricated_result(std::size_t run) {
  RunResult result;
  result.allocate(months, firms, segments);
  const auto fill = [run](MetricArrays& arrays, const auto& table) {
    for (std::size_t m = 0; m < table.size(); ++m) {
      for (std::size_t k = 0; k < arrays.counts[m].size(); ++k)
        arrays.counts[m][k] = static_cast<std::int64_t>(fabricated(run, m, table[m], k));
      for (std::size_t k = 0; k < arrays.reals[m].size(); ++k) arrays.reals[m][k] = fabricated(run, m, table[m], k);
    }
  };
  fill(result.series, series_metrics);
  fill(result.totals, summary_metrics);
  // A mean over no customers and a rate over no decisions are NaN, and must stay NaN.
  result.real(Series::brand_loyalty_mean, 1, 1, 0) = std::numeric_limits<double>::quiet_NaN();
  result.real(Total::follow_rate, 0, 1) = std::numeric_limits<double>::quiet_NaN();

  // Run 0 has three decisions, run 1 one: appends of different lengths.
  const auto r = static_cast<std::int32_t>(run);
  result.events.push_back({1, 10 + r, 3, 0, 1, 1, 0, 1, Choice::follow, 0.25f, 0.75f});
  if (run == 0) {
    result.events.push_back({2, 11, 4, 1, -1, -1, 0, 0, Choice::defect, 0.5f, 0.125f});
    result.events.push_back({3, 12, 4, 1, 1, 0, 1, 1, Choice::stay, 0.875f, 0.0f});
  }
  return result;
}

RunRecord fabricated_record(std::size_t run) {
  RunRecord record;
  record.run = static_cast<std::int64_t>(run);
  record.point = static_cast<std::int64_t>(run) + 5;
  record.replicate = static_cast<std::int64_t>(run) + 7;
  record.seed = std::numeric_limits<std::uint64_t>::max() - run;
  record.status = run == 0 ? RunStatus::done : RunStatus::failed;
  record.wall_seconds = 1.5 + static_cast<double>(run);
  record.scripted_shortfall = 2 * static_cast<std::int64_t>(run);
  record.parameter_values = {0.25 * static_cast<double>(run), 0.8 - static_cast<double>(run)};
  return record;
}

// Writes the given runs (in the given order) and commits.
fs::path write_file(const ScratchFolder& folder, const std::vector<std::size_t>& written_runs,
                    const ResultsLayout& layout = small_layout()) {
  const fs::path path = folder.path() / "results" / "x.h5";
  ResultsFile file = ResultsFile::create(path, layout, small_metadata());
  for (std::size_t run : written_runs) file.write_run(fabricated_record(run), fabricated_result(run));
  file.commit();
  return path;
}

// NaN equals NaN here: a NaN that was written must read back as NaN.
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::size_t trailing_size(const MetricInfo& info, bool timeseries) {
  const std::size_t per_month = firms * (info.shape == MetricShape::firm_segment ? segments : 1);
  return timeseries ? months * per_month : per_month;
}

// The dataset creation property list, read back through the C API.
struct Creation {
  explicit Creation(const hdf5::Dataset& d) : id(H5Dget_create_plist(d.id())) {}
  ~Creation() { H5Pclose(id); }
  Creation(const Creation&) = delete;
  Creation& operator=(const Creation&) = delete;
  Dims chunk() const {
    Dims dims(static_cast<std::size_t>(H5Pget_chunk(id, 0, nullptr)));
    H5Pget_chunk(id, static_cast<int>(dims.size()), dims.data());
    return dims;
  }
  hid_t id;
};

// ------------------------------------------------------------ content

TEST(ResultsFileContent, RootAttributesNameFormatVersionSoftwareCommandAndScenario) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  const FileMetadata meta = small_metadata();
  EXPECT_EQ(file.read_string_attribute("format"), "loyalsim-results");
  EXPECT_EQ(file.read_attribute<std::int32_t>("format_version"), std::vector<std::int32_t>{1});
  EXPECT_TRUE(file.attribute_type("format_version").equals(H5T_STD_I32LE));
  EXPECT_EQ(file.read_string_attribute("software_version"), meta.software_version);
  EXPECT_EQ(file.read_string_attribute("command_line"), meta.command_line);
  EXPECT_EQ(file.read_string_attribute("scenario_path"), meta.scenario_path);
  EXPECT_EQ(file.read_string_attribute("scenario"), meta.scenario_text);
  EXPECT_EQ(file.read_attribute<std::uint64_t>("scenario_seed"), std::vector<std::uint64_t>{meta.scenario_seed});
  EXPECT_TRUE(file.attribute_type("scenario_seed").equals(H5T_STD_U64LE));
  const std::string created = file.read_string_attribute("created_utc");
  EXPECT_EQ(created.size(), 20u) << created;  // 2024-05-01T12:34:56Z
  EXPECT_EQ(created[10], 'T');
  EXPECT_EQ(created.back(), 'Z');
  EXPECT_TRUE(file.attribute_type("format").is_utf8_string());
}

// R has no unsigned 64-bit integer (rhdf5 reads a seed >= 2^63 as NA), so
// runs/seed_text holds each seed as decimal text; a run not yet written has "".
TEST(ResultsFileContent, SeedTextIsTheSeedInDecimalForEveryWrittenRun) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {1}), hdf5::File::Access::read_only);
  const hdf5::Group group = file.open_group("runs");
  const hdf5::Dataset column = group.open_dataset("seed_text");
  EXPECT_TRUE(column.type().is_utf8_string());
  EXPECT_TRUE(column.has_attribute("units"));
  EXPECT_TRUE(column.has_attribute("description"));
  const std::vector<std::string> texts = column.read_strings();
  const auto seeds = group.open_dataset("seed").read<std::uint64_t>();
  ASSERT_EQ(texts.size(), runs);
  EXPECT_EQ(texts[0], "");  // pending
  EXPECT_EQ(texts[1], std::to_string(fabricated_record(1).seed));
  EXPECT_EQ(texts[1], "18446744073709551614");  // above 2^63: the case R cannot hold as a number
  EXPECT_EQ(texts[1], std::to_string(seeds[1]));
}

TEST(ResultsFileContent, RunsRowsHoldEveryRecordFieldAndOneColumnPerVariedParameter) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {1, 0}), hdf5::File::Access::read_only);
  const hdf5::Group group = file.open_group("runs");
  const auto point = group.open_dataset("point").read<std::int64_t>();
  const auto replicate = group.open_dataset("replicate").read<std::int64_t>();
  const auto seed = group.open_dataset("seed").read<std::uint64_t>();
  const auto status = group.open_dataset("status").read<std::int8_t>();
  const auto wall = group.open_dataset("wall_seconds").read<double>();
  const auto shortfall = group.open_dataset("scripted_shortfall").read<std::int64_t>();
  const auto substitutability = group.open_dataset("market.substitutability").read<double>();
  const auto touchpoints = group.open_dataset("firms.Incumbent.service_touchpoints").read<double>();
  ASSERT_EQ(point.size(), runs);
  for (std::size_t run = 0; run < runs; ++run) {
    const RunRecord expected = fabricated_record(run);
    EXPECT_EQ(point[run], expected.point);
    EXPECT_EQ(replicate[run], expected.replicate);
    EXPECT_EQ(seed[run], expected.seed);
    EXPECT_EQ(status[run], static_cast<std::int8_t>(expected.status));
    EXPECT_EQ(wall[run], expected.wall_seconds);
    EXPECT_EQ(shortfall[run], expected.scripted_shortfall);
    EXPECT_EQ(substitutability[run], expected.parameter_values[0]);
    EXPECT_EQ(touchpoints[run], expected.parameter_values[1]);
  }
  EXPECT_TRUE(group.open_dataset("point").type().equals(H5T_STD_I64LE));
  EXPECT_TRUE(group.open_dataset("seed").type().equals(H5T_STD_U64LE));
  EXPECT_TRUE(group.open_dataset("status").type().equals(H5T_STD_I8LE));
  EXPECT_TRUE(group.open_dataset("wall_seconds").type().equals(H5T_IEEE_F64LE));

  const hdf5::Dataset status_column = group.open_dataset("status");
  EXPECT_EQ(status_column.read_attribute<std::int8_t>("flag_values"), (std::vector<std::int8_t>{0, 1, 2}));
  EXPECT_TRUE(status_column.attribute_type("flag_values").equals(H5T_STD_I8LE));
  EXPECT_EQ(status_column.read_string_attribute("flag_meanings"), "pending done failed");
}

TEST(ResultsFileContent, TimeseriesHoldEveryMetricOfEveryRunInItsTypeAndShape) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  const hdf5::Group group = file.open_group("timeseries");
  for (std::size_t m = 0; m < series_metrics.size(); ++m) {
    const MetricInfo& info = series_metrics[m];
    SCOPED_TRACE(std::string(info.name));
    const hdf5::Dataset dataset = group.open_dataset(info.name);
    const Dims expected_dims =
        info.shape == MetricShape::firm_segment ? Dims{runs, months, firms, segments} : Dims{runs, months, firms};
    EXPECT_EQ(dataset.dims(), expected_dims);
    const bool is_count = info.type == MetricType::count;
    EXPECT_TRUE(dataset.type().equals(is_count ? H5T_STD_I64LE : H5T_IEEE_F64LE));
    const std::vector<double> values = dataset.read<double>();
    const std::size_t per_run = trailing_size(info, true);
    ASSERT_EQ(values.size(), runs * per_run);
    for (std::size_t run = 0; run < runs; ++run) {
      const RunResult expected = fabricated_result(run);
      for (std::size_t k = 0; k < per_run; ++k) {
        ASSERT_TRUE(same(values[run * per_run + k], element(expected.series, info, m, k)))
            << "run " << run << " element " << k;
      }
    }
  }
  // The NaN written at (run, month 1, firm 1, segment 0) reads back as NaN.
  const auto means = group.open_dataset("brand_loyalty_mean").read<double>({0, 1, 1, 0}, {1, 1, 1, 1});
  EXPECT_TRUE(std::isnan(means[0]));
}

TEST(ResultsFileContent, SummaryHoldsEveryTotalOfEveryRunInItsTypeAndShape) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  const hdf5::Group group = file.open_group("summary");
  for (std::size_t m = 0; m < summary_metrics.size(); ++m) {
    const MetricInfo& info = summary_metrics[m];
    SCOPED_TRACE(std::string(info.name));
    const hdf5::Dataset dataset = group.open_dataset(info.name);
    EXPECT_EQ(dataset.dims(),
              info.shape == MetricShape::firm_segment ? (Dims{runs, firms, segments}) : (Dims{runs, firms}));
    const bool is_count = info.type == MetricType::count;
    EXPECT_TRUE(dataset.type().equals(is_count ? H5T_STD_I64LE : H5T_IEEE_F64LE));
    const std::vector<double> values = dataset.read<double>();
    const std::size_t per_run = trailing_size(info, false);
    ASSERT_EQ(values.size(), runs * per_run);
    for (std::size_t run = 0; run < runs; ++run) {
      const RunResult expected = fabricated_result(run);
      for (std::size_t k = 0; k < per_run; ++k) {
        ASSERT_TRUE(same(values[run * per_run + k], element(expected.totals, info, m, k)))
            << "run " << run << " element " << k;
      }
    }
  }
}

TEST(ResultsFileContent, MetricsCarryUnitsAndDescriptionFromTheMetricTables) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  for (const auto& [group_name, table] :
       {std::pair{"timeseries", std::vector<MetricInfo>(series_metrics.begin(), series_metrics.end())},
        std::pair{"summary", std::vector<MetricInfo>(summary_metrics.begin(), summary_metrics.end())}}) {
    const hdf5::Group group = file.open_group(group_name);
    for (const MetricInfo& info : table) {
      SCOPED_TRACE(std::string(group_name) + "/" + std::string(info.name));
      const hdf5::Dataset dataset = group.open_dataset(info.name);
      EXPECT_EQ(dataset.read_string_attribute("units"), info.units);
      EXPECT_EQ(dataset.read_string_attribute("description"), info.description);
    }
  }
}

TEST(ResultsFileContent, EveryDatasetOfEveryGroupCarriesUnitsAndDescription) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  for (const std::string& group_name : file.child_names()) {
    const hdf5::Group group = file.open_group(group_name);
    for (const std::string& name : group.child_names()) {
      SCOPED_TRACE(group_name + "/" + name);
      const hdf5::Dataset dataset = group.open_dataset(name);
      EXPECT_TRUE(dataset.has_attribute("units"));
      EXPECT_FALSE(dataset.read_string_attribute("description").empty());
    }
  }
}

TEST(ResultsFileContent, EveryAxisIsAttachedToTheDimensionScaleOfItsOwnGroup) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  const auto expect_axes = [&](const std::string& group_name, const std::string& variable,
                               const std::vector<std::string>& axes) {
    SCOPED_TRACE(group_name + "/" + variable);
    const hdf5::Group group = file.open_group(group_name);
    const hdf5::Dataset dataset = group.open_dataset(variable);
    ASSERT_EQ(dataset.dims().size(), axes.size());
    for (unsigned axis = 0; axis < axes.size(); ++axis) {
      EXPECT_TRUE(dataset.has_dimension_scale(group.open_dataset(axes[axis]), axis)) << axes[axis];
      EXPECT_EQ(dataset.dimension_label(axis), axes[axis]);
    }
  };
  for (const MetricInfo& info : series_metrics) {
    if (info.shape == MetricShape::firm_segment) {
      expect_axes("timeseries", std::string(info.name), {"run", "month", "firm", "segment"});
    } else {
      expect_axes("timeseries", std::string(info.name), {"run", "month", "firm"});
    }
  }
  for (const MetricInfo& info : summary_metrics) {
    if (info.shape == MetricShape::firm_segment) {
      expect_axes("summary", std::string(info.name), {"run", "firm", "segment"});
    } else {
      expect_axes("summary", std::string(info.name), {"run", "firm"});
    }
  }
  for (const char* column : {"point", "replicate", "seed", "seed_text", "status", "wall_seconds", "scripted_shortfall",
                             "market.substitutability", "firms.Incumbent.service_touchpoints"}) {
    expect_axes("runs", column, {"run"});
  }
  for (const char* column : {"run", "month", "customer", "segment", "rep", "from_firm", "to_firm", "destination",
                             "barred", "B", "R", "choice"}) {
    expect_axes("events", column, {"event"});
  }
  // Scales are per group: timeseries/ does not lean on summary/'s run.
  const hdf5::Dataset customers = file.open_group("timeseries").open_dataset("customers");
  EXPECT_FALSE(customers.has_dimension_scale(file.open_group("summary").open_dataset("run"), 0));
}

TEST(ResultsFileContent, DimensionScalesHoldRunIndicesMonthsFromOneAndNames) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  const ResultsLayout layout = small_layout();
  for (const char* group_name : {"runs", "timeseries", "summary"}) {
    SCOPED_TRACE(group_name);
    const hdf5::Dataset run = file.open_group(group_name).open_dataset("run");
    EXPECT_TRUE(run.is_dimension_scale());
    EXPECT_EQ(run.read_string_attribute("NAME"), "run");
    EXPECT_TRUE(run.type().equals(H5T_STD_I64LE));
    EXPECT_EQ(run.read<std::int64_t>(), (std::vector<std::int64_t>{0, 1}));
  }
  const hdf5::Group timeseries = file.open_group("timeseries");
  const hdf5::Dataset month = timeseries.open_dataset("month");
  EXPECT_TRUE(month.is_dimension_scale());
  EXPECT_TRUE(month.type().equals(H5T_STD_I32LE));
  EXPECT_EQ(month.read<std::int32_t>(), (std::vector<std::int32_t>{1, 2, 3}));
  EXPECT_FALSE(file.open_group("summary").contains("month"));
  for (const char* group_name : {"timeseries", "summary"}) {
    SCOPED_TRACE(group_name);
    const hdf5::Group group = file.open_group(group_name);
    const hdf5::Dataset firm = group.open_dataset("firm");
    const hdf5::Dataset segment = group.open_dataset("segment");
    EXPECT_TRUE(firm.is_dimension_scale());
    EXPECT_TRUE(segment.is_dimension_scale());
    EXPECT_TRUE(firm.type().is_utf8_string());
    EXPECT_EQ(firm.read_strings(), layout.firm_names);
    EXPECT_EQ(segment.read_strings(), layout.segment_names);
    EXPECT_EQ(firm.read_string_attribute("NAME"), "firm");
  }
}

// Counts keep their HDF5 fill value (-1) but carry no _FillValue attribute:
// with one, netCDF readers (xarray) mask them and so load every count as
// float64. Reals announce their NaN fill, which costs them nothing.
TEST(ResultsFileContent, FillValueIsNaNForRealsWithAMatchingAttributeAndMinusOneForCountsWithout) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  for (const char* group_name : {"timeseries", "summary"}) {
    const hdf5::Group group = file.open_group(group_name);
    const bool series = std::string_view(group_name) == "timeseries";
    const std::span<const MetricInfo> metrics =
        series ? std::span<const MetricInfo>(series_metrics) : std::span<const MetricInfo>(summary_metrics);
    for (const MetricInfo& info : metrics) {
      SCOPED_TRACE(std::string(group_name) + "/" + std::string(info.name));
      const hdf5::Dataset dataset = group.open_dataset(info.name);
      const Creation creation(dataset);
      double fill = 0.0;
      ASSERT_GE(H5Pget_fill_value(creation.id, H5T_NATIVE_DOUBLE, &fill), 0);
      if (info.type == MetricType::count) {
        EXPECT_EQ(fill, -1.0);
        EXPECT_FALSE(dataset.has_attribute("_FillValue"));
      } else {
        EXPECT_TRUE(std::isnan(fill));
        EXPECT_TRUE(dataset.attribute_type("_FillValue").equals(dataset.type().id()));
        EXPECT_TRUE(std::isnan(dataset.read_attribute<double>("_FillValue").at(0)));
      }
    }
  }
  // Likewise runs/: integer columns keep their fill without the attribute.
  const hdf5::Group runs = file.open_group("runs");
  for (const char* name : {"point", "replicate", "seed", "status", "scripted_shortfall"}) {
    SCOPED_TRACE(std::string("runs/") + name);
    EXPECT_FALSE(runs.open_dataset(name).has_attribute("_FillValue"));
  }
  EXPECT_TRUE(runs.open_dataset("wall_seconds").has_attribute("_FillValue"));
}

TEST(ResultsFileContent, UnwrittenRunReadsAsFillValuesAndPendingStatus) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {1}), hdf5::File::Access::read_only);
  const hdf5::Group timeseries = file.open_group("timeseries");
  for (const MetricInfo& info : series_metrics) {
    SCOPED_TRACE(std::string(info.name));
    const hdf5::Dataset dataset = timeseries.open_dataset(info.name);
    Dims count = dataset.dims();
    count[0] = 1;
    const auto run0 = dataset.read<double>(Dims(count.size(), 0), count);
    for (double v : run0) {
      if (info.type == MetricType::count) {
        ASSERT_EQ(v, -1.0);
      } else {
        ASSERT_TRUE(std::isnan(v));
      }
    }
  }
  const hdf5::Group summary = file.open_group("summary");
  EXPECT_EQ(summary.open_dataset("orphaned").read<std::int64_t>({0, 0, 0}, {1, 1, 1})[0], -1);
  EXPECT_TRUE(std::isnan(summary.open_dataset("follow_rate").read<double>({0, 0, 0}, {1, 1, 1})[0]));
  const hdf5::Group rows = file.open_group("runs");
  EXPECT_EQ(rows.open_dataset("status").read<std::int8_t>(),
            (std::vector<std::int8_t>{static_cast<std::int8_t>(RunStatus::pending),
                                      static_cast<std::int8_t>(RunStatus::failed)}));
  EXPECT_TRUE(std::isnan(rows.open_dataset("wall_seconds").read<double>()[0]));
  EXPECT_TRUE(std::isnan(rows.open_dataset("market.substitutability").read<double>()[0]));
}

TEST(ResultsFileContent, EventsOfEachRunAreInRunOrderWhateverTheWriteOrderWithTheEventScaleExtended) {
  const ScratchFolder folder;
  // Run 1 first: rows still follow run numbers (docs/MODEL.md section 7.8: (run, month, customer) order).
  const hdf5::File file = hdf5::File::open(write_file(folder, {1, 0}), hdf5::File::Access::read_only);
  const hdf5::Group group = file.open_group("events");
  std::vector<std::pair<std::int64_t, DecisionEvent>> expected;
  for (std::size_t run : {0u, 1u}) {
    for (const DecisionEvent& e : fabricated_result(run).events) {
      expected.emplace_back(static_cast<std::int64_t>(run), e);
    }
  }
  const std::size_t n = expected.size();
  const hdf5::Dataset event = group.open_dataset("event");
  EXPECT_TRUE(event.is_dimension_scale());
  EXPECT_EQ(event.space().max_dims(), Dims{hdf5::unlimited});
  EXPECT_EQ(event.read<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 3}));

  const auto run = group.open_dataset("run").read<std::int64_t>();
  const auto month = group.open_dataset("month").read<std::int32_t>();
  const auto customer = group.open_dataset("customer").read<std::int32_t>();
  const auto segment = group.open_dataset("segment").read<std::int16_t>();
  const auto rep = group.open_dataset("rep").read<std::int32_t>();
  const auto from_firm = group.open_dataset("from_firm").read<std::int16_t>();
  const auto to_firm = group.open_dataset("to_firm").read<std::int16_t>();
  const auto destination = group.open_dataset("destination").read<std::int16_t>();
  const auto barred = group.open_dataset("barred").read<std::int8_t>();
  const auto brand = group.open_dataset("B").read<float>();
  const auto rep_loyalty = group.open_dataset("R").read<float>();
  const auto choice = group.open_dataset("choice").read<std::int8_t>();
  ASSERT_EQ(run.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    const auto& [r, e] = expected[i];
    EXPECT_EQ(run[i], r);
    EXPECT_EQ(month[i], e.month);
    EXPECT_EQ(customer[i], e.customer);
    EXPECT_EQ(segment[i], e.segment);
    EXPECT_EQ(rep[i], e.rep);
    EXPECT_EQ(from_firm[i], e.from_firm);
    EXPECT_EQ(to_firm[i], e.to_firm);
    EXPECT_EQ(destination[i], e.destination);
    EXPECT_EQ(barred[i], static_cast<std::int8_t>(e.barred));
    EXPECT_EQ(brand[i], e.brand_loyalty);
    EXPECT_EQ(rep_loyalty[i], e.rep_loyalty);
    EXPECT_EQ(choice[i], static_cast<std::int8_t>(e.choice));
  }
  const std::vector<std::pair<const char*, hid_t>> types{
      {"run", H5T_STD_I64LE},     {"month", H5T_STD_I32LE},       {"customer", H5T_STD_I32LE},
      {"segment", H5T_STD_I16LE}, {"rep", H5T_STD_I32LE},         {"from_firm", H5T_STD_I16LE},
      {"to_firm", H5T_STD_I16LE}, {"destination", H5T_STD_I16LE}, {"barred", H5T_STD_I8LE},
      {"B", H5T_IEEE_F32LE},      {"R", H5T_IEEE_F32LE},          {"choice", H5T_STD_I8LE}};
  for (const auto& [name, type] : types) {
    EXPECT_TRUE(group.open_dataset(name).type().equals(type)) << name;
  }
  const ResultsLayout layout = small_layout();
  EXPECT_EQ(group.open_dataset("segment").read_strings_attribute("segment_names"), layout.segment_names);
  EXPECT_EQ(group.open_dataset("to_firm").read_strings_attribute("firm_names"), layout.firm_names);
  EXPECT_EQ(group.open_dataset("destination").read_strings_attribute("firm_names"), layout.firm_names);
  const hdf5::Dataset choice_column = group.open_dataset("choice");
  EXPECT_EQ(choice_column.read_attribute<std::int8_t>("flag_values"), (std::vector<std::int8_t>{0, 1, 2}));
  EXPECT_EQ(choice_column.read_string_attribute("flag_meanings"), "stay follow defect");
}

TEST(ResultsFileContent, EventsGroupExistsOnlyWhenTheLayoutAsksForIt) {
  const ScratchFolder folder;
  const hdf5::File file =
      hdf5::File::open(write_file(folder, {0, 1}, small_layout(false)), hdf5::File::Access::read_only);
  EXPECT_FALSE(file.contains("events"));
  EXPECT_EQ(file.child_names(), (std::vector<std::string>{"runs", "summary", "timeseries"}));
}

TEST(ResultsFileContent, DatasetsAreChunkedOneRunPerChunkWithShuffleThenDeflateLevel4) {
  const ScratchFolder folder;
  const hdf5::File file = hdf5::File::open(write_file(folder, {0, 1}), hdf5::File::Access::read_only);
  const auto expect_filters = [](const hdf5::Dataset& dataset) {
    const Creation creation(dataset);
    ASSERT_EQ(H5Pget_nfilters(creation.id), 2);
    unsigned flags = 0, level = 0;
    std::size_t values = 1;
    EXPECT_EQ(H5Pget_filter2(creation.id, 0, &flags, nullptr, nullptr, 0, nullptr, nullptr), H5Z_FILTER_SHUFFLE);
    EXPECT_EQ(H5Pget_filter2(creation.id, 1, &flags, &values, &level, 0, nullptr, nullptr), H5Z_FILTER_DEFLATE);
    EXPECT_EQ(level, 4u);
  };
  const hdf5::Group timeseries = file.open_group("timeseries");
  const hdf5::Dataset customers = timeseries.open_dataset("customers");
  EXPECT_EQ(Creation(customers).chunk(), (Dims{1, months, firms, segments}));
  expect_filters(customers);
  EXPECT_EQ(Creation(timeseries.open_dataset("reps_active")).chunk(), (Dims{1, months, firms}));
  const hdf5::Dataset follow_rate = file.open_group("summary").open_dataset("follow_rate");
  EXPECT_EQ(Creation(follow_rate).chunk(), (Dims{1, firms, segments}));
  expect_filters(follow_rate);
  const hdf5::Dataset status = file.open_group("runs").open_dataset("status");
  EXPECT_EQ(Creation(status).chunk(), Dims{runs});  // fewer rows than a full chunk
  expect_filters(status);
  const hdf5::Dataset choice = file.open_group("events").open_dataset("choice");
  EXPECT_EQ(Creation(choice).chunk(), Dims{65536});
  expect_filters(choice);
}

// small_layout's file with many firms and segments (named firm0.., segment0..),
// so that a month's cells fill a large part of a chunk.
ResultsLayout wide_layout(std::size_t run_count, std::size_t month_count, std::size_t firm_count,
                          std::size_t segment_count) {
  ResultsLayout layout = small_layout(false);
  layout.runs = run_count;
  layout.months = month_count;
  layout.firm_names.clear();
  layout.segment_names.clear();
  for (std::size_t i = 0; i < firm_count; ++i) layout.firm_names.push_back("firm" + std::to_string(i));
  for (std::size_t i = 0; i < segment_count; ++i) layout.segment_names.push_back("segment" + std::to_string(i));
  return layout;
}

TEST(ResultsFileContent, ChunksSplitMonthsToStayUnderOneMiBWhenFirmsTimesSegmentsIsLarge) {
  const ScratchFolder folder;
  const ResultsLayout layout = wide_layout(1, 24, 64, 256);
  const fs::path path = write_file(folder, {}, layout);
  const hdf5::File file = hdf5::File::open(path, hdf5::File::Access::read_only);
  const hdf5::Group timeseries = file.open_group("timeseries");
  // 64 x 256 x 8 bytes = 128 KiB a month: 8 months a chunk.
  EXPECT_EQ(Creation(timeseries.open_dataset("revenue")).chunk(), (Dims{1, 8, 64, 256}));
  EXPECT_EQ(Creation(timeseries.open_dataset("reps_active")).chunk(), (Dims{1, 24, 64}));
}

// A run's months split over chunks, the last one reaching past the last
// month: every value reads back, the written run and the unwritten one.
TEST(ResultsFileContent, RunSplitOverChunksWithAPartLastChunkReadsBackExactly) {
  const ScratchFolder folder;
  // 171 x 256 x 8 bytes = 342 KiB a month: 2 months a chunk, so the second
  // chunk holds month 3 and a month past the end.
  const ResultsLayout layout = wide_layout(2, 3, 171, 256);
  const std::size_t firms = layout.firm_names.size(), segments = layout.segment_names.size();
  RunResult result;
  result.allocate(layout.months, firms, segments);
  for (std::size_t m = 0; m < series_metrics.size(); ++m) {
    for (std::size_t k = 0; k < result.series.counts[m].size(); ++k)
      result.series.counts[m][k] = static_cast<std::int64_t>(m * 1000000 + k);
    for (std::size_t k = 0; k < result.series.reals[m].size(); ++k)
      result.series.reals[m][k] = static_cast<double>(m) + 1e-7 * static_cast<double>(k);
  }
  RunRecord record = fabricated_record(1);
  record.status = RunStatus::done;
  const fs::path path = folder.path() / "split.h5";
  {
    ResultsFile file = ResultsFile::create(path, layout, small_metadata());
    file.write_run(record, result);
    file.commit();
  }
  const hdf5::File file = hdf5::File::open(path, hdf5::File::Access::read_only);
  const hdf5::Group timeseries = file.open_group("timeseries");
  EXPECT_EQ(Creation(timeseries.open_dataset("revenue")).chunk(), (Dims{1, 2, firms, segments}));
  for (std::size_t m = 0; m < series_metrics.size(); ++m) {
    const MetricInfo& info = series_metrics[m];
    SCOPED_TRACE(std::string(info.name));
    const hdf5::Dataset dataset = timeseries.open_dataset(info.name);
    Dims count = dataset.dims();
    count[0] = 1;
    Dims start(count.size(), 0);
    const auto unwritten = dataset.read<double>(start, count);
    start[0] = 1;
    const auto written = dataset.read<double>(start, count);
    ASSERT_EQ(written.size(), result.series_size(info));
    for (std::size_t k = 0; k < written.size(); ++k) {
      ASSERT_TRUE(same(written[k], element(result.series, info, m, k))) << k;
      ASSERT_TRUE(info.type == MetricType::count ? unwritten[k] == -1.0 : std::isnan(unwritten[k])) << k;
    }
  }
}

// ------------------------------------------------------------ lifecycle

TEST(ResultsFileLifecycle, NothingAppearsAtTheFinalPathBeforeCommit) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
  file.write_run(fabricated_record(0), fabricated_result(0));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(file.temporary_path()));
  EXPECT_EQ(file.temporary_path().parent_path(), path.parent_path());
  EXPECT_EQ(file.temporary_path().filename().string(), "x.h5.partial");
}

TEST(ResultsFileLifecycle, SuspendKeepsThePartialFileWithTheRunsWritten) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  fs::path partial;
  {
    ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
    partial = file.temporary_path();
    file.write_run(fabricated_record(0), fabricated_result(0));
    file.suspend();
  }
  EXPECT_FALSE(fs::exists(path));
  ASSERT_TRUE(fs::exists(partial));
  const hdf5::File reopened = hdf5::File::open(partial, hdf5::File::Access::read_only);
  const auto status = reopened.open_group("runs").open_dataset("status").read<std::int8_t>();
  EXPECT_EQ(status[0], static_cast<std::int8_t>(RunStatus::done));
  EXPECT_EQ(status[1], static_cast<std::int8_t>(RunStatus::pending));
  EXPECT_FALSE(reopened.has_attribute("complete"));
}

TEST(ResultsFileLifecycle, CommitRenamesTheTemporaryFileOntoTheFinalPath) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
  const fs::path temporary = file.temporary_path();
  file.write_run(fabricated_record(0), fabricated_result(0));
  file.commit();
  EXPECT_FALSE(fs::exists(temporary));
  ASSERT_TRUE(fs::exists(path));
  EXPECT_GT(H5Fis_hdf5(path.c_str()), 0);
  EXPECT_EQ(std::distance(fs::directory_iterator(folder.path()), fs::directory_iterator()), 1);
}

TEST(ResultsFileLifecycle, CommitReplacesAnExistingFileAtTheFinalPath) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  std::ofstream(path) << "an older result";
  ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
  file.commit();
  EXPECT_GT(H5Fis_hdf5(path.c_str()), 0);
}

TEST(ResultsFileLifecycle, DestroyingWithoutCommitRemovesTheTemporaryFileAndKeepsTheOldOne) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  std::ofstream(path) << "an older result";
  fs::path temporary;
  {
    ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
    temporary = file.temporary_path();
    file.write_run(fabricated_record(0), fabricated_result(0));
    ASSERT_TRUE(fs::exists(temporary));
  }
  EXPECT_FALSE(fs::exists(temporary));
  std::ifstream old(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(old), {}), "an older result");
}

TEST(ResultsFileLifecycle, MovedFileKeepsTheTemporaryFileUntilItsNewOwnerCommits) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  ResultsFile moved_to = ResultsFile::create(folder.path() / "other.h5", small_layout(), small_metadata());
  const fs::path replaced_temporary = moved_to.temporary_path();
  {
    ResultsFile original = ResultsFile::create(path, small_layout(), small_metadata());
    moved_to = std::move(original);  // the file it replaces is abandoned, so removed
  }
  EXPECT_FALSE(fs::exists(replaced_temporary));
  ASSERT_TRUE(fs::exists(moved_to.temporary_path()));
  moved_to.write_run(fabricated_record(1), fabricated_result(1));
  moved_to.commit();
  EXPECT_TRUE(fs::exists(path));
}

TEST(ResultsFileLifecycle, CommitClosesEveryHdf5Object) {
  const ScratchFolder folder;
  write_file(folder, {0, 1});
  EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

TEST(ResultsFileLifecycle, WritingAfterCommitThrows) {
  const ScratchFolder folder;
  ResultsFile file = ResultsFile::create(folder.path() / "x.h5", small_layout(), small_metadata());
  file.commit();
  EXPECT_THROW(file.write_run(fabricated_record(0), fabricated_result(0)), Error);
  EXPECT_THROW(file.commit(), Error);
}

TEST(ResultsFileLifecycle, MissingFoldersOfTheFinalPathAreCreated) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "results" / "nested" / "x.h5";
  ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
  file.commit();
  EXPECT_TRUE(fs::exists(path));
}

// ------------------------------------------------------------ errors

// Expects `action` to throw an Error whose message contains every fragment.
template <typename Action>
void expect_error(Action&& action, const std::vector<std::string>& fragments) {
  try {
    action();
    ADD_FAILURE() << "no exception";
  } catch (const Error& error) {
    const std::string message = error.what();
    for (const std::string& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos) << message << "\nlacks: " << fragment;
    }
  }
}

TEST(ResultsFileErrors, RunOutsideTheLayoutIsRejectedWithItsNumberAndTheFile) {
  const ScratchFolder folder;
  const fs::path path = folder.path() / "x.h5";
  ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
  RunRecord record = fabricated_record(0);
  record.run = 2;
  expect_error([&] { file.write_run(record, fabricated_result(0)); },
               {"results file '" + path.string() + "'", "run 2", "2 runs"});
}

TEST(ResultsFileErrors, WritingARunTwiceIsRejected) {
  const ScratchFolder folder;
  ResultsFile file = ResultsFile::create(folder.path() / "x.h5", small_layout(), small_metadata());
  file.write_run(fabricated_record(1), fabricated_result(1));
  expect_error([&] { file.write_run(fabricated_record(1), fabricated_result(1)); }, {"run 1", "already written"});
}

TEST(ResultsFileErrors, ResultOfAnotherShapeIsRejected) {
  const ScratchFolder folder;
  ResultsFile file = ResultsFile::create(folder.path() / "x.h5", small_layout(), small_metadata());
  RunResult result;
  result.allocate(months + 1, firms, segments);
  expect_error([&] { file.write_run(fabricated_record(0), result); },
               {"run 0", "4 months x 2 firms x 2 segments, the file 3 x 2 x 2"});
  RunRecord record = fabricated_record(0);
  record.parameter_values.pop_back();
  expect_error([&] { file.write_run(record, fabricated_result(0)); }, {"1 parameter values for 2 varied parameters"});
}

// Counts are int64 from the tally to the file: a count metric held as reals
// is a result of the wrong shape.
TEST(ResultsFileErrors, CountMetricHeldAsRealsIsRejected) {
  const ScratchFolder folder;
  ResultsFile file = ResultsFile::create(folder.path() / "x.h5", small_layout(), small_metadata());
  RunResult result = fabricated_result(0);
  auto& stayed = result.series;
  stayed.reals[index_of(Series::stayed)].assign(stayed.counts[index_of(Series::stayed)].size(), 2.5);
  stayed.counts[index_of(Series::stayed)].clear();
  expect_error([&] { file.write_run(fabricated_record(0), result); }, {"run 0", "timeseries 'stayed'", "wrong size"});
}

// Counts reach the file as the integers they are, beyond 2^53 too (where a
// double would round them).
TEST(ResultsFileContent, CountsAreWrittenExactlyBeyondTheRangeOfDoubles) {
  const ScratchFolder folder;
  const std::filesystem::path path = folder.path() / "x.h5";
  constexpr std::int64_t big = (std::int64_t{1} << 53) + 1;
  {
    ResultsFile file = ResultsFile::create(path, small_layout(), small_metadata());
    RunResult result = fabricated_result(0);
    result.count(Total::orphaned, 1, 1) = big;
    file.write_run(fabricated_record(0), result);
    file.commit();
  }
  const hdf5::File file = hdf5::File::open(path, hdf5::File::Access::read_only);
  const auto values = file.open_group("summary").open_dataset("orphaned").read<std::int64_t>({0, 1, 1}, {1, 1, 1});
  EXPECT_EQ(values[0], big);
}

TEST(ResultsFileErrors, VariedParameterThatCannotNameAColumnIsRejectedBeforeAnyFileExists) {
  const ScratchFolder folder;
  ResultsLayout layout = small_layout();
  layout.varied_parameters = {"firms.A/B.service_touchpoints"};
  expect_error([&] { ResultsFile::create(folder.path() / "x.h5", layout, small_metadata()); },
               {"firms.A/B.service_touchpoints", "'/'"});
  layout.varied_parameters = {"seed"};
  expect_error([&] { ResultsFile::create(folder.path() / "x.h5", layout, small_metadata()); },
               {"'seed' repeats a runs/ column name"});
  EXPECT_TRUE(fs::is_empty(folder.path()));
}

TEST(ResultsFileErrors, Hdf5ErrorNamesTheOperationObjectFileAndLibraryCause) {
  const ScratchFolder folder;
  hdf5::File file = hdf5::File::create(folder.path() / "w.h5", "results/w.h5");
  hdf5::Group group = file.create_group("timeseries");
  group.create_dataset("customers", hdf5::Datatype::stored_as<double>(), hdf5::Dataspace::simple({2}));
  try {
    group.create_dataset("customers", hdf5::Datatype::stored_as<double>(), hdf5::Dataspace::simple({2}));
    ADD_FAILURE() << "no exception";
  } catch (const Hdf5Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("HDF5: creating dataset 'timeseries/customers' in 'results/w.h5': ", 0), 0u) << message;
    EXPECT_NE(message.find("already exists"), std::string::npos) << message;
  }
  expect_error([&] { hdf5::File::open(folder.path() / "missing.h5", hdf5::File::Access::read_only); },
               {"HDF5: opening file '" + (folder.path() / "missing.h5").string() + "': "});
}

TEST(ResultsFileErrors, Hdf5WrapperRejectsAWriteOfTheWrongSize) {
  const ScratchFolder folder;
  hdf5::File file = hdf5::File::create(folder.path() / "w.h5");
  hdf5::Dataset dataset =
      file.create_dataset("d", hdf5::Datatype::stored_as<std::int32_t>(), hdf5::Dataspace::simple({2, 3}));
  const std::vector<std::int32_t> five(5, 0);
  expect_error([&] { dataset.write(five); }, {"HDF5: writing dataset 'd'", "5 values", "6"});
  expect_error([&] { dataset.write(five, {0, 0}, {1, 3}); }, {"5 values", "selection of 3"});
}

}  // namespace
}  // namespace loyalsim::io
