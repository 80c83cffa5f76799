#include "core/sweep_spec.hpp"

#include <algorithm>
#include <cmath>

#include "core/parameters.hpp"

namespace loyalsim {
namespace {

std::string format(double value) { return shortest_text(value); }

bool is_whole(double value) { return std::floor(value) == value; }

std::string count(std::int64_t n) { return std::to_string(n); }

}  // namespace

std::optional<std::string> sweep_path_problem(std::string_view path, const ParameterInfo* info) {
  if (info == nullptr) return "the seed cannot be swept; use replicates for repeated runs";
  if (!info->not_sweepable.empty()) return std::string(info->not_sweepable);
  // runs/<path> is an HDF5 dataset: '/' would name a group, NUL would cut the name.
  if (path.find('/') != std::string_view::npos || path.find('\0') != std::string_view::npos)
    return "cannot be swept: the path names a column of the results file's runs/ group, and HDF5 names cannot "
           "contain '/' or NUL (rename the firm or segment)";
  return std::nullopt;
}

std::optional<std::string> sweep_values_problem(const SweepParameter& parameter, DesignType design) {
  if (design == DesignType::grid || design == DesignType::list) {
    if (parameter.values.empty())
      return std::string("design '") + design_name(design) + "' needs a non-empty array of values";
    for (const double value : parameter.values) {
      if (!std::isfinite(value)) return "value " + format(value) + " is not a finite number";
      // Rounding an explicit value would run a point other than the one written.
      if (parameter.integer && !is_whole(value))
        return "takes whole numbers, but the value " + format(value) + " is not one";
    }
    if (design == DesignType::grid) {
      std::vector<double> sorted = parameter.values;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return "a grid value appears twice";
    }
    return std::nullopt;
  }
  std::string range = "[";  // built by appending: GCC 12 warns (-Wrestrict) on "[" + std::string
  range += format(parameter.low) + ", " + format(parameter.high) + "]";
  // A width that overflows would scale every sample to infinity.
  if (!std::isfinite(parameter.low) || !std::isfinite(parameter.high) || !std::isfinite(parameter.high - parameter.low))
    return "the range " + range + " must be finite";
  if (parameter.low > parameter.high)
    return "low is above high: low " + format(parameter.low) + " is greater than high " + format(parameter.high);
  // Whole bounds keep rounded samples inside [low, high].
  if (parameter.integer && (!is_whole(parameter.low) || !is_whole(parameter.high)))
    return "takes whole numbers, so its range " + range + " must have whole ends";
  // A sensitivity design measures what moving a parameter does: a range of
  // zero width moves nothing, and its indices would be 0/0.
  if ((design == DesignType::saltelli || design == DesignType::morris) && !(parameter.low < parameter.high))
    return std::string("design '") + design_name(design) + "' needs low < high: the range " + range +
           " does not vary the parameter";
  return std::nullopt;
}

DesignSize design_size(const SweepSpec& spec) {
  DesignSize size;
  auto refuse = [&](std::string problem) {
    size.problem = std::move(problem);
    return size;
  };
  if (spec.parameters.empty()) return refuse("no parameters to vary: [sweep.parameters] needs at least one entry");
  if (spec.replicates < 1 || spec.replicates > max_sweep_replicates)
    return refuse("key 'replicates': must be in [1, " + count(max_sweep_replicates) + "], got " +
                  count(spec.replicates));

  std::int64_t points = 1;
  switch (spec.design) {
    case DesignType::grid:
      for (const SweepParameter& parameter : spec.parameters) {
        const auto length = static_cast<std::int64_t>(parameter.values.size());
        if (length == 0) return refuse("parameter '" + parameter.path + "': design 'grid' needs at least one value");
        // Checked before multiplying, so the product cannot overflow.
        if (points > max_design_points / length)
          return refuse("the grid has more than " + count(max_design_points) +
                        " points (the most a design may have); use fewer values, or a sampled design (lhs, sobol)");
        points *= length;
      }
      break;
    case DesignType::list: {
      const std::size_t length = spec.parameters.front().values.size();
      for (const SweepParameter& parameter : spec.parameters)
        if (parameter.values.size() != length) {
          std::string lengths;
          for (const SweepParameter& p : spec.parameters)
            lengths += (lengths.empty() ? "'" : ", '") + p.path + "' has " + std::to_string(p.values.size());
          return refuse("design 'list' needs equally many values for every parameter (one per point), but " + lengths);
        }
      points = static_cast<std::int64_t>(length);
      if (points > max_design_points)
        return refuse("the list has " + count(points) + " points; a design may have at most " +
                      count(max_design_points));
      break;
    }
    case DesignType::lhs:
    case DesignType::sobol:
      if (spec.samples < 1 || spec.samples > max_design_points)
        return refuse("key 'samples': must be in [1, " + count(max_design_points) + "] (the most points a design " +
                      "may have), got " + count(spec.samples));
      points = spec.samples;
      break;
    case DesignType::saltelli: {
      // Base samples are whole blocks of N(D+2) or N(2D+2) points; the
      // Sobol' sequence behind A and B has dimension 2D.
      if (spec.samples < 2 || spec.samples > max_design_points)
        return refuse("key 'samples': must be in [2, " + count(max_design_points) + "] (the base samples N of " +
                      "the A and B matrices), got " + count(spec.samples));
      const auto d = static_cast<std::int64_t>(spec.parameters.size());
      const std::int64_t block = spec.second_order ? 2 * d + 2 : d + 2;
      if (spec.samples > max_design_points / block)
        return refuse("the saltelli design has more than " + count(max_design_points) +
                      " points: " + count(spec.samples) + " samples x " + count(block) + " points per sample");
      points = spec.samples * block;
      break;
    }
    case DesignType::morris: {
      if (spec.trajectories < 2 || spec.trajectories > max_design_points)
        return refuse("key 'trajectories': must be in [2, " + count(max_design_points) + "], got " +
                      count(spec.trajectories));
      if (spec.levels < 2 || spec.levels > max_morris_levels || spec.levels % 2 != 0)
        return refuse("key 'levels': must be an even number in [2, " + count(max_morris_levels) + "], got " +
                      count(spec.levels));
      const auto block = static_cast<std::int64_t>(spec.parameters.size()) + 1;
      if (spec.trajectories > max_design_points / block)
        return refuse("the morris design has more than " + count(max_design_points) +
                      " points: " + count(spec.trajectories) + " trajectories x " + count(block) + " points each");
      points = spec.trajectories * block;
      break;
    }
  }
  const auto parameters = static_cast<std::int64_t>(spec.parameters.size());
  if (points > max_design_values / parameters)
    return refuse("the design has " + count(points) + " points x " + count(parameters) +
                  " parameters; a design may hold at most " + count(max_design_values) + " values");
  if (points > max_sweep_runs / spec.replicates)
    return refuse("the sweep would have more than " + count(max_sweep_runs) + " runs (the most a sweep may have): " +
                  count(points) + " points x " + count(spec.replicates) + " replicates");
  size.points = points;
  return size;
}

}  // namespace loyalsim
