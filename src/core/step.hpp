// The model's dynamics: initialise a state, then advance it one month at a
// time. Pure computation, no I/O.
#pragma once

#include "core/book_did.hpp"
#include "core/model.hpp"
#include "core/state.hpp"

namespace loyalsim {

// Sizes every array and draws the initial population (docs/MODEL.md
// section 5). `record_events` turns on the decision log. With a
// `partition`, only its slice of the customers (drawn as in the whole
// population); rep book sizes are then summed over the processes.
void initialise(const Model& model, State& state, bool record_events, const Partition& partition = {});

// Simulates month state.step (steps 1-7 of docs/MODEL.md section 3), leaves the
// month's merged counters (of the customers held) in state.month_total, state.reps_at_start,
// state.departures, state.departures_to_competitor and state.active_count,
// records whether the month is an anchor of each firm's book DiD, then
// advances state.step.
void step(const Model& model, State& state);

// Firm `firm`'s anchor months of the book DiD so far (core/book_did.hpp).
AnchorPrefix anchors_of(const Model& model, const State& state, std::size_t firm);

}  // namespace loyalsim
