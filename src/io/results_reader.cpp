#include "io/results_reader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"

namespace loyalsim::io {
namespace {

namespace h5 = hdf5;

// Only a regular file is opened: a FIFO or a device would block or be
// consumed by reading. A symbolic link to a regular file is read through.
void check_readable_file(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw InputError(path.string() + ": cannot read the results file: " + std::strerror(errno));
  if (S_ISDIR(info.st_mode)) throw InputError(path.string() + ": is a directory, not a results file");
  if (!S_ISREG(info.st_mode)) throw InputError(path.string() + ": is not a regular file, so not a results file");
}

}  // namespace

std::string run_status_name(std::int8_t status) {
  switch (status) {
    case 0:
      return "pending";
    case 1:
      return "done";
    case 2:
      return "failed";
    default:
      return std::to_string(status);
  }
}

ResultsReader ResultsReader::open(const std::filesystem::path& path) {
  check_readable_file(path);
  ResultsReader reader;
  reader.path_ = path;
  const std::string what = path.string() + ": ";
  try {
    reader.file_ = h5::File::open(path, h5::File::Access::read_only);
  } catch (const Error&) {
    throw InputError(what + "is not an HDF5 file (or is damaged), so not a loyalsim results file");
  }
  try {
    const h5::File& f = reader.file_;
    if (!f.has_attribute("format") || f.read_string_attribute("format") != "loyalsim-results")
      throw InputError(what + "is an HDF5 file but not a loyalsim results file (no format = \"loyalsim-results\")");
    for (const char* group : {"runs", "summary", "timeseries"})
      if (!f.contains(group)) throw InputError(what + "has no " + group + "/ group: not a complete results layout");
    reader.runs_ = static_cast<std::size_t>(f.open_dataset("runs/run").dims().at(0));
    reader.firms_ = f.open_dataset("summary/firm").read_strings();
    reader.segments_ = f.open_dataset("summary/segment").read_strings();
    reader.months_ = static_cast<std::size_t>(f.open_dataset("timeseries/month").dims().at(0));
    if (f.contains("design")) reader.varied_ = f.open_dataset("design/parameter").read_strings();
    const h5::Group summary = f.open_group("summary"), series = f.open_group("timeseries");
    for (const MetricInfo& m : summary_metrics)
      if (summary.contains(m.name)) reader.summary_.push_back({&m, summary.open_dataset(m.name)});
    for (const MetricInfo& m : series_metrics)
      if (series.contains(m.name)) reader.series_.push_back({&m, series.open_dataset(m.name)});
    // Every table must have the runs/ table's rows, or rows would be misread.
    for (const auto* list : {&reader.summary_, &reader.series_})
      for (const StoredMetric& m : *list)
        if (m.dataset.dims().at(0) != reader.runs_)
          throw InputError(what + std::string(m.info->name) + " has " + std::to_string(m.dataset.dims().at(0)) +
                           " runs, runs/ has " + std::to_string(reader.runs_) + ": the file is inconsistent");
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(what + "cannot be read as a loyalsim results file: " + e.what());
  }
  return reader;
}

std::string ResultsReader::text_attribute(const char* name) const {
  return file_.has_attribute(name) ? file_.read_string_attribute(name) : std::string();
}

std::optional<std::int64_t> ResultsReader::integer_attribute(const char* name) const {
  if (!file_.has_attribute(name)) return std::nullopt;
  const std::vector<std::int64_t> values = file_.read_attribute<std::int64_t>(name);
  if (values.size() != 1) return std::nullopt;
  return values[0];
}

bool ResultsReader::complete() const { return integer_attribute("complete").value_or(0) == 1; }

std::string ResultsReader::design_type() const {
  if (!file_.contains("design")) return {};
  return file_.open_group("design").read_string_attribute("type");
}

std::int64_t ResultsReader::design_points() const {
  if (!file_.contains("design")) return 1;
  return static_cast<std::int64_t>(file_.open_dataset("design/point").dims().at(0));
}

std::int64_t ResultsReader::replicates() const {
  if (!file_.contains("design")) return 1;
  const std::vector<std::int64_t> values = file_.open_group("design").read_attribute<std::int64_t>("replicates");
  return values.empty() ? 1 : values[0];
}

std::vector<std::int64_t> ResultsReader::runs_integer(const char* column) const {
  return file_.open_dataset(std::string("runs/") + column).read<std::int64_t>();
}

std::vector<std::uint64_t> ResultsReader::seeds() const {
  return file_.open_dataset("runs/seed").read<std::uint64_t>();
}

std::vector<std::int8_t> ResultsReader::statuses() const {
  return file_.open_dataset("runs/status").read<std::int8_t>();
}

std::vector<double> ResultsReader::runs_real(const std::string& column) const {
  return file_.open_group("runs").open_dataset(column).read<double>();
}

std::optional<std::uint64_t> ResultsReader::event_rows() const {
  if (!file_.contains("events")) return std::nullopt;
  return file_.open_dataset("events/event").dims().at(0);
}

std::vector<double> ResultsReader::read_runs(const StoredMetric& metric, std::size_t first, std::size_t count) const {
  hdf5::Dims start = metric.dataset.dims(), size = start;
  for (auto& s : start) s = 0;
  start[0] = first;
  size[0] = count;
  return metric.dataset.read<double>(start, size);
}

}  // namespace loyalsim::io
