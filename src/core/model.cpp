#include "core/model.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace loyalsim {
namespace {

double monthly_from_annual(double annual) { return 1.0 - std::pow(1.0 - annual, 1.0 / 12.0); }

std::int16_t firm_index(const Scenario& scenario, const std::string& name, const std::string& context) {
  for (std::size_t f = 0; f < scenario.firms.size(); ++f)
    if (scenario.firms[f].name == name) return static_cast<std::int16_t>(f);
  throw InputError(context + ": unknown firm '" + name + "'");
}

}  // namespace

std::uint64_t derive_run_seed(std::uint64_t scenario_seed, std::uint64_t point, std::uint64_t replicate) {
  // Philox as a keyed hash of (point, replicate); the purpose word keeps it
  // apart from every stream the simulation itself draws.
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{
      {static_cast<std::uint32_t>(scenario_seed), static_cast<std::uint32_t>(scenario_seed >> 32)}};
  const r123::Philox4x32::ctr_type counter{
      {static_cast<std::uint32_t>(point), static_cast<std::uint32_t>(point >> 32),
       static_cast<std::uint32_t>(replicate), 0x5eedu ^ (static_cast<std::uint32_t>(replicate >> 32) << 16)}};
  const auto out = philox(counter, key);
  return (static_cast<std::uint64_t>(out[1]) << 32) | out[0];
}

Model make_model(const Scenario& scenario, std::uint64_t run_seed) {
  if (scenario.firms.empty()) throw InputError("scenario: at least one [[firms]] table is needed");
  if (scenario.segments.empty()) throw InputError("scenario: at least one [[segments]] table is needed");
  if (scenario.firms.size() > 32767) throw InputError("scenario: at most 32767 firms are supported");
  if (scenario.segments.size() > 255) throw InputError("scenario: at most 255 segments are supported");

  Model model;
  model.scenario = scenario;
  model.run_seed = run_seed;
  model.customers = scenario.market.customers;
  model.burn_in = scenario.market.burn_in_months;
  model.months = scenario.market.months;
  model.steps = model.burn_in + model.months;

  std::int64_t headcount = 0;
  for (const auto& firm : scenario.firms) {
    model.departure_probability.push_back(monthly_from_annual(firm.rep_turnover_annual));
    headcount += firm.reps;
  }
  double cumulative = 0.0;
  for (const auto& segment : scenario.segments) {
    model.churn_probability.push_back(monthly_from_annual(segment.churn_annual));
    cumulative += segment.share;
    model.segment_cumulative.push_back(cumulative);
  }
  // Shares were checked to sum to 1; make the last bound exact so every draw lands.
  model.segment_cumulative.back() = 2.0;

  for (const auto& firm : scenario.firms)
    for (const auto& segment : scenario.segments)
      model.cells.push_back(
          {segment.brand_growth * firm.brand_strength + segment.service_growth * firm.service_touchpoints,
           firm.relationship_transfer, segment.rep_growth, segment.rep_decay, segment.brand_decay});

  std::int64_t scripted_reps = 0;
  for (std::size_t i = 0; i < scenario.departures.size(); ++i) {
    const auto& d = scenario.departures[i];
    const std::string where = "departures[" + std::to_string(i + 1) + "]";
    ScriptedDepartureStep s;
    s.step = model.step_of_month(d.month);
    if (s.step < 0 || s.step >= model.steps)
      throw InputError(where + ": month " + std::to_string(d.month) + " is outside the simulated months " +
                       std::to_string(1 - model.burn_in) + ".." + std::to_string(model.months));
    s.count = d.count;
    s.firm = firm_index(scenario, d.firm, where + ".firm");
    s.to = d.to == "industry" ? to_industry : firm_index(scenario, d.to, where + ".to");
    if (s.to == s.firm) throw InputError(where + ": 'to' must differ from 'firm'");
    s.largest_book = d.which == "largest_book";
    model.scripted.push_back(s);
    scripted_reps += d.count;
  }
  std::stable_sort(model.scripted.begin(), model.scripted.end(),
                   [](const auto& a, const auto& b) { return a.step < b.step; });

  // Slots in use at once: active reps (targets plus scripted joins above
  // target) plus this month's leavers to the industry, at most as many again.
  model.rep_capacity = 2 * (headcount + scripted_reps) + 1;
  if (model.rep_capacity > INT32_MAX) throw InputError("scenario: too many reps for 32-bit rep ids");
  return model;
}

}  // namespace loyalsim
