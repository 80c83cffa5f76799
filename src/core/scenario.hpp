// The scenario: every input of one run, as plain values (docs/MODEL.md
// sections 2 and 9).
// It is filled from a TOML file by io/, checked against the parameter
// registry (parameters.hpp), then frozen into a Model before a run starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loyalsim {

struct MarketParams {
  std::int64_t customers = 10000;       // N, total population (attached or not)
  std::int64_t months = 120;            // recorded horizon, months
  std::int64_t burn_in_months = 24;     // simulated before month 1, not recorded
  double substitutability = 0.5;        // s in [0,1]: how alike the firms' offerings are
  double acquisition_rate = 0.02;       // monthly probability an unattached customer is won
  double initial_attached_share = 0.8;  // share attached to a firm at month start
  double rep_skill_sd = 0.3;            // sd of lognormal rep skill (mean 1)
};

struct FirmParams {
  std::string name;
  std::int64_t reps = 10;              // target headcount
  double brand_strength = 0.5;         // [0,1]
  double service_touchpoints = 0.5;    // [0,1]
  double relationship_transfer = 0.1;  // kappa in [0,1]
  double handoff_quality = 0.5;        // h in [0,1]: share of R kept by a stayer
  double non_solicit = 0.0;            // P(departing rep barred from its book)
  double rep_turnover_annual = 0.2;    // [0,1)
  double to_competitor = 0.5;          // share of leavers joining another firm
  std::int64_t vacancy_months = 3;     // months until a vacancy can be filled
};

struct SegmentParams {
  std::string name;
  double share = 1.0;                  // share of the population
  double brand_weight = 1.0;           // w_b
  double rep_weight = 1.0;             // w_r
  double service_weight = 1.0;         // w_s
  double switching_cost = 1.0;         // c
  double outside_utility = 0.0;        // u0
  double decision_noise = 0.5;         // theta > 0
  double brand_growth = 0.05;          // g_b
  double service_growth = 0.05;        // g_s
  double rep_growth = 0.1;             // g_r
  double brand_decay = 0.02;           // d_b
  double rep_decay = 0.03;             // d_r
  double churn_annual = 0.1;           // baseline annual churn at zero loyalty
  double monthly_value = 1000.0;       // revenue per attached customer-month
  double initial_brand_loyalty = 0.2;  // B of a newly won customer
  double initial_rep_loyalty = 0.1;    // R of a newly won customer
};

// A departure written into the scenario (docs/MODEL.md section 6: [[departures]]).
struct ScriptedDeparture {
  std::int64_t month = 1;  // recorded numbering: 1..months; burn-in <= 0
  std::int64_t count = 1;
  std::string firm;                    // firm the reps leave
  std::string which = "largest_book";  // "largest_book" | "random"
  std::string to = "industry";         // a firm's name or "industry"
};

struct Scenario {
  std::uint64_t seed = 1;
  MarketParams market;
  std::vector<FirmParams> firms;
  std::vector<SegmentParams> segments;
  std::vector<ScriptedDeparture> departures;
};

}  // namespace loyalsim
