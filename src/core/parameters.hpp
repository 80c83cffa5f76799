// The parameter registry: every scenario parameter's meaning, unit, default
// and valid range, kept in this one place. Scenario parsing, --set, sweeps,
// `loyalsim params` and the docs all read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/scenario.hpp"

namespace loyalsim {

enum class Scope { market, firm, segment };
enum class ValueKind { real, integer };

struct ParameterInfo {
  Scope scope;
  std::string_view name;
  ValueKind kind;
  std::string_view unit;
  std::string_view description;
  double low;  // valid range; +-infinity where unbounded
  double high;
  bool low_open = false;  // true: low itself is not allowed
  bool high_open = false;
  // Read and write the value on a market, firm or segment object.
  double (*get)(const void* owner);
  void (*set)(void* owner, double value);
  // Why a sweep may not vary this parameter (empty: it may). One flag here,
  // read by the [sweep] reader, so no other place keeps its own list.
  std::string_view not_sweepable = {};

  // "[0, 1]", "(0, inf)", ...
  std::string range_text() const;
  // Empty if value is valid; otherwise why not ("must be in [0, 1]").
  std::optional<std::string> check(double value) const;
  double default_value() const;
  // The range of an integer parameter as integers (its bounds are whole).
  std::int64_t whole_low() const { return static_cast<std::int64_t>(low); }
  std::int64_t whole_high() const { return static_cast<std::int64_t>(high); }
};

// The seed: an exact integer in 0..2^63-1 (TOML integers are 64-bit signed).
inline constexpr std::int64_t max_seed = std::numeric_limits<std::int64_t>::max();

// A whole number (an integer parameter, the seed, replicates, a month, ...)
// read from what the user wrote, checked before any conversion so that no
// float->integer conversion can be undefined or inexact. Written as an
// integer it is taken exactly (never through a double); written as a float
// (1e6) it must be finite, whole and below 2^53 in magnitude, where every
// whole number is exact. Either way it must lie in [low, high].
struct WholeNumber {
  std::int64_t value = 0;
  std::optional<std::string> problem;  // set: refused, and why ("value 1e+30 must be in [0, 10]")
};
WholeNumber whole_number(std::int64_t written, std::int64_t low, std::int64_t high);
WholeNumber whole_number(double written, std::int64_t low, std::int64_t high);

// The shortest text that reads back as `value` (0.7, 1e+30): for messages.
std::string shortest_text(double value);
// The same text without std::to_chars (which emscripten's libc++ lacks);
// shortest_text uses it in the WebAssembly build. Tested against to_chars.
std::string shortest_text_portable(double value);

std::span<const ParameterInfo> all_parameters();
std::string_view scope_table_name(Scope scope);  // "market", "firms", "segments"

std::vector<std::string> parameter_names(Scope scope);

// Looks up `name` in a scope; nullptr if unknown.
const ParameterInfo* find_parameter(Scope scope, std::string_view name);

// A resolved parameter path such as "firms.Incumbent.service_touchpoints".
struct ParameterPath {
  const ParameterInfo* info = nullptr;  // nullptr: the top-level seed
  std::size_t index = 0;                // firm or segment index
  std::string text;

  double get(const Scenario& scenario) const;
  // For the seed and integer parameters `value` must be whole and in range
  // (check it first with whole_number); otherwise this throws InputError.
  void set(Scenario& scenario, double value) const;
};

// Resolves a path against a scenario's firm and segment names. Throws
// InputError naming the nearest valid path when it does not resolve.
ParameterPath resolve_parameter_path(const Scenario& scenario, std::string_view path);

// A path that names one value (market.NAME, firms.FIRM.NAME, seed, ...) or,
// tied, one value applied to every firm or every segment: firms.*.NAME,
// segments.*.NAME (docs/SWEEPS.md, "Tied parameters"). Sweeps and --set
// read every path through this, so a tied path works wherever a plain one
// does.
struct ParameterTargets {
  std::string text;                     // as written
  const ParameterInfo* info = nullptr;  // nullptr: the top-level seed
  bool tied = false;                    // firms.*.NAME or segments.*.NAME
  std::vector<ParameterPath> paths;     // every value it sets: one, or one per firm (segment) when tied

  // Sets every target to `value` (see ParameterPath::set).
  void set(Scenario& scenario, double value) const;
  // True if the two set a value in common (firms.*.x and firms.A.x do).
  bool overlaps(const ParameterTargets& other) const;
};

// Resolves a plain or tied path. Throws InputError on an unknown path (with
// the nearest valid one), on a tied path of a market parameter or the seed,
// and on a tied path when the scenario has no firm (segment) to tie.
ParameterTargets resolve_parameter_targets(const Scenario& scenario, std::string_view path);

// The closest candidate by edit distance, if it is close enough to be a
// plausible typo; empty otherwise.
std::string nearest_name(std::string_view word, std::span<const std::string> candidates);

}  // namespace loyalsim
