#include "sweep/check_points.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/parameters.hpp"
#include "core/state.hpp"

namespace loyalsim {
namespace {

// How a varied parameter moves a point's extent: the extent's values are
// the only ones whose validity depends on others (see ModelExtent); every
// other value was checked alone against the registry when it was read.
enum class Moves { nothing, customers, burn_in, months, reps };

Moves what_it_moves(const ParameterTargets& path) {
  if (path.info == nullptr) return Moves::nothing;
  const std::string_view name = path.info->name;
  if (path.info->scope == Scope::market) {
    if (name == "customers") return Moves::customers;
    if (name == "burn_in_months") return Moves::burn_in;
    if (name == "months") return Moves::months;
  }
  if (path.info->scope == Scope::firm && name == "reps") return Moves::reps;
  return Moves::nothing;
}

std::string format(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

}  // namespace

std::size_t run_bytes(std::int64_t customers, std::int64_t rep_capacity, std::int64_t months, std::size_t firms,
                      std::size_t segments) {
  // In double: a huge model must compare as huge, not wrap around.
  double values = 0.0;
  for (const MetricInfo& m : series_metrics)
    values += static_cast<double>(months) * static_cast<double>(firms) *
              static_cast<double>(m.shape == MetricShape::firm_segment ? segments : 1);
  for (const MetricInfo& m : summary_metrics)
    values += static_cast<double>(firms) * static_cast<double>(m.shape == MetricShape::firm_segment ? segments : 1);
  // The book DiD's anchor prefix sums: two int64 per firm and month (State).
  values += 2.0 * static_cast<double>(firms) * static_cast<double>(months + 1);
  const double bytes = static_cast<double>(run_memory_bytes(static_cast<std::size_t>(customers),
                                                            static_cast<std::size_t>(rep_capacity))) +
                       8.0 * values;
  return bytes >= 1.8e19 ? SIZE_MAX : static_cast<std::size_t>(bytes);
}

SweepExtent check_every_point(const Scenario& base, const Design& design) {
  const ModelCheck check(base);
  const ModelExtent base_extent = extent_of(base);

  std::vector<Moves> moves;
  std::vector<std::vector<double>> base_values;  // per parameter, the base value of each target
  std::vector<ParameterTargets> resolved;
  for (std::size_t k = 0; k < design.parameters(); ++k) {
    resolved.push_back(resolve_parameter_targets(base, design.path(k)));
    moves.push_back(what_it_moves(resolved.back()));
    std::vector<double> values;
    for (const ParameterPath& target : resolved.back().paths) values.push_back(target.get(base));
    base_values.push_back(std::move(values));
    // A spec built in code gets the [sweep] reader's rule: each value varied once.
    for (std::size_t j = 0; j < k; ++j)
      if (resolved[k].overlaps(resolved[j]))
        throw InputError("[sweep]: parameter '" + design.path(k) + "' sets a value that '" + design.path(j) +
                         "' also sets; vary each value once");
  }

  SweepExtent sweep;
  for (std::int64_t point = 0; point < design.point_count; ++point) {
    ModelExtent extent = base_extent;
    for (std::size_t k = 0; k < moves.size(); ++k) {
      if (moves[k] == Moves::nothing) continue;
      // Only whole-number parameters move the extent, and their values
      // passed the registry's range check: the conversion is exact. (A real
      // parameter's value may be far beyond any integer.)
      const auto value = static_cast<std::int64_t>(design.value(point, k));
      switch (moves[k]) {
        case Moves::nothing:
          break;
        case Moves::customers:
          extent.customers = value;
          break;
        case Moves::burn_in:
          extent.burn_in = value;
          break;
        case Moves::months:
          extent.months = value;
          break;
        case Moves::reps:  // tied (firms.*.reps): every firm's headcount moves
          for (const double base_reps : base_values[k])
            extent.headcount += value - static_cast<std::int64_t>(base_reps);
          break;
      }
    }
    std::int64_t capacity = 0;
    try {
      capacity = check.rep_capacity(extent);
    } catch (const InputError& e) {
      std::string values;
      for (std::size_t k = 0; k < design.parameters(); ++k)
        values += (k ? ", " : "") + design.path(k) + " = " + format(design.value(point, k));
      throw InputError("design point " + std::to_string(point) + " (" + values + "): " + e.what());
    }
    sweep.largest_customers = std::max(sweep.largest_customers, extent.customers);
    sweep.largest_rep_capacity = std::max(sweep.largest_rep_capacity, capacity);
    sweep.largest_run_bytes = std::max(sweep.largest_run_bytes, run_bytes(extent.customers, capacity, extent.months,
                                                                          base.firms.size(), base.segments.size()));
    sweep.customer_months += static_cast<double>(extent.customers) *
                             static_cast<double>(extent.burn_in + extent.months) *
                             static_cast<double>(design.replicates());
    sweep.recorded_customer_months += static_cast<double>(extent.customers) * static_cast<double>(extent.months) *
                                      static_cast<double>(design.replicates());
    sweep.months = static_cast<double>(extent.months);
  }
  return sweep;
}

}  // namespace loyalsim
