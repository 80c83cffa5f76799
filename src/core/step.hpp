// The model's dynamics: initialise a state, then advance it one month at a
// time. Pure computation, no I/O.
#pragma once

#include "core/model.hpp"
#include "core/state.hpp"

namespace loyalsim {

// Sizes every array and draws the initial population (docs/MODEL.md
// section 5). `record_events` turns on the decision log.
void initialise(const Model& model, State& state, bool record_events);

// Simulates month state.step (steps 1-7 of docs/MODEL.md section 3), leaves the
// month's merged counters in state.month_total, state.departures,
// state.departures_to_competitor and state.active_count, then advances
// state.step.
void step(const Model& model, State& state);

}  // namespace loyalsim
