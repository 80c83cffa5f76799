#include "sweep/design.hpp"

#include <boost/random/sobol.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <utility>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/random.hpp"

namespace loyalsim {
namespace {

// The Latin hypercube is drawn under a key no run uses: derive_run_seed of
// (point, replicate) = (2^64 - 1, 2^64 - 1), while runs have both below
// 2^31. The purpose word is outside the simulation's Purpose values as a
// second guard, so the design never shares a counter with a run's draws.
constexpr std::uint64_t design_stream = std::numeric_limits<std::uint64_t>::max();
constexpr auto lhs_purpose = static_cast<Purpose>(0x1A5u);
constexpr auto morris_purpose = static_cast<Purpose>(0x303u);

[[noreturn]] void fail(const std::string& problem) { throw InputError("[sweep]: " + problem); }

std::string parameter_key(const SweepParameter& parameter) { return "parameter '" + parameter.path + "'"; }

// Validates the spec with the rules of core/sweep_spec (the same the
// [sweep] reader applies) and returns its number of design points, before
// anything is allocated.
std::int64_t checked_point_count(const SweepSpec& spec) {
  std::set<std::string> seen;
  for (const SweepParameter& parameter : spec.parameters) {
    if (!seen.insert(parameter.path).second) fail(parameter_key(parameter) + " is listed twice");
    if (auto problem = sweep_values_problem(parameter, spec.design)) fail(parameter_key(parameter) + ": " + *problem);
  }
  const DesignSize size = design_size(spec);
  if (size.problem) fail(*size.problem);
  const std::size_t max_sobol = boost::random::default_sobol_table::max_dimension;
  if (spec.design == DesignType::sobol && spec.parameters.size() > max_sobol)
    fail("design 'sobol' supports at most " + std::to_string(max_sobol) + " parameters, got " +
         std::to_string(spec.parameters.size()));
  // A and B come from one Sobol' sequence of dimension 2D.
  if (spec.design == DesignType::saltelli && spec.parameters.size() > max_sobol / 2)
    fail("design 'saltelli' supports at most " + std::to_string(max_sobol / 2) + " parameters, got " +
         std::to_string(spec.parameters.size()));
  return size.points;
}

// The points being filled: row-major (point, parameter), as Design holds them.
struct Matrix {
  std::vector<double>& values;
  std::size_t rows, columns;
  double& operator()(std::size_t row, std::size_t column) { return values[row * columns + column]; }
};

// First parameter slowest: the last parameter's index cycles fastest.
void fill_grid(const SweepSpec& spec, Matrix points) {
  std::size_t stride = 1;  // rows between successive values of the current parameter
  for (std::size_t column = points.columns; column-- > 0;) {
    const std::vector<double>& values = spec.parameters[column].values;
    const std::size_t length = values.size();
    for (std::size_t row = 0; row < points.rows; ++row) points(row, column) = values[(row / stride) % length];
    stride *= length;
  }
}

void fill_list(const SweepSpec& spec, Matrix points) {
  for (std::size_t column = 0; column < points.columns; ++column) {
    const std::vector<double>& values = spec.parameters[column].values;
    for (std::size_t row = 0; row < points.rows; ++row) points(row, column) = values[row];
  }
}

// Latin hypercube on [0, 1)^d: per dimension, a random permutation of the
// strata 0..n-1 (Fisher-Yates) and a uniform jitter inside each stratum.
void fill_unit_lhs(std::uint64_t scenario_seed, Matrix unit) {
  const RandomSource source(derive_run_seed(scenario_seed, design_stream, design_stream));
  const auto n = static_cast<std::uint32_t>(unit.rows);
  std::vector<std::uint32_t> strata(n);
  for (std::size_t column = 0; column < unit.columns; ++column) {
    const auto dimension = static_cast<std::uint32_t>(column);
    // One Philox block per (dimension, row): words 0-1 pick the swap
    // partner of that row, word 2 its jitter.
    std::iota(strata.begin(), strata.end(), 0u);
    for (std::uint32_t row = n - 1; row > 0; --row) {
      const RandomWords words = source.words(dimension, 0, lhs_purpose, row);
      std::swap(strata[row], strata[uniform_index(words[0], words[1], row + 1)]);
    }
    for (std::uint32_t row = 0; row < n; ++row) {
      const RandomWords words = source.words(dimension, 0, lhs_purpose, row);
      unit(row, column) = (strata[row] + uniform01(words[2])) / n;
    }
  }
}

// Boost's 64-bit Sobol words are binary fractions x / 2^64. The first 2^31
// points use at most 31 leading bits, so keeping the top 53 bits and scaling
// by 2^-53 is exact, and can never round up to 1 (a plain conversion of a
// 64-bit word to double could).
double sobol_word_to_unit(std::uint64_t word) { return static_cast<double>(word >> 11) * 0x1p-53; }

// The first n points of the Sobol sequence on [0, 1)^d. Boost's engine
// starts at the first nonzero point: its seed() applies the first
// direction numbers to the zero state, so the first point is (0.5, ..., 0.5).
void fill_unit_sobol(Matrix unit) {
  boost::random::sobol engine(unit.columns);
  // The engine yields the coordinates of one point, then the next point.
  for (std::size_t row = 0; row < unit.rows; ++row)
    for (std::size_t column = 0; column < unit.columns; ++column) unit(row, column) = sobol_word_to_unit(engine());
}

// Saltelli's scheme on [0, 1)^D. Base sample j is row j of a Sobol'
// sequence of dimension 2D: A_j its first D coordinates, B_j its last D.
// Its points are laid out together, sample-major, so that raising N adds
// points after the existing ones without moving them (a run's seed comes
// from its point index):
//   A_j, B_j, AB_j^(1..D), [BA_j^(1..D)]
// where AB^(i) is A with column i taken from B, and BA^(i) is B with
// column i taken from A (second order only).
void fill_unit_saltelli(const SweepSpec& spec, Matrix unit, std::vector<PointPlace>& places) {
  const std::size_t d = unit.columns;
  const std::size_t block = spec.second_order ? 2 * d + 2 : d + 2;
  const auto samples = static_cast<std::size_t>(spec.samples);
  boost::random::sobol engine(2 * d);
  std::vector<double> a(d), b(d);
  places.resize(unit.rows);
  for (std::size_t j = 0; j < samples; ++j) {
    for (std::size_t c = 0; c < d; ++c) a[c] = sobol_word_to_unit(engine());
    for (std::size_t c = 0; c < d; ++c) b[c] = sobol_word_to_unit(engine());
    const std::size_t first = j * block;
    auto put = [&](std::size_t offset, PointRole role, std::int32_t parameter, const std::vector<double>& base,
                   const std::vector<double>& other) {
      const std::size_t row = first + offset;
      for (std::size_t c = 0; c < d; ++c)
        unit(row, c) = parameter >= 0 && c == static_cast<std::size_t>(parameter) ? other[c] : base[c];
      places[row] = PointPlace{role, parameter, static_cast<std::int64_t>(j)};
    };
    put(0, PointRole::a, -1, a, b);
    put(1, PointRole::b, -1, b, a);
    for (std::size_t i = 0; i < d; ++i) put(2 + i, PointRole::ab, static_cast<std::int32_t>(i), a, b);
    if (spec.second_order)
      for (std::size_t i = 0; i < d; ++i) put(2 + d + i, PointRole::ba, static_cast<std::int32_t>(i), b, a);
  }
}

// Morris trajectories on the grid {0, 1/(p-1), ..., 1} of p levels, with
// the step delta = p / (2(p-1)): half the grid, so every level of the lower
// half pairs with one of the upper half and each level is equally likely.
// Trajectory t draws, from a Philox stream keyed by t alone (so adding
// trajectories keeps the existing ones): per parameter a level of the
// lower half and a sign, and the order in which the parameters move. A
// parameter moving up starts at its lower level, one moving down at the
// upper one; its step lands on the other. Points: t * (D + 1) + k, the
// start (k = 0), then one parameter moved per step.
void fill_unit_morris(const SweepSpec& spec, std::uint64_t scenario_seed, Matrix unit,
                      std::vector<PointPlace>& places) {
  const RandomSource source(derive_run_seed(scenario_seed, design_stream, design_stream));
  const std::size_t d = unit.columns;
  const auto p = static_cast<std::uint32_t>(spec.levels);
  const double delta = static_cast<double>(p) / (2.0 * (p - 1));
  const auto trajectories = static_cast<std::size_t>(spec.trajectories);
  places.resize(unit.rows);
  std::vector<double> x(d);
  std::vector<bool> up(d);
  std::vector<std::uint32_t> order(d);
  for (std::size_t t = 0; t < trajectories; ++t) {
    const auto entity = static_cast<std::uint32_t>(t);
    for (std::size_t i = 0; i < d; ++i) {
      // Words 0-1 pick the level, word 2 the sign, word 3 the swap below.
      const RandomWords words = source.words(entity, 0, morris_purpose, static_cast<std::uint32_t>(i));
      const double lower = uniform_index(words[0], words[1], p / 2) / static_cast<double>(p - 1);
      up[i] = (words[2] & 1u) == 0;
      x[i] = up[i] ? lower : lower + delta;
    }
    std::iota(order.begin(), order.end(), 0u);
    for (std::size_t i = d; i-- > 1;) {
      const RandomWords words = source.words(entity, 1, morris_purpose, static_cast<std::uint32_t>(i));
      std::swap(order[i], order[uniform_index(words[0], words[1], static_cast<std::uint32_t>(i + 1))]);
    }
    const std::size_t first = t * (d + 1);
    auto record = [&](std::size_t row, PointRole role, std::int32_t parameter) {
      for (std::size_t c = 0; c < d; ++c) unit(row, c) = std::clamp(x[c], 0.0, 1.0);
      places[row] = PointPlace{role, parameter, static_cast<std::int64_t>(t)};
    };
    record(first, PointRole::start, -1);
    for (std::size_t k = 0; k < d; ++k) {
      const std::uint32_t i = order[k];
      x[i] += up[i] ? delta : -delta;
      record(first + 1 + k, PointRole::step, static_cast<std::int32_t>(i));
    }
  }
}

// [0, 1) to [low, high]. The clamp only matters for rounding at extreme
// ranges; integer parameters have whole bounds, so rounding stays inside.
void scale_to_ranges(const std::vector<SweepParameter>& parameters, Matrix points) {
  for (std::size_t column = 0; column < points.columns; ++column) {
    const SweepParameter& parameter = parameters[column];
    for (std::size_t row = 0; row < points.rows; ++row) {
      double value = parameter.low + points(row, column) * (parameter.high - parameter.low);
      value = std::clamp(value, parameter.low, parameter.high);
      points(row, column) = parameter.integer ? std::round(value) : value;
    }
  }
}

}  // namespace

Design make_design(const SweepSpec& spec, std::uint64_t scenario_seed) {
  const std::int64_t point_count = checked_point_count(spec);

  Design design;
  design.spec = spec;
  design.point_count = point_count;
  design.points.resize(static_cast<std::size_t>(point_count) * spec.parameters.size());
  const Matrix points{design.points, static_cast<std::size_t>(point_count), spec.parameters.size()};

  switch (spec.design) {
    case DesignType::grid:
      fill_grid(spec, points);
      break;
    case DesignType::list:
      fill_list(spec, points);
      break;
    case DesignType::lhs:
      fill_unit_lhs(scenario_seed, points);
      scale_to_ranges(spec.parameters, points);
      break;
    case DesignType::sobol:
      fill_unit_sobol(points);
      scale_to_ranges(spec.parameters, points);
      break;
    case DesignType::saltelli:
      fill_unit_saltelli(spec, points, design.places);
      scale_to_ranges(spec.parameters, points);
      break;
    case DesignType::morris:
      fill_unit_morris(spec, scenario_seed, points, design.places);
      scale_to_ranges(spec.parameters, points);
      break;
  }
  return design;
}

Design single_run_design() {
  Design design;
  design.point_count = 1;  // no parameters: the spec's defaults, one replicate
  return design;
}

RunId run_id(const Design& design, std::int64_t run, std::uint64_t scenario_seed) {
  if (run < 0 || run >= design.runs())
    throw Error("sweep design: run " + std::to_string(run) + " is outside 0.." + std::to_string(design.runs() - 1));
  RunId id;
  id.run = run;
  id.point = run / design.replicates();
  id.replicate = run % design.replicates();
  id.seed =
      derive_run_seed(scenario_seed, static_cast<std::uint64_t>(id.point), static_cast<std::uint64_t>(id.replicate));
  return id;
}

}  // namespace loyalsim
