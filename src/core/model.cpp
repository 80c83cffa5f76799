#include "core/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
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
  const r123::Philox4x32::ctr_type counter{{static_cast<std::uint32_t>(point), static_cast<std::uint32_t>(point >> 32),
                                            static_cast<std::uint32_t>(replicate),
                                            0x5eedu ^ (static_cast<std::uint32_t>(replicate >> 32) << 16)}};
  const auto out = philox(counter, key);
  return (static_cast<std::uint64_t>(out[1]) << 32) | out[0];
}

ModelExtent extent_of(const Scenario& scenario) {
  ModelExtent extent;
  extent.customers = scenario.market.customers;
  extent.burn_in = scenario.market.burn_in_months;
  extent.months = scenario.market.months;
  for (const auto& firm : scenario.firms) extent.headcount += firm.reps;
  return extent;
}

ModelCheck::ModelCheck(const Scenario& scenario) {
  if (scenario.firms.empty()) throw InputError("scenario: at least one [[firms]] table is needed");
  if (scenario.segments.empty()) throw InputError("scenario: at least one [[segments]] table is needed");
  if (scenario.firms.size() > 32767) throw InputError("scenario: at most 32767 firms are supported");
  if (scenario.segments.size() > 255) throw InputError("scenario: at most 255 segments are supported");
  for (std::size_t i = 0; i < scenario.departures.size(); ++i) {
    const auto& d = scenario.departures[i];
    const std::string where = "departures[" + std::to_string(i + 1) + "]";
    const std::int16_t from = firm_index(scenario, d.firm, where + ".firm");
    if (d.to != "industry" && firm_index(scenario, d.to, where + ".to") == from)
      throw InputError(where + ": 'to' must differ from 'firm'");
    if (earliest_ == 0 || d.month < earliest_month_) {
      earliest_ = i + 1;
      earliest_month_ = d.month;
    }
    if (latest_ == 0 || d.month > latest_month_) {
      latest_ = i + 1;
      latest_month_ = d.month;
    }
    scripted_reps_ += d.count;
  }
}

std::int64_t ModelCheck::rep_capacity(const ModelExtent& extent) const {
  auto outside = [&](std::size_t index, std::int64_t month) {
    return InputError("departures[" + std::to_string(index) + "]: month " + std::to_string(month) +
                      " is outside the simulated months " + std::to_string(1 - extent.burn_in) + ".." +
                      std::to_string(extent.months) + " (market.burn_in_months = " + std::to_string(extent.burn_in) +
                      ", market.months = " + std::to_string(extent.months) + ")");
  };
  if (earliest_ != 0 && earliest_month_ < 1 - extent.burn_in) throw outside(earliest_, earliest_month_);
  if (latest_ != 0 && latest_month_ > extent.months) throw outside(latest_, latest_month_);
  // Slots in use at once: active reps (targets plus scripted joins above
  // target) plus this month's leavers to the industry, at most as many again.
  const std::int64_t capacity = 2 * (extent.headcount + scripted_reps_) + 1;
  if (capacity > INT32_MAX)
    throw InputError("scenario: " + std::to_string(extent.headcount) +
                     " reps in all (plus scripted joins) are too many for 32-bit rep ids; at most " +
                     std::to_string((INT32_MAX - 1) / 2) + " are supported");
  return capacity;
}

Model make_model(const Scenario& scenario, std::uint64_t run_seed) {
  const ModelCheck check(scenario);
  const std::int64_t rep_capacity = check.rep_capacity(extent_of(scenario));

  Model model;
  model.scenario = scenario;
  model.run_seed = run_seed;
  model.customers = scenario.market.customers;
  model.burn_in = scenario.market.burn_in_months;
  model.months = scenario.market.months;
  model.steps = model.burn_in + model.months;
  model.rep_capacity = rep_capacity;

  for (const auto& firm : scenario.firms)
    model.departure_probability.push_back(monthly_from_annual(firm.rep_turnover_annual));
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

  // ModelCheck has checked every name and month.
  for (const auto& d : scenario.departures) {
    ScriptedDepartureStep s;
    s.step = model.step_of_month(d.month);
    s.count = d.count;
    s.firm = firm_index(scenario, d.firm, "departures");
    s.to = d.to == "industry" ? to_industry : firm_index(scenario, d.to, "departures");
    s.largest_book = d.which == "largest_book";
    model.scripted.push_back(s);
  }
  std::stable_sort(model.scripted.begin(), model.scripted.end(),
                   [](const auto& a, const auto& b) { return a.step < b.step; });
  return model;
}

}  // namespace loyalsim
