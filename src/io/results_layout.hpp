// Internal to loyalsim_io: the groups and tables of the HDF5 results file
// (SPEC section 4), built and filled by ResultsFile (results_file.cpp). Not
// part of the library's interface; include io/results_file.hpp instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_result.hpp"
#include "io/hdf5.hpp"
#include "io/results_file.hpp"

namespace loyalsim::io::detail {

namespace h5 = hdf5;
using h5::Dims;

// ------------------------------------------------------------ building blocks
// (results_layout.cpp)

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

h5::Dataset create_index_scale(h5::Group& group, std::string_view name, std::size_t size,
                               std::int64_t first, std::string_view description);

h5::Dataset create_name_scale(h5::Group& group, std::string_view name,
                              const std::vector<std::string>& names, std::string_view description);

// ------------------------------------------------------------ runs/ (results_layout.cpp)

struct RunsTable {
  h5::Dataset run, point, replicate, seed, seed_text, status, wall_seconds, scripted_shortfall;
  std::vector<h5::Dataset> parameters;  // ResultsLayout::varied_parameters order
};

RunsTable create_runs_table(h5::File& file, const ResultsLayout& layout);

void write_runs_row(RunsTable& table, const RunRecord& record);

// ------------------------------------------------------------ timeseries/ and summary/
// (results_layout.cpp)

// One dataset per metric, in series_metrics order.
std::vector<h5::Dataset> create_timeseries(h5::File& file, const ResultsLayout& layout);

// One dataset per metric, in summary_metrics order.
std::vector<h5::Dataset> create_summary(h5::File& file, const ResultsLayout& layout);

// ------------------------------------------------------------ events/ (events_table.cpp)

struct EventsTable {
  h5::Dataset event, run, month, customer, segment, rep, from_firm, to_firm, brand_loyalty,
      rep_loyalty, choice;
  hsize_t rows = 0;
};

EventsTable create_events_table(h5::File& file, const ResultsLayout& layout);

void append_events(EventsTable& t, std::int64_t run, const std::vector<DecisionEvent>& events);

// ------------------------------------------------------------ design/ (results_layout.cpp)

void create_design_group(h5::File& file, const DesignDescription& design);

}  // namespace loyalsim::io::detail
