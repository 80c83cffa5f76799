// From a sensitivity design's point outputs (one number per design point,
// e.g. a replicate mean) to what the estimators read, by the role each
// point plays (core/sweep_spec.hpp, PointPlace; the results file's
// design/point_role, point_parameter and point_sample).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "analysis/sobol_indices.hpp"
#include "core/sweep_spec.hpp"

namespace loyalsim::analysis {

// The A, B, AB and BA outputs of each base sample of a saltelli design.
// Throws std::invalid_argument if the places do not make complete base
// samples of D parameters.
SaltelliOutputs saltelli_outputs(std::span<const PointPlace> places, std::span<const double> outputs,
                                 std::size_t parameters, bool second_order);
// The same, with each output's noise variance (`point_noise`, one per
// point: ReplicateSummary::point_noise) paired into a_noise, b_noise, ab_noise.
SaltelliOutputs saltelli_outputs(std::span<const PointPlace> places, std::span<const double> outputs,
                                 std::span<const double> point_noise, std::size_t parameters, bool second_order);

// The elementary effects of a morris design, trajectories x D: for each
// step, (y_step - y_previous) / (x_step - x_previous) of the moved
// parameter, in unit-range coordinates (`unit_points`, points x D, each
// parameter scaled to [0, 1] over its range). NaN where an output is NaN
// or the step moved nothing (an integer parameter rounded to the same value).
std::vector<double> morris_effects(std::span<const PointPlace> places, std::span<const double> unit_points,
                                   std::span<const double> outputs, std::size_t parameters);

}  // namespace loyalsim::analysis
