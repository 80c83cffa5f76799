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

[[noreturn]] void fail(const std::string& problem) { throw InputError("[sweep]: " + problem); }

std::string format(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

std::string parameter_key(const SweepParameter& parameter) { return "parameter '" + parameter.path + "'"; }

bool is_whole(double value) { return std::floor(value) == value; }

// grid and list: explicit values, which must be usable as they stand.
void check_value_list(const SweepParameter& parameter, DesignType type) {
  if (parameter.values.empty())
    fail(parameter_key(parameter) + ": design '" + design_name(type) + "' needs at least one value");
  for (const double value : parameter.values) {
    if (!std::isfinite(value)) fail(parameter_key(parameter) + ": value " + format(value) + " is not a finite number");
    // Rounding an explicit value would run a point other than the one written.
    if (parameter.integer && !is_whole(value))
      fail(parameter_key(parameter) + " takes whole numbers, but the value " + format(value) + " is not one");
  }
}

// lhs and sobol: a range to sample.
void check_range(const SweepParameter& parameter) {
  const std::string key = parameter_key(parameter);
  // A width that overflows would scale every sample to infinity.
  if (!std::isfinite(parameter.low) || !std::isfinite(parameter.high) || !std::isfinite(parameter.high - parameter.low))
    fail(key + ": the range [" + format(parameter.low) + ", " + format(parameter.high) + "] must be finite");
  if (parameter.low > parameter.high)
    fail(key + ": low " + format(parameter.low) + " is greater than high " + format(parameter.high));
  // Whole bounds keep rounded samples inside [low, high].
  if (parameter.integer && (!is_whole(parameter.low) || !is_whole(parameter.high)))
    fail(key + " takes whole numbers, so its range [" + format(parameter.low) + ", " + format(parameter.high) +
         "] must have whole ends");
}

void check_list_lengths(const std::vector<SweepParameter>& parameters) {
  const std::size_t length = parameters.front().values.size();
  const bool equal = std::all_of(parameters.begin(), parameters.end(),
                                 [&](const SweepParameter& p) { return p.values.size() == length; });
  if (equal) return;
  std::string lengths;
  for (const SweepParameter& p : parameters)
    lengths += (lengths.empty() ? "'" : ", '") + p.path + "' has " + std::to_string(p.values.size());
  fail("design 'list' needs equally many values for every parameter (one per point), but " + lengths);
}

// Validates the spec and returns its number of design points.
std::int64_t checked_point_count(const SweepSpec& spec) {
  if (spec.parameters.empty()) fail("no parameters to vary: [sweep.parameters] needs at least one entry");
  if (spec.replicates < 1) fail("key 'replicates': must be at least 1, got " + std::to_string(spec.replicates));
  std::set<std::string> seen;
  for (const SweepParameter& parameter : spec.parameters)
    if (!seen.insert(parameter.path).second) fail(parameter_key(parameter) + " is listed twice");

  const std::string too_many = "the sweep would have more than " + std::to_string(max_sweep_runs) + " runs";
  std::int64_t points = 1;
  switch (spec.design) {
    case DesignType::grid:
      for (const SweepParameter& parameter : spec.parameters) {
        check_value_list(parameter, spec.design);
        // Checked before multiplying, so the product cannot overflow.
        const auto length = static_cast<std::int64_t>(parameter.values.size());
        if (points > max_sweep_runs / length) fail(too_many + " (the grid alone has more points)");
        points *= length;
      }
      break;
    case DesignType::list:
      for (const SweepParameter& parameter : spec.parameters) check_value_list(parameter, spec.design);
      check_list_lengths(spec.parameters);
      points = static_cast<std::int64_t>(spec.parameters.front().values.size());
      break;
    case DesignType::lhs:
    case DesignType::sobol:
      if (spec.samples < 1) fail("key 'samples': must be at least 1, got " + std::to_string(spec.samples));
      for (const SweepParameter& parameter : spec.parameters) check_range(parameter);
      if (spec.design == DesignType::sobol &&
          spec.parameters.size() > boost::random::default_sobol_table::max_dimension)
        fail("design 'sobol' supports at most " + std::to_string(boost::random::default_sobol_table::max_dimension) +
             " parameters, got " + std::to_string(spec.parameters.size()));
      points = spec.samples;
      break;
  }
  if (points > max_sweep_runs / spec.replicates)
    fail(too_many + ": " + std::to_string(points) + " points x " + std::to_string(spec.replicates) + " replicates");
  return points;
}

// First parameter slowest: the last parameter's index cycles fastest.
void fill_grid(const SweepSpec& spec, Eigen::MatrixXd& points) {
  std::int64_t stride = 1;  // rows between successive values of the current parameter
  for (auto column = static_cast<Eigen::Index>(spec.parameters.size()); column-- > 0;) {
    const std::vector<double>& values = spec.parameters[static_cast<std::size_t>(column)].values;
    const auto length = static_cast<std::int64_t>(values.size());
    for (Eigen::Index row = 0; row < points.rows(); ++row)
      points(row, column) = values[static_cast<std::size_t>((row / stride) % length)];
    stride *= length;
  }
}

void fill_list(const SweepSpec& spec, Eigen::MatrixXd& points) {
  for (Eigen::Index column = 0; column < points.cols(); ++column) {
    const std::vector<double>& values = spec.parameters[static_cast<std::size_t>(column)].values;
    for (Eigen::Index row = 0; row < points.rows(); ++row) points(row, column) = values[static_cast<std::size_t>(row)];
  }
}

// Latin hypercube on [0, 1)^d: per dimension, a random permutation of the
// strata 0..n-1 (Fisher-Yates) and a uniform jitter inside each stratum.
void fill_unit_lhs(std::uint64_t scenario_seed, Eigen::MatrixXd& unit) {
  const RandomSource source(derive_run_seed(scenario_seed, design_stream, design_stream));
  const auto n = static_cast<std::uint32_t>(unit.rows());
  std::vector<std::uint32_t> strata(n);
  for (Eigen::Index column = 0; column < unit.cols(); ++column) {
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
void fill_unit_sobol(Eigen::MatrixXd& unit) {
  boost::random::sobol engine(static_cast<std::size_t>(unit.cols()));
  // The engine yields the coordinates of one point, then the next point.
  for (Eigen::Index row = 0; row < unit.rows(); ++row)
    for (Eigen::Index column = 0; column < unit.cols(); ++column) unit(row, column) = sobol_word_to_unit(engine());
}

// [0, 1) to [low, high]. The clamp only matters for rounding at extreme
// ranges; integer parameters have whole bounds, so rounding stays inside.
void scale_to_ranges(const std::vector<SweepParameter>& parameters, Eigen::MatrixXd& points) {
  for (Eigen::Index column = 0; column < points.cols(); ++column) {
    const SweepParameter& parameter = parameters[static_cast<std::size_t>(column)];
    for (Eigen::Index row = 0; row < points.rows(); ++row) {
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
  design.type = spec.design;
  design.replicates = spec.replicates;
  for (const SweepParameter& parameter : spec.parameters) design.paths.push_back(parameter.path);
  design.points.resize(static_cast<Eigen::Index>(point_count), static_cast<Eigen::Index>(spec.parameters.size()));

  switch (spec.design) {
    case DesignType::grid: fill_grid(spec, design.points); break;
    case DesignType::list: fill_list(spec, design.points); break;
    case DesignType::lhs:
      fill_unit_lhs(scenario_seed, design.points);
      scale_to_ranges(spec.parameters, design.points);
      break;
    case DesignType::sobol:
      fill_unit_sobol(design.points);
      scale_to_ranges(spec.parameters, design.points);
      break;
  }
  return design;
}

RunId run_id(const Design& design, std::int64_t run, std::uint64_t scenario_seed) {
  if (run < 0 || run >= design.runs())
    throw Error("sweep design: run " + std::to_string(run) + " is outside 0.." + std::to_string(design.runs() - 1));
  RunId id;
  id.run = run;
  id.point = run / design.replicates;
  id.replicate = run % design.replicates;
  id.seed =
      derive_run_seed(scenario_seed, static_cast<std::uint64_t>(id.point), static_cast<std::uint64_t>(id.replicate));
  return id;
}

}  // namespace loyalsim
