// The frozen model: a validated scenario plus the quantities derived from it
// once (monthly probabilities, firm indices of scripted departures). A run
// reads it and never changes it: step(const Model&, State&).
#pragma once

#include <cstdint>
#include <vector>

#include "core/scenario.hpp"

namespace loyalsim {

inline constexpr std::int16_t no_firm = -1;
inline constexpr std::int32_t no_rep = -1;
inline constexpr std::int16_t to_industry = -1;

struct ScriptedDepartureStep {
  std::int64_t step;  // simulated month index, 0-based, burn-in included
  std::int64_t count;
  std::int16_t firm;
  std::int16_t to;    // firm index or to_industry
  bool largest_book;  // false: random
};

// What the loyalty update needs of a (firm, segment) cell, gathered into
// one small record so the hot loop reads it from one cache line.
struct CellConstants {
  double base_brand_growth;      // g_b * brand_strength + g_s * service_touchpoints
  double relationship_transfer;  // kappa of the firm
  double rep_growth;             // g_r of the segment
  double rep_decay;              // d_r
  double brand_decay;            // d_b
};

struct Model {
  Scenario scenario;
  std::uint64_t run_seed = 0;

  std::int64_t customers = 0;
  std::int64_t steps = 0;  // burn_in_months + months
  std::int64_t burn_in = 0;
  std::int64_t months = 0;
  std::int64_t rep_capacity = 0;  // rep slots ever needed at once

  std::vector<double> departure_probability;    // per firm: 1 - (1 - turnover)^(1/12)
  std::vector<double> churn_probability;        // per segment: 1 - (1 - churn_annual)^(1/12)
  std::vector<double> segment_cumulative;       // cumulative shares, for drawing segments
  std::vector<ScriptedDepartureStep> scripted;  // ordered by step, then as written
  std::vector<CellConstants> cells;             // (firms * segments), firm-major

  std::size_t firms() const { return scenario.firms.size(); }
  std::size_t segments() const { return scenario.segments.size(); }
  // Recorded month number of a step: burn-in steps are <= 0, then 1..months.
  std::int64_t month_of_step(std::int64_t step) const { return step - burn_in + 1; }
  std::int64_t step_of_month(std::int64_t month) const { return month + burn_in - 1; }
};

// The few values of a scenario that must fit together with its fixed
// structure (firms, segments, scripted departures) and that decide a run's
// size. A sweep point changes at most these among the values whose validity
// depends on others, so a sweep checks every point from its extent alone,
// without building the point's model.
struct ModelExtent {
  std::int64_t customers = 0;
  std::int64_t burn_in = 0;
  std::int64_t months = 0;
  std::int64_t headcount = 0;  // the firms' target reps, summed
};

ModelExtent extent_of(const Scenario& scenario);

// The checks of what only shows when a scenario's pieces are put together,
// written once and used by validate_scenario (after --set), by the sweep's
// check of every design point and by make_model.
class ModelCheck {
 public:
  // Checks the structure (firm and segment counts, scripted departures
  // naming existing, distinct firms). Throws InputError.
  explicit ModelCheck(const Scenario& scenario);
  // Checks an extent against the structure: every scripted departure inside
  // the simulated months, rep ids within 32 bits. Returns the rep slots a
  // run needs. Throws InputError.
  std::int64_t rep_capacity(const ModelExtent& extent) const;

 private:
  std::int64_t scripted_reps_ = 0;
  // The scripted departures with the earliest and the latest month (1-based
  // position in [[departures]]; 0: none), enough to check any horizon.
  std::size_t earliest_ = 0, latest_ = 0;
  std::int64_t earliest_month_ = 0, latest_month_ = 0;
};

// Derives a model from a scenario that io/ has validated. Throws InputError
// (by ModelCheck) on what only shows when the pieces are put together.
Model make_model(const Scenario& scenario, std::uint64_t run_seed);

// The seed of run (point, replicate) of a scenario: a stable mix of the
// three, so adding points or replicates never changes existing runs.
std::uint64_t derive_run_seed(std::uint64_t scenario_seed, std::uint64_t point, std::uint64_t replicate);

}  // namespace loyalsim
