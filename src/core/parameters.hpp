// The parameter registry: every scenario parameter's meaning, unit, default
// and valid range, kept in this one place. Scenario parsing, --set, sweeps,
// `loyalsim params` and the docs all read it.
#pragma once

#include <cstddef>
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
  double low;             // valid range; +-infinity where unbounded
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
};

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
  void set(Scenario& scenario, double value) const;
};

// Resolves a path against a scenario's firm and segment names. Throws
// InputError naming the nearest valid path when it does not resolve.
ParameterPath resolve_parameter_path(const Scenario& scenario, std::string_view path);

// The closest candidate by edit distance, if it is close enough to be a
// plausible typo; empty otherwise.
std::string nearest_name(std::string_view word, std::span<const std::string> candidates);

}  // namespace loyalsim
