// `loyalsim export FILE --csv DIR`: a results file's tables as tidy CSV for
// spreadsheets, Stata and R without HDF5: runs.csv (one row per run),
// summary.csv (one row per run x firm x segment, the varied parameters as
// columns), firm_summary.csv (the per-firm summary metrics, one row per run
// x firm), and with --timeseries timeseries.csv (long: one row per run x
// month x firm x segment x metric). Reads FILE only. The CSV files follow
// run's output rules: absent or (with --force) a regular file, never a
// link, a folder or a device, and each appears whole or not at all
// (written beside, then renamed into place).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "io/results_reader.hpp"

namespace loyalsim::cli {
namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  fs::path file;
  fs::path folder;
  bool timeseries = false;
  bool force = false;
};

ExportOptions parse(const std::vector<std::string>& args, bool& help) {
  namespace po = boost::program_options;
  po::options_description options(
      "Usage: loyalsim export RESULTS.h5 --csv DIR [--timeseries] [--force]\n"
      "Writes the results file's tables as CSV into DIR (created if absent):\n"
      "  runs.csv        one row per run: point, replicate, seed, status, the varied parameters\n"
      "  summary.csv     one row per finished run x firm x segment: the varied parameters and\n"
      "                  every firm x segment summary metric\n"
      "  firm_summary.csv  one row per finished run x firm: the per-firm summary metrics\n"
      "  timeseries.csv  (--timeseries) one row per run x month x firm x segment x metric\n"
      "Reads RESULTS.h5 only. Refuses to replace a CSV file without --force.\nOptions");
  options.add_options()("help,h", "show this help")("csv", po::value<std::string>(), "the folder to write into")(
      "timeseries", "also write timeseries.csv (long format; large for long or big sweeps)")(
      "force", "replace CSV files of these names in DIR");
  const po::variables_map vm = parse_command_line(args, options, "file");
  help = vm.count("help") > 0;
  ExportOptions o;
  if (help) {
    std::cout << options << "\n";
    return o;
  }
  if (!vm.count("file")) throw InputError("export: a results file is required (loyalsim export RESULTS.h5 --csv DIR)");
  if (!vm.count("csv")) throw InputError("export: --csv DIR is required: the folder the CSV tables go into");
  o.file = vm["file"].as<std::string>();
  o.folder = vm["csv"].as<std::string>();
  if (o.folder.empty()) throw InputError("--csv '': names no folder; give a folder such as results/csv");
  o.timeseries = vm.count("timeseries") > 0;
  o.force = vm.count("force") > 0;
  return o;
}

// DIR is a folder or absent (created later); each table's path is absent
// or, with --force, a regular file that is not the results file itself.
void check_targets(const ExportOptions& o, const std::vector<fs::path>& targets) {
  struct stat info {};
  if (::stat(o.folder.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) throw InputError("--csv " + o.folder.string() + ": exists and is not a folder");
    if (::access(o.folder.c_str(), W_OK) != 0)
      throw InputError("--csv " + o.folder.string() + ": the folder is not writable: " + std::strerror(errno));
  } else if (errno != ENOENT) {
    throw InputError("--csv " + o.folder.string() + ": cannot use the folder: " + std::strerror(errno));
  } else {
    // Absent: created later, inside its nearest existing ancestor, which
    // must be a writable folder (checked now, so that cannot fail late).
    fs::path ancestor = fs::absolute(o.folder).parent_path();
    while (::stat(ancestor.c_str(), &info) != 0 && ancestor.has_relative_path()) ancestor = ancestor.parent_path();
    if (!S_ISDIR(info.st_mode))
      throw InputError("--csv " + o.folder.string() + ": " + ancestor.string() + " is not a folder");
    if (::access(ancestor.c_str(), W_OK) != 0)
      throw InputError("--csv " + o.folder.string() + ": cannot create the folder in " + ancestor.string() + ": " +
                       std::strerror(errno));
  }
  struct stat input {};
  const bool have_input = ::stat(o.file.c_str(), &input) == 0;
  for (const fs::path& target : targets) {
    if (::lstat(target.c_str(), &info) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      throw InputError(target.string() + ": cannot look at the output: " + std::strerror(errno));
    }
    if (S_ISLNK(info.st_mode))
      throw InputError(target.string() +
                       ": is a symbolic link; export writes only to a path that is absent or a "
                       "regular file: remove it or choose another --csv folder");
    if (!S_ISREG(info.st_mode))
      throw InputError(target.string() + ": exists and is not a regular file; choose another --csv folder");
    if (have_input && info.st_dev == input.st_dev && info.st_ino == input.st_ino)
      throw InputError(target.string() + ": is the results file being exported; choose another --csv folder");
    if (!o.force)
      throw InputError(target.string() + ": exists; use --force to replace it or choose another --csv folder");
  }
}

// A CSV field: quoted when it holds a separator, a quote or a line break.
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos &&
      (text.empty() || (text.front() != ' ' && text.back() != ' ')))
    return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Shortest text that reads back as the same double; empty (a missing value
// in Excel, Stata and R) for NaN.
std::string number(double value) {
  if (std::isnan(value)) return {};
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

std::string whole(double value) {  // a count: exact below 2^53
  if (std::isnan(value)) return {};
  return std::to_string(static_cast<long long>(value));
}

// One table being written: a hidden temporary file beside its final name,
// renamed into place by publish(), removed if never published.
class TableFile {
 public:
  TableFile(const fs::path& folder, const std::string& name) : final_(folder / name) {
    std::string pattern = (folder / ("." + name + ".XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw Error(final_.string() + ": cannot create a file beside it: " + std::strerror(errno));
    temporary_ = pattern;
    out_ = ::fdopen(fd, "w");
    if (out_ == nullptr) {
      ::close(fd);
      throw Error(final_.string() + ": cannot write: " + std::strerror(errno));
    }
  }
  TableFile(const TableFile&) = delete;
  TableFile& operator=(const TableFile&) = delete;
  ~TableFile() {
    if (out_ != nullptr) std::fclose(out_);
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
  }
  void line(const std::string& text) {
    if (std::fputs(text.c_str(), out_) < 0 || std::fputc('\n', out_) < 0)
      throw Error(final_.string() + ": writing failed: " + std::strerror(errno));
  }
  // Complete: flushed, then renamed onto its name.
  void finish() {
    const int closed = std::fclose(out_);
    out_ = nullptr;
    if (closed != 0) throw Error(final_.string() + ": writing failed: " + std::strerror(errno));
    ::chmod(temporary_.c_str(), 0644);  // mkstemp makes 0600; a table is meant to be shared like any output
  }
  void publish() {
    if (::rename(temporary_.c_str(), final_.c_str()) != 0)
      throw Error(final_.string() + ": cannot put the table in place: " + std::strerror(errno));
    temporary_.clear();
  }
  const fs::path& path() const { return final_; }

 private:
  fs::path final_;
  std::string temporary_;
  std::FILE* out_ = nullptr;
};

// Runs read per block: about 2^20 values of the largest metric at a time.
std::size_t block_runs(std::size_t values_per_run) {
  return std::max<std::size_t>(1, (std::size_t{1} << 20) / std::max<std::size_t>(1, values_per_run));
}

}  // namespace

int export_command(const std::vector<std::string>& args) {
  bool help = false;
  const ExportOptions o = parse(args, help);
  if (help) return 0;
  const io::ResultsReader file = io::ResultsReader::open(o.file);
  std::vector<fs::path> targets{o.folder / "runs.csv", o.folder / "summary.csv", o.folder / "firm_summary.csv"};
  if (o.timeseries) targets.push_back(o.folder / "timeseries.csv");
  check_targets(o, targets);

  // Accepted: from here on a failure is not a refusal (exit 1).
  try {
    std::error_code error;
    fs::create_directories(o.folder, error);
    if (error) throw Error("--csv " + o.folder.string() + ": cannot create the folder: " + error.message());

    const std::size_t runs = file.runs();
    const std::vector<std::int64_t> point = file.runs_integer("point"), replicate = file.runs_integer("replicate");
    const std::vector<std::uint64_t> seed = file.seeds();
    const std::vector<std::int8_t> status = file.statuses();
    const std::vector<double> wall = file.runs_real("wall_seconds");
    const std::vector<std::int64_t> shortfall = file.runs_integer("scripted_shortfall");
    std::vector<std::vector<double>> parameter_values;
    std::string parameter_header;
    for (const std::string& name : file.varied_parameters()) {
      parameter_values.push_back(file.runs_real(name));
      parameter_header += ',';
      parameter_header += field(name);
    }
    const auto parameters_of = [&](std::size_t run) {
      std::string text;
      for (const auto& values : parameter_values) {
        text += ',';  // appended in steps: "," + string trips GCC 12's -Wrestrict
        text += number(values[run]);
      }
      return text;
    };
    const auto run_key = [&](std::size_t run) {
      return std::to_string(run) + "," + std::to_string(point[run]) + "," + std::to_string(replicate[run]) + "," +
             std::to_string(seed[run]);
    };

    TableFile runs_table(o.folder, "runs.csv");
    runs_table.line("run,point,replicate,seed,status,wall_seconds,scripted_shortfall" + parameter_header);
    for (std::size_t run = 0; run < runs; ++run)
      runs_table.line(run_key(run) + "," + io::run_status_name(status[run]) + "," + number(wall[run]) + "," +
                      (status[run] == 1 ? std::to_string(shortfall[run]) : std::string()) + parameters_of(run));
    runs_table.finish();

    const std::size_t firms = file.firms().size(), segments = file.segments().size();
    // summary/ metrics by shape: per firm x segment in summary.csv, per firm
    // in firm_summary.csv (repeating a firm's value on each segment's row
    // would invite summing it twice).
    const auto write_summary = [&](TableFile& table, MetricShape shape) {
      const bool by_segment = shape == MetricShape::firm_segment;
      std::vector<const io::StoredMetric*> metrics;
      std::string header = "run,point,replicate,seed" + parameter_header + (by_segment ? ",firm,segment" : ",firm");
      for (const io::StoredMetric& m : file.summary())
        if (m.info->shape == shape) {
          metrics.push_back(&m);
          header += ',';
          header += m.info->name;
        }
      table.line(header);
      const std::size_t cells = firms * (by_segment ? segments : 1);
      const std::size_t block = block_runs(cells);
      for (std::size_t first = 0; first < runs; first += block) {
        const std::size_t count = std::min(block, runs - first);
        std::vector<std::vector<double>> values;
        for (const io::StoredMetric* m : metrics) values.push_back(file.read_runs(*m, first, count));
        for (std::size_t r = 0; r < count; ++r) {
          const std::size_t run = first + r;
          if (status[run] != 1) continue;  // an unfinished run has no values
          const std::string key = run_key(run) + parameters_of(run);
          for (std::size_t f = 0; f < firms; ++f)
            for (std::size_t s = 0; s < (by_segment ? segments : 1); ++s) {
              std::string row = key + "," + field(file.firms()[f]);
              if (by_segment) {
                row += ',';
                row += field(file.segments()[s]);
              }
              for (std::size_t m = 0; m < values.size(); ++m) {
                const double v = values[m][r * cells + f * (by_segment ? segments : 1) + s];
                row += ',';
                row += (metrics[m]->info->type == MetricType::count ? whole(v) : number(v));
              }
              table.line(row);
            }
        }
      }
      table.finish();
    };
    TableFile summary_table(o.folder, "summary.csv");
    write_summary(summary_table, MetricShape::firm_segment);
    TableFile firm_summary_table(o.folder, "firm_summary.csv");
    write_summary(firm_summary_table, MetricShape::firm);

    std::optional<TableFile> series_table;
    if (o.timeseries) {
      series_table.emplace(o.folder, "timeseries.csv");
      series_table->line("run,month,firm,segment,metric,value");
      const std::size_t months = file.months();
      const std::size_t cells = firms * segments;
      const std::size_t series_block = block_runs(months * cells);
      for (std::size_t first = 0; first < runs; first += series_block) {
        const std::size_t count = std::min(series_block, runs - first);
        for (const io::StoredMetric& m : file.timeseries()) {
          const std::vector<double> values = file.read_runs(m, first, count);
          const bool by_segment = m.info->shape == MetricShape::firm_segment;
          const std::size_t per_month = by_segment ? cells : firms;
          const std::string name(m.info->name);
          for (std::size_t r = 0; r < count; ++r) {
            const std::size_t run = first + r;
            if (status[run] != 1) continue;
            for (std::size_t month = 0; month < months; ++month)
              for (std::size_t f = 0; f < firms; ++f)
                for (std::size_t s = 0; s < (by_segment ? segments : 1); ++s) {
                  const double v = values[(r * months + month) * per_month + f * (by_segment ? segments : 1) + s];
                  series_table->line(std::to_string(run) + "," + std::to_string(month + 1) + "," +
                                     field(file.firms()[f]) + "," + (by_segment ? field(file.segments()[s]) : "") +
                                     "," + name + "," + (m.info->type == MetricType::count ? whole(v) : number(v)));
                }
          }
        }
      }
      series_table->finish();
    }
    // Every table written: put them in place together.
    runs_table.publish();
    summary_table.publish();
    firm_summary_table.publish();
    if (series_table) series_table->publish();
  } catch (const InputError& e) {
    throw Error(e.what());  // accepted: nothing below is a refusal
  }
  for (const fs::path& target : targets) std::cout << target.string() << "\n";
  return 0;
}

}  // namespace loyalsim::cli
