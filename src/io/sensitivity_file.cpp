#include "io/sensitivity_file.hpp"

#include <functional>

#include "io/hdf5.hpp"

namespace loyalsim::io {
namespace {

namespace h5 = hdf5;

// A table: a group of equally long 1-D columns along the dimension `row`.
class Table {
 public:
  Table(h5::File& file, std::string_view name, std::string_view description, std::size_t rows)
      : group_(file.create_group(name)), rows_(rows) {
    group_.write_attribute("description", description);
    row_ = group_.create_dataset("row", h5::Datatype::stored_as<std::int64_t>(), h5::Dataspace::simple({rows}));
    std::vector<std::int64_t> numbers(rows);
    for (std::size_t i = 0; i < rows; ++i) numbers[i] = static_cast<std::int64_t>(i);
    if (rows > 0) row_.write(numbers);
    row_.make_dimension_scale("row");
  }
  template <class Row>
  void text(std::string_view name, const std::vector<Row>& rows, std::string Row::*member, std::string_view about) {
    std::vector<std::string> values;
    for (const Row& r : rows) values.push_back(r.*member);
    h5::Dataset d = group_.create_dataset(name, h5::Datatype::utf8_string(), h5::Dataspace::simple({rows_}));
    if (rows_ > 0) d.write_strings(values);
    finish(d, about, "");
  }
  template <class Row, class T>
  void number(std::string_view name, const std::vector<Row>& rows, T Row::*member, std::string_view about,
              std::string_view units = "1") {
    std::vector<T> values;
    for (const Row& r : rows) values.push_back(r.*member);
    h5::Dataset d = group_.create_dataset(name, h5::Datatype::stored_as<T>(), h5::Dataspace::simple({rows_}));
    if (rows_ > 0) d.write(values);
    finish(d, about, units);
  }

 private:
  void finish(h5::Dataset& d, std::string_view about, std::string_view units) {
    d.write_attribute("units", units);
    d.write_attribute("description", about);
    d.attach_dimension_scale(row_, 0);
  }
  h5::Group group_;
  h5::Dataset row_;
  std::size_t rows_;
};

}  // namespace

void write_sensitivity_file(const std::filesystem::path& path, const SensitivityMetadata& meta,
                            const std::vector<IndexRow>& indices, const std::vector<CellRow>& cells) {
  h5::File file = h5::File::create(path);
  file.write_attribute("format", "loyalsim-sensitivity");
  file.write_attribute("format_version", std::int64_t{1});
  file.write_attribute("software_version", meta.software_version);
  file.write_attribute("command_line", meta.command_line);
  file.write_attribute("source", meta.source);
  file.write_attribute("design", meta.design);
  file.write_attribute("replicates", meta.replicates);
  file.write_attribute("bootstrap_resamples", meta.bootstrap);
  file.write_attribute("bootstrap_seed", meta.seed);
  file.write_attribute("interval", "bootstrap percentile, 95%");
  {
    Table t(file, "indices", "one row per metric, firm, segment, parameter and index", indices.size());
    t.text("metric", indices, &IndexRow::metric, "summary metric analysed");
    t.text("firm", indices, &IndexRow::firm, "firm, or 'all' for the pooled cell");
    t.text("segment", indices, &IndexRow::segment, "segment, or 'all' for the pooled cell");
    t.text("parameter", indices, &IndexRow::parameter, "varied parameter path");
    t.text("parameter2", indices, &IndexRow::parameter2, "S2: the second parameter; empty otherwise");
    t.text("index", indices, &IndexRow::index, "S1, ST, S2 (saltelli); mu_star, mu, sigma (morris); PRCC, SRC (other)");
    t.number("estimate", indices, &IndexRow::estimate, "the index estimated from every usable sample (NaN: undefined)");
    t.number("low", indices, &IndexRow::low, "lower end of the bootstrap 95% interval");
    t.number("high", indices, &IndexRow::high, "upper end of the bootstrap 95% interval");
    t.number("se", indices, &IndexRow::se, "bootstrap standard error");
  }
  {
    Table t(file, "cells", "one row per metric, firm and segment: samples, noise and the ranking verdict",
            cells.size());
    t.text("metric", cells, &CellRow::metric, "summary metric analysed");
    t.text("firm", cells, &CellRow::firm, "firm, or 'all' for the pooled cell");
    t.text("segment", cells, &CellRow::segment, "segment, or 'all' for the pooled cell");
    t.text("method", cells, &CellRow::method, "sobol (saltelli design), morris, or regression (PRCC, SRC)");
    t.number("units_used", cells, &CellRow::units_used, "base samples (sobol), trajectories (morris) or points used",
             "");
    t.number("units_excluded", cells, &CellRow::units_excluded, "units left out because an output was NaN", "");
    t.number("runs_used", cells, &CellRow::runs_used, "runs with a finite output", "");
    t.number("runs_excluded", cells, &CellRow::runs_excluded, "runs with a NaN output (an undefined rate) or not done",
             "");
    t.number("variance", cells, &CellRow::variance, "variance of the analysed output (replicate means)", "");
    t.number("noise_variance", cells, &CellRow::noise_variance,
             "the model's own noise: pooled variance of replicates within a design point (0 without replicates)", "");
    t.number("noise_share", cells, &CellRow::noise_share,
             "noise_variance / variance of the runs: the share of run-to-run variance that is noise");
    t.number("analysed_noise_share", cells, &CellRow::analysed_noise_share,
             "noise variance of a replicate mean / variance of the means: the noise the estimators see");
    t.number("noise_floor", cells, &CellRow::noise_floor,
             "sobol: the ST a parameter without effect would get uncorrected; morris: its mu*");
    t.number("r2", cells, &CellRow::r2, "regression: R^2 of the linear fit behind SRC (NaN otherwise)");
    t.text("verdict", cells, &CellRow::verdict, "whether the indices rank the parameters (docs/SENSITIVITY.md)");
  }
  file.close();
}

}  // namespace loyalsim::io
