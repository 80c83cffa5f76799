#include "core/parameters.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <type_traits>
#include <vector>

#include "core/errors.hpp"

namespace loyalsim {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

template <class T>
struct member_traits;
template <class Owner, class Value>
struct member_traits<Value Owner::*> {
  using owner = Owner;
  using value = Value;
};

// Type-erased accessors generated from a member pointer, so the table below
// names each field once.
template <auto Member>
double read_member(const void* owner) {
  using Owner = typename member_traits<decltype(Member)>::owner;
  return static_cast<double>(static_cast<const Owner*>(owner)->*Member);
}
// Integer fields are written through whole_number, so even a caller that
// skipped the range check cannot reach an undefined conversion.
template <auto Member>
void write_member(void* owner, double value) {
  using Traits = member_traits<decltype(Member)>;
  using Value = typename Traits::value;
  if constexpr (std::is_integral_v<Value>) {
    const WholeNumber whole = whole_number(value, std::numeric_limits<Value>::min(), std::numeric_limits<Value>::max());
    if (whole.problem) throw InputError(*whole.problem);
    static_cast<typename Traits::owner*>(owner)->*Member = static_cast<Value>(whole.value);
  } else {
    static_cast<typename Traits::owner*>(owner)->*Member = static_cast<Value>(value);
  }
}

template <auto Member>
constexpr ParameterInfo real(Scope scope, std::string_view name, std::string_view unit, double low, double high,
                             std::string_view description, bool low_open = false, bool high_open = false) {
  return {scope,
          name,
          ValueKind::real,
          unit,
          description,
          low,
          high,
          low_open,
          high_open,
          &read_member<Member>,
          &write_member<Member>,
          {}};
}
template <auto Member>
constexpr ParameterInfo integer(Scope scope, std::string_view name, std::string_view unit, double low, double high,
                                std::string_view description) {
  return {scope,
          name,
          ValueKind::integer,
          unit,
          description,
          low,
          high,
          false,
          false,
          &read_member<Member>,
          &write_member<Member>,
          {}};
}

// A parameter a sweep may not vary, and why, as the sentence a refused sweep
// prints (see ParameterInfo::not_sweepable).
constexpr ParameterInfo fixed(ParameterInfo info, std::string_view why) {
  info.not_sweepable = why;
  return info;
}

using M = MarketParams;
using F = FirmParams;
using S = SegmentParams;
constexpr Scope market = Scope::market;
constexpr Scope firm = Scope::firm;
constexpr Scope segment = Scope::segment;

// Customer and rep ids are 32-bit; month numbers fit 16 bits with burn-in.
const std::array parameters{
    integer<&M::customers>(market, "customers", "customers", 1, 2147483647,
                           "total customer population N, attached or not"),
    fixed(integer<&M::months>(market, "months", "months", 1, 12000, "recorded horizon; months are numbered 1..months"),
          "the horizon cannot be swept: it fixes the shape of the results file (the month dimension of "
          "every timeseries/ dataset is the same for every run); run one sweep per horizon instead"),
    integer<&M::burn_in_months>(market, "burn_in_months", "months", 0, 12000,
                                "months simulated before month 1 and not recorded"),
    real<&M::substitutability>(market, "substitutability", "1", 0, 1,
                               "s: how alike the firms' offerings are; lowers the cost of following a rep"),
    real<&M::acquisition_rate>(market, "acquisition_rate", "1/month", 0, 1,
                               "monthly probability that an unattached customer is won by some firm"),
    real<&M::initial_attached_share>(market, "initial_attached_share", "1", 0, 1,
                                     "share of customers attached to a firm when the simulation starts"),
    real<&M::rep_skill_sd>(market, "rep_skill_sd", "1", 0, 10,
                           "standard deviation of rep skill (lognormal, mean 1; 0: every rep has skill 1)"),

    integer<&F::reps>(firm, "reps", "reps", 0, 10000000, "initial and target headcount of reps"),
    real<&F::brand_strength>(firm, "brand_strength", "1", 0, 1,
                             "advertising and product quality: drives brand-loyalty growth"),
    real<&F::service_touchpoints>(firm, "service_touchpoints", "1", 0, 1,
                                  "how much service, support and billing touch the customer directly"),
    real<&F::relationship_transfer>(
        firm, "relationship_transfer", "1", 0, 1,
        "kappa: how much rep rapport the firm turns into brand loyalty (CRM, team selling)"),
    real<&F::handoff_quality>(firm, "handoff_quality", "1", 0, 1,
                              "h: share of rep loyalty a customer carries to the new rep when it stays"),
    real<&F::non_solicit>(firm, "non_solicit", "1", 0, 1,
                          "probability that a departing rep is barred from soliciting its book"),
    real<&F::rep_turnover_annual>(firm, "rep_turnover_annual", "1/year", 0, 1,
                                  "annual probability that a rep leaves the firm", false, true),
    real<&F::to_competitor>(firm, "to_competitor", "1", 0, 1,
                            "share of departing reps who join another firm rather than leave the industry"),
    integer<&F::vacancy_months>(firm, "vacancy_months", "months", 0, 1200,
                                "months until a departed rep's vacancy can be filled"),

    fixed(real<&S::share>(segment, "share", "1", 0, 1, "share of the population in this segment (shares sum to 1)"),
          "segment shares cannot be swept: they must sum to 1 at every point"),
    real<&S::brand_weight>(segment, "brand_weight", "utility", 0, inf,
                           "w_b: weight of brand loyalty B in the stay utility"),
    real<&S::rep_weight>(segment, "rep_weight", "utility", 0, inf,
                         "w_r: weight of rep loyalty R in the follow utility"),
    real<&S::service_weight>(segment, "service_weight", "utility", 0, inf,
                             "w_s: weight of the firm's service_touchpoints in the stay utility"),
    real<&S::switching_cost>(segment, "switching_cost", "utility", 0, inf,
                             "c: cost of following a rep, scaled by (1 - substitutability)"),
    real<&S::outside_utility>(segment, "outside_utility", "utility", -inf, inf,
                              "u0: utility of defecting (buying from nobody in the model)"),
    real<&S::decision_noise>(segment, "decision_noise", "utility", 0, inf,
                             "theta: logit scale; larger means more random decisions", true, false),
    real<&S::brand_growth>(segment, "brand_growth", "1/month", 0, 1,
                           "g_b: monthly brand-loyalty growth per unit of brand_strength"),
    real<&S::service_growth>(segment, "service_growth", "1/month", 0, 1,
                             "g_s: monthly brand-loyalty growth per unit of service_touchpoints"),
    real<&S::rep_growth>(segment, "rep_growth", "1/month", 0, 1,
                         "g_r: monthly rep-loyalty growth per unit of rep skill"),
    real<&S::brand_decay>(segment, "brand_decay", "1/month", 0, 1, "d_b: monthly decay of brand loyalty"),
    real<&S::rep_decay>(segment, "rep_decay", "1/month", 0, 1, "d_r: monthly decay of rep loyalty"),
    real<&S::churn_annual>(segment, "churn_annual", "1/year", 0, 1,
                           "annual baseline churn of a customer with zero loyalty", false, true),
    real<&S::monthly_value>(segment, "monthly_value", "currency units per month", 0, inf,
                            "revenue from one attached customer in one month"),
    real<&S::initial_brand_loyalty>(segment, "initial_brand_loyalty", "1", 0, 1,
                                    "B of a newly won customer, and of a follower at its new firm"),
    real<&S::initial_rep_loyalty>(segment, "initial_rep_loyalty", "1", 0, 1, "R of a newly won customer"),
};

// Levenshtein distance, for "did you mean" hints; any distance above
// `bound` is reported as bound + 1, as soon as a row shows it (the row's
// minimum never decreases), so far-off candidates cost little.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t bound) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t smallest = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      smallest = std::min(smallest, row[j]);
    }
    if (smallest > bound) return bound + 1;
  }
  return std::min(row[b.size()], bound + 1);
}

std::string format_bound(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out << std::setprecision(12) << value;
  return out.str();
}

std::string range_problem(const std::string& written, std::int64_t low, std::int64_t high) {
  return "value " + written + " must be in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
}

const void* owner_of(const Scenario& scenario, Scope scope, std::size_t index) {
  switch (scope) {
    case Scope::market:
      return &scenario.market;
    case Scope::firm:
      return &scenario.firms.at(index);
    case Scope::segment:
      return &scenario.segments.at(index);
  }
  return nullptr;
}

}  // namespace

std::string shortest_text(double value) {
#if defined(__EMSCRIPTEN__)
  // The WebAssembly page's libc++ (emscripten 3.1.6) has no floating-point
  // std::to_chars.
  return shortest_text_portable(value);
#else
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
#endif
}

WholeNumber whole_number(std::int64_t written, std::int64_t low, std::int64_t high) {
  if (written < low || written > high) return {0, range_problem(std::to_string(written), low, high)};
  return {written, std::nullopt};
}

WholeNumber whole_number(double written, std::int64_t low, std::int64_t high) {
  const std::string text = shortest_text(written);
  if (!std::isfinite(written)) return {0, "expected a whole number, found " + text};
  if (written != std::floor(written)) return {0, "expected a whole number, found " + text};
  // In [-2^63, 2^63) the conversion to int64 is defined (and exact: the
  // double is whole); outside it the value is out of any int64 range.
  constexpr double two_to_63 = 9223372036854775808.0;
  if (!(written >= -two_to_63 && written < two_to_63)) return {0, range_problem(text, low, high)};
  const auto value = static_cast<std::int64_t>(written);
  if (value < low || value > high) return {0, range_problem(text, low, high)};
  constexpr std::int64_t two_to_53 = std::int64_t{1} << 53;
  if (value >= two_to_53 || value <= -two_to_53)
    return {0, "value " + text +
                   " is a floating-point number beyond 2^53, where not every whole number has one; "
                   "write it as an integer"};
  return {value, std::nullopt};
}

std::vector<std::string> parameter_names(Scope scope) {
  std::vector<std::string> names;
  for (const auto& p : parameters)
    if (p.scope == scope) names.emplace_back(p.name);
  return names;
}

std::span<const ParameterInfo> all_parameters() { return parameters; }

std::string_view scope_table_name(Scope scope) {
  switch (scope) {
    case Scope::market:
      return "market";
    case Scope::firm:
      return "firms";
    case Scope::segment:
      return "segments";
  }
  return "";
}

std::string ParameterInfo::range_text() const {
  return std::string(low_open || std::isinf(low) ? "(" : "[") + format_bound(low) + ", " + format_bound(high) +
         (high_open || std::isinf(high) ? ")" : "]");
}

std::optional<std::string> ParameterInfo::check(double value) const {
  if (!std::isfinite(value)) return "must be a finite number";
  if (kind == ValueKind::integer && value != std::floor(value)) return "must be a whole number";
  const bool below = low_open ? value <= low : value < low;
  const bool above = high_open ? value >= high : value > high;
  if (below || above) return "must be in " + range_text();
  return std::nullopt;
}

double ParameterInfo::default_value() const {
  static const MarketParams market_defaults;
  static const FirmParams firm_defaults;
  static const SegmentParams segment_defaults;
  switch (scope) {
    case Scope::market:
      return get(&market_defaults);
    case Scope::firm:
      return get(&firm_defaults);
    case Scope::segment:
      return get(&segment_defaults);
  }
  return 0.0;
}

const ParameterInfo* find_parameter(Scope scope, std::string_view name) {
  for (const auto& p : parameters)
    if (p.scope == scope && p.name == name) return &p;
  return nullptr;
}

double ParameterPath::get(const Scenario& scenario) const {
  if (info == nullptr) return static_cast<double>(scenario.seed);
  return info->get(owner_of(scenario, info->scope, index));
}

void ParameterPath::set(Scenario& scenario, double value) const {
  if (info == nullptr) {
    const WholeNumber seed = whole_number(value, 0, max_seed);
    if (seed.problem) throw InputError("seed: " + *seed.problem);
    scenario.seed = static_cast<std::uint64_t>(seed.value);
    return;
  }
  info->set(const_cast<void*>(owner_of(scenario, info->scope, index)), value);
}

std::string nearest_name(std::string_view word, std::span<const std::string> candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  // A hint is only useful when it is plausibly what was meant.
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  for (const auto& candidate : candidates) {
    // The distance is at least the difference in length: skipping those
    // keeps a long word against many candidates (a 1 KB --set path against
    // every firm's parameters) from costing length x length x candidates.
    const std::size_t gap =
        word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
    if (gap > limit) continue;
    const std::size_t d = edit_distance(word, candidate, limit);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best_distance <= limit ? best : std::string();
}

ParameterPath resolve_parameter_path(const Scenario& scenario, std::string_view path) {
  std::vector<std::string> all_paths;
  all_paths.emplace_back("seed");
  for (const auto& p : parameters) {
    if (p.scope == Scope::market) all_paths.push_back("market." + std::string(p.name));
    if (p.scope == Scope::firm)
      for (const auto& f : scenario.firms) all_paths.push_back("firms." + f.name + "." + std::string(p.name));
    if (p.scope == Scope::segment)
      for (const auto& s : scenario.segments) all_paths.push_back("segments." + s.name + "." + std::string(p.name));
  }

  auto unknown = [&]() -> InputError {
    std::string message = "unknown parameter path '" + std::string(path) + "'";
    const std::string hint = nearest_name(path, all_paths);
    if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
    else message += "; paths look like market.NAME, firms.FIRM.NAME, segments.SEGMENT.NAME or seed";
    return InputError(message);
  };

  ParameterPath resolved;
  resolved.text = std::string(path);
  if (path == "seed") return resolved;

  // Firm and segment names may themselves contain dots: the parameter name
  // is what follows the last dot, the entity name what lies between.
  const std::size_t first_dot = path.find('.');
  const std::size_t last_dot = path.rfind('.');
  if (first_dot == std::string_view::npos) throw unknown();
  const std::string_view table = path.substr(0, first_dot);
  const std::string_view name = path.substr(last_dot + 1);

  if (table == "market" && first_dot == last_dot) {
    resolved.info = find_parameter(Scope::market, name);
  } else if ((table == "firms" || table == "segments") && first_dot != last_dot) {
    const std::string_view entity = path.substr(first_dot + 1, last_dot - first_dot - 1);
    const Scope scope = table == "firms" ? Scope::firm : Scope::segment;
    resolved.info = find_parameter(scope, name);
    bool found = false;
    if (scope == Scope::firm) {
      for (std::size_t i = 0; i < scenario.firms.size(); ++i)
        if (scenario.firms[i].name == entity) {
          resolved.index = i;
          found = true;
        }
    } else {
      for (std::size_t i = 0; i < scenario.segments.size(); ++i)
        if (scenario.segments[i].name == entity) {
          resolved.index = i;
          found = true;
        }
    }
    if (!found) resolved.info = nullptr;
  }
  if (resolved.info == nullptr) throw unknown();
  return resolved;
}

void ParameterTargets::set(Scenario& scenario, double value) const {
  for (const ParameterPath& path : paths) path.set(scenario, value);
}

bool ParameterTargets::overlaps(const ParameterTargets& other) const {
  for (const ParameterPath& a : paths)
    for (const ParameterPath& b : other.paths)
      if (a.info == b.info && a.index == b.index) return true;
  return false;
}

ParameterTargets resolve_parameter_targets(const Scenario& scenario, std::string_view path) {
  ParameterTargets targets;
  targets.text = std::string(path);
  const bool firms = path.starts_with("firms.*."), segments = path.starts_with("segments.*.");
  if (!firms && !segments) {
    targets.paths.push_back(resolve_parameter_path(scenario, path));
    targets.info = targets.paths.front().info;
    return targets;
  }
  // Tied: the parameter name is all that follows "TABLE.*." (a parameter
  // name has no dot, so a dot there names no parameter).
  const Scope scope = firms ? Scope::firm : Scope::segment;
  const std::string table(scope_table_name(scope));
  const std::string_view name = path.substr(table.size() + 3);
  targets.info = find_parameter(scope, name);
  targets.tied = true;
  if (targets.info == nullptr) {
    std::vector<std::string> candidates;
    for (const std::string& known : parameter_names(scope)) candidates.push_back(table + ".*." + known);
    std::string message = "unknown parameter path '" + std::string(path) + "'";
    const std::string hint = nearest_name(path, candidates);
    if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
    else
      message += "; a tied path is " + table + ".*.NAME, NAME a " + (firms ? "firm" : "segment") +
                 " parameter (see loyalsim params " + table + ")";
    throw InputError(message);
  }
  const std::size_t count = firms ? scenario.firms.size() : scenario.segments.size();
  if (count == 0)
    throw InputError("'" + std::string(path) + "' ties " + std::string(name) + " over every " +
                     (firms ? "firm" : "segment") + ", but the scenario has none");
  for (std::size_t i = 0; i < count; ++i) {
    ParameterPath one;
    one.info = targets.info;
    one.index = i;
    one.text = table + "." + (firms ? scenario.firms[i].name : scenario.segments[i].name) + "." + std::string(name);
    targets.paths.push_back(std::move(one));
  }
  return targets;
}

}  // namespace loyalsim
