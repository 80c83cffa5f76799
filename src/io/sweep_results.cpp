#include "io/sweep_results.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "io/hdf5.hpp"

namespace loyalsim::io {
namespace {

namespace h5 = hdf5;

DesignType design_type(const std::string& name, const std::string& label) {
  for (const DesignType type : {DesignType::grid, DesignType::list, DesignType::lhs, DesignType::sobol,
                                DesignType::saltelli, DesignType::morris})
    if (name == design_name(type)) return type;
  throw InputError(label + ": design/ has an unknown type '" + name + "'");
}

std::int64_t scalar(const h5::Object& object, std::string_view name) {
  const std::vector<std::int64_t> values = object.read_attribute<std::int64_t>(name);
  return values.empty() ? 0 : values.front();
}

}  // namespace

SweepResults read_sweep_results(const std::filesystem::path& path) {
  const std::string label = path.string();
  // A FIFO or a device could hang or never end: only a regular file is read.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw InputError(label + ": cannot read the results file: " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw InputError(label + ": is not a regular file; give a results file (.h5)");

  SweepResults r;
  try {
    const h5::File file = h5::File::open(path, h5::File::Access::read_only, label);
    if (!file.contains("design") || !file.contains("runs") || !file.contains("summary"))
      throw InputError(label +
                       ": is not the results of a sweep (no design/ group): analyze needs a scenario with a "
                       "[sweep] table");
    const h5::Group design = file.open_group("design");
    SweepSpec& spec = r.design.spec;
    spec.design = design_type(design.read_string_attribute("type"), label);
    spec.replicates = scalar(design, "replicates");
    spec.samples = scalar(design, "samples");
    if (design.has_attribute("second_order")) spec.second_order = scalar(design, "second_order") != 0;
    if (design.has_attribute("levels")) spec.levels = scalar(design, "levels");
    if (design.has_attribute("trajectories")) spec.trajectories = scalar(design, "trajectories");
    const std::vector<std::string> paths = design.open_dataset("parameter").read_strings();
    std::vector<double> low, high;
    if (is_sampled(spec.design)) {
      low = design.open_dataset("low").read<double>();
      high = design.open_dataset("high").read<double>();
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
      SweepParameter p;
      p.path = paths[i];
      if (i < low.size() && i < high.size()) p.low = low[i], p.high = high[i];
      spec.parameters.push_back(p);
    }
    if (paths.empty()) throw InputError(label + ": design/parameter names no varied parameter");
    if (spec.design == DesignType::morris && (spec.levels < 2 || spec.levels % 2 != 0))
      throw InputError(label + ": design/ has levels = " + std::to_string(spec.levels) + ", not an even number >= 2");
    const h5::Dataset points = design.open_dataset("points");
    r.design.points = points.read<double>();
    if (r.design.points.size() % paths.size() != 0)
      throw InputError(label + ": design/points is not points x parameters");
    r.design.point_count = static_cast<std::int64_t>(r.design.points.size() / paths.size());
    if (spec.design == DesignType::saltelli || spec.design == DesignType::morris) {
      const std::vector<std::int8_t> roles = design.open_dataset("point_role").read<std::int8_t>();
      const std::vector<std::int32_t> moved = design.open_dataset("point_parameter").read<std::int32_t>();
      const std::vector<std::int64_t> samples = design.open_dataset("point_sample").read<std::int64_t>();
      if (roles.size() != moved.size() || roles.size() != samples.size() ||
          static_cast<std::int64_t>(roles.size()) != r.design.point_count)
        throw InputError(label + ": design/point_role, point_parameter and point_sample do not match the points");
      for (std::size_t p = 0; p < roles.size(); ++p) {
        if (roles[p] < 0 || roles[p] > static_cast<std::int8_t>(PointRole::step))
          throw InputError(label + ": design/point_role holds an unknown role " + std::to_string(roles[p]));
        r.design.places.push_back(PointPlace{static_cast<PointRole>(roles[p]), moved[p], samples[p]});
      }
    }

    const h5::Group runs = file.open_group("runs");
    r.run_point = runs.open_dataset("point").read<std::int64_t>();
    r.run_replicate = runs.open_dataset("replicate").read<std::int64_t>();
    for (const std::int8_t status : runs.open_dataset("status").read<std::int8_t>()) r.done.push_back(status == 1);

    const h5::Group summary = file.open_group("summary");
    r.firms = summary.open_dataset("firm").read_strings();
    r.segments = summary.open_dataset("segment").read_strings();
    for (const MetricInfo& metric : summary_metrics) {
      const std::size_t cells =
          r.done.size() * r.firms.size() * (metric.shape == MetricShape::firm_segment ? r.segments.size() : 1);
      const std::string dims = metric.shape == MetricShape::firm_segment ? "run, firm and segment" : "run and firm";
      const h5::Dataset data = summary.open_dataset(metric.name);
      if (metric.type == MetricType::count) {
        r.counts.push_back(data.read<std::int64_t>());
        r.reals.emplace_back();
      } else {
        r.reals.push_back(data.read<double>());
        r.counts.emplace_back();
      }
      if (r.counts.back().size() + r.reals.back().size() != cells)
        throw InputError(label + ": summary/" + std::string(metric.name) + " does not have one value per " + dims);
    }
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {  // not HDF5, or a group or dataset missing: not a file analyze can read
    throw InputError(label + ": cannot be read as a loyalsim results file: " + e.what());
  }

  const auto point_count = r.design.point_count;
  if (r.run_point.size() != r.done.size() || r.run_replicate.size() != r.done.size())
    throw InputError(label + ": runs/point, runs/replicate and runs/status differ in length");
  for (std::size_t run = 0; run < r.done.size(); ++run)
    if (r.run_point[run] < 0 || r.run_point[run] >= point_count || r.run_replicate[run] < 0 ||
        r.run_replicate[run] >= r.design.spec.replicates)
      throw InputError(label + ": run " + std::to_string(run) +
                       " names a design point or replicate outside the design");
  return r;
}

}  // namespace loyalsim::io
