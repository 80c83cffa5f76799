// Rep dynamics (docs/MODEL.md section 3, steps 1 and 3a; section 7.1):
// departures, destinations, vacancies and hiring. Serial: reps are few next
// to customers, and serial order (rep-id order, section 3) keeps the results
// deterministic.
#pragma once

#include "core/model.hpp"
#include "core/state.hpp"

namespace loyalsim {

// Rebuilds a firm -> active reps index (ascending slot ids).
void rebuild_active_reps(State& state, ActiveReps& list);

// Step 1: scripted then random departures, each opening a vacancy, then the
// destination of each leaver. Fills state.before_hiring.
void depart_reps(const Model& model, State& state);

// Step 3, first half: fills vacancies old enough to be filled. Fills
// state.after_hiring.
void hire_reps(const Model& model, State& state);

// After the customer pass: slots of reps who left the industry become free.
// Deferred so that this month's orphaned customers still see who left.
void release_departed_slots(State& state);

}  // namespace loyalsim
