// Sobol' indices from Saltelli's A, B, AB^(i) (and BA^(i)) outputs:
// first order by Saltelli et al. (2010), total by Jansen (1999), second
// order by Saltelli (2002), with bootstrap intervals over the N base
// samples. y_B is centred on the mean of the A and B outputs in S1: the
// same expectation, but a variance that no longer grows with the squared
// mean of the output (a rate near 0.3 with a spread of 0.02 would
// otherwise need thousands of samples). Noise-aware: with the variance `noise` that each output carries
// from the model's own randomness (the variance of a replicate mean), the
// estimates are of the parameters' share of the noise-free variance:
//   V_f  = Var(Y) - mean(noise of y_A, y_B)
//   S1_i = mean((y_B - mean y) (y_ABi - y_A)) / V_f    (noise cancels)
//   ST_i = mean((y_A - y_ABi)^2 - noise_A - noise_ABi) / 2 / V_f
//          (uncorrected, noise would add about noise/V to every ST)
//   S2_ij = mean(y_BAi y_ABj - y_A y_B) / V_f - S1_i - S1_j
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/statistics.hpp"

namespace loyalsim::analysis {

struct SaltelliOutputs {
  std::size_t parameters = 0;  // D
  bool second_order = false;
  // Per base sample j (N of them): y_A[j], y_B[j], y_AB[j * D + i],
  // y_BA[j * D + i] (empty without second order). A sample with any NaN
  // output is left out (counted in samples_excluded).
  std::vector<double> a, b, ab, ba;
  double noise = 0.0;  // variance of each output due to the model's noise (0: deterministic)
  // Optional, laid out as a, b, ab: the noise variance of each output (a
  // replicate mean's s^2 / n). When given, each base sample is corrected by
  // the noise of its own outputs instead of `noise`, so the bootstrap also
  // carries the uncertainty of the noise estimate, and noise that varies
  // over the design is paired with the outputs it belongs to.
  std::vector<double> a_noise, b_noise, ab_noise;
};

struct SobolIndices {
  std::vector<Estimate> first, total;
  std::vector<Estimate> second;  // D x D row-major, i < j filled (empty without second order)
  std::size_t samples_used = 0, samples_excluded = 0;
  double variance = not_a_number;     // Var(Y) over the A and B outputs used
  double noise_floor = not_a_number;  // noise / Var(Y): the uncorrected ST of a parameter without effect
};

SobolIndices sobol_indices(const SaltelliOutputs& outputs, const BootstrapOptions& options);

}  // namespace loyalsim::analysis
