#include "analysis/design_outputs.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace loyalsim::analysis {
namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw std::invalid_argument("the design's point roles are malformed: " + what);
}

}  // namespace

SaltelliOutputs saltelli_outputs(std::span<const PointPlace> places, std::span<const double> outputs, std::size_t d,
                                 bool second_order) {
  if (places.size() != outputs.size()) malformed("one role per point is needed");
  const std::size_t block = second_order ? 2 * d + 2 : d + 2;
  if (d == 0 || places.size() % block != 0) malformed("the points do not make whole base samples");
  const std::size_t n = places.size() / block;
  SaltelliOutputs y;
  y.parameters = d;
  y.second_order = second_order;
  y.a.assign(n, not_a_number);
  y.b.assign(n, not_a_number);
  y.ab.assign(n * d, not_a_number);
  if (second_order) y.ba.assign(n * d, not_a_number);
  std::vector<int> seen(n * block, 0);
  for (std::size_t p = 0; p < places.size(); ++p) {
    const PointPlace& place = places[p];
    if (place.sample < 0 || static_cast<std::size_t>(place.sample) >= n) malformed("a base sample out of range");
    const auto j = static_cast<std::size_t>(place.sample);
    const bool moves = place.role == PointRole::ab || place.role == PointRole::ba;
    if (moves != (place.parameter >= 0) || (moves && static_cast<std::size_t>(place.parameter) >= d))
      malformed("a parameter index out of range");
    const auto i = static_cast<std::size_t>(std::max<std::int32_t>(place.parameter, 0));
    std::size_t slot = 0;
    switch (place.role) {
      case PointRole::a:
        y.a[j] = outputs[p];
        slot = 0;
        break;
      case PointRole::b:
        y.b[j] = outputs[p];
        slot = 1;
        break;
      case PointRole::ab:
        y.ab[j * d + i] = outputs[p];
        slot = 2 + i;
        break;
      case PointRole::ba:
        if (!second_order) malformed("a BA point in a first-order design");
        y.ba[j * d + i] = outputs[p];
        slot = 2 + d + i;
        break;
      default:
        malformed("a morris role in a saltelli design");
    }
    if (seen[j * block + slot]++ != 0) malformed("a role appears twice in one base sample");
  }
  return y;
}

SaltelliOutputs saltelli_outputs(std::span<const PointPlace> places, std::span<const double> outputs,
                                 std::span<const double> point_noise, std::size_t d, bool second_order) {
  if (point_noise.size() != outputs.size()) malformed("one noise variance per point is needed");
  SaltelliOutputs y = saltelli_outputs(places, outputs, d, second_order);
  // The same roles place the noise: pair it by running the noise through.
  const SaltelliOutputs noise = saltelli_outputs(places, point_noise, d, second_order);
  y.a_noise = noise.a;
  y.b_noise = noise.b;
  y.ab_noise = noise.ab;
  return y;
}

std::vector<double> morris_effects(std::span<const PointPlace> places, std::span<const double> unit_points,
                                   std::span<const double> outputs, std::size_t d) {
  if (d == 0 || places.size() != outputs.size() || unit_points.size() != places.size() * d)
    malformed("one role, one output and D values per point are needed");
  const std::size_t block = d + 1;
  if (places.size() % block != 0) malformed("the points do not make whole trajectories");
  const std::size_t r = places.size() / block;
  std::vector<double> effects(r * d, not_a_number);
  for (std::size_t t = 0; t < r; ++t) {
    const std::size_t first = t * block;
    if (places[first].role != PointRole::start) malformed("a trajectory does not begin with its start point");
    for (std::size_t k = 1; k < block; ++k) {
      const PointPlace& place = places[first + k];
      if (place.role != PointRole::step || place.parameter < 0 || static_cast<std::size_t>(place.parameter) >= d ||
          place.sample != places[first].sample)
        malformed("a trajectory step is out of place");
      const auto i = static_cast<std::size_t>(place.parameter);
      const double dx = unit_points[(first + k) * d + i] - unit_points[(first + k - 1) * d + i];
      const double dy = outputs[first + k] - outputs[first + k - 1];
      if (dx != 0.0 && std::isfinite(dy)) effects[t * d + i] = dy / dx;
    }
  }
  return effects;
}

}  // namespace loyalsim::analysis
