// A sweep's design: the [sweep] table expanded into the parameter values of
// every design point, and the numbering of its runs. Pure: no I/O, and the
// same (spec, scenario seed) always gives the same design.
//
// Runs are numbered point-major, run = point * replicates + replicate, but a
// run's seed comes from (scenario seed, point, replicate) alone, never from
// its run number: asking for more replicates renumbers runs without changing
// the results of the (point, replicate) pairs that already existed.
#pragma once

#include <cstdint>

#include "core/sweep_spec.hpp"  // Design

namespace loyalsim {

// Expands a [sweep] table into a Design holding a copy of the spec.
// Throws InputError on an invalid spec, by the rules of
// core/sweep_spec.hpp (no parameters, replicates < 1, an empty value list,
// lists of unequal length in a "list" design, samples < 1 or low > high in
// "lhs"/"sobol", more than max_design_points points or max_sweep_runs
// runs, ...), checked before the points are allocated. Only "lhs" and "morris"
// use the scenario seed.
//
// grid:  the Cartesian product of the value lists, first parameter slowest
//        (as nested loops written in spec order).
// list:  point i takes the i-th value of every parameter.
// lhs:   a Latin hypercube of `samples` points over [low, high]; its
//        randomness comes from a Philox stream no run ever draws from.
// sobol: the first `samples` points of Boost's Sobol sequence (Joe-Kuo
//        direction numbers), scaled to [low, high]. Boost skips the all-zero
//        point, so the first point is the centre of the box. Unscrambled:
//        the same for every seed.
// saltelli: Saltelli's A, B and AB^(i) (and BA^(i) with second_order)
//        matrices from a Sobol' sequence of dimension 2D, N = samples base
//        rows, N(D+2) (or N(2D+2)) points, laid out sample by sample;
//        design.places says each point's role (docs/SENSITIVITY.md).
// morris: `trajectories` one-at-a-time trajectories on a grid of `levels`
//        levels, D+1 points each, from a Philox stream of the scenario
//        seed keyed by trajectory; design.places names each step.
// For both, adding samples (trajectories) keeps every existing point, so
// a larger design reruns none of the runs a smaller one made.
Design make_design(const SweepSpec& spec, std::uint64_t scenario_seed);

// The design of a scenario without a [sweep] table: one point, one run.
Design single_run_design();

struct RunId {
  std::int64_t run = 0;
  std::int64_t point = 0;
  std::int64_t replicate = 0;
  std::uint64_t seed = 0;  // derive_run_seed(scenario seed, point, replicate)
};

// The point, replicate and seed of run `run` (0 <= run < design.runs(),
// otherwise throws Error: a caller bug, not bad input).
RunId run_id(const Design& design, std::int64_t run, std::uint64_t scenario_seed);

}  // namespace loyalsim
