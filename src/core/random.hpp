// Counter-based random streams (Random123 Philox4x32-10). Every draw is a
// pure function of (run seed, entity, step, purpose, index), so results do
// not depend on thread count, scheduling or the order entities are visited.
// The run enters through its seed: a sweep derives each run's seed from
// (scenario seed, point, replicate), never from its position in the sweep.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace loyalsim {

// What a draw is for. Distinct purposes never share a counter.
enum class Purpose : std::uint32_t {
  init_customer = 1,    // segment, attachment, first rep
  rep_skill = 2,        // skill of an initial rep or a new hire
  rep_departure = 3,    // months until an active rep's next departure
  rep_destination = 4,  // competitor or industry, which firm, non-solicit
  scripted_pick = 5,    // which reps a "random" scripted departure takes
  decision = 6,         // an orphaned customer's choice and its new rep
  assignment = 7,       // an unserved customer's new rep
  monthly = 8,          // a candidate churn or acquisition event, and the wait to the next
  init_wait = 9,        // a customer's first wait for churn or acquisition
};

using RandomWords = std::array<std::uint32_t, 4>;

class RandomSource {
 public:
  explicit RandomSource(std::uint64_t run_seed)
      : key_{{static_cast<std::uint32_t>(run_seed), static_cast<std::uint32_t>(run_seed >> 32)}} {}

  // Four independent 32-bit words. `step` counts simulated months from 0
  // (burn-in included); initialisation uses step 0 with its own purposes.
  RandomWords words(std::uint32_t entity, std::uint32_t step, Purpose purpose, std::uint32_t index = 0) const {
    const r123::Philox4x32::ctr_type counter{{entity, step, static_cast<std::uint32_t>(purpose), index}};
    const auto out = philox_(counter, key_);
    return {out[0], out[1], out[2], out[3]};
  }

  // The Philox key (the run seed's two halves), for draw_batch.
  std::uint32_t key_word(std::size_t k) const { return key_[k]; }

 private:
  r123::Philox4x32::key_type key_;
  r123::Philox4x32 philox_;
};

// Uniform on the open interval (0, 1) from one word.
inline double uniform01(std::uint32_t word) { return (static_cast<double>(word) + 0.5) * 0x1p-32; }

// Uniform integer in [0, n) from two words (multiply-shift; bias below n / 2^64).
__extension__ using uint128 = unsigned __int128;

inline std::uint32_t uniform_index(std::uint32_t high, std::uint32_t low, std::uint32_t n) {
  const std::uint64_t x = (static_cast<std::uint64_t>(high) << 32) | low;
  return static_cast<std::uint32_t>((static_cast<uint128>(x) * n) >> 64);
}

// Events of a monthly Bernoulli(p) process, simulated by waiting times: the
// number of months to the next event, counting the current one as 1
// (geometric on 1, 2, ...). Drawing waits instead of one uniform per month
// gives the same distribution while touching the random stream only at
// events. `never` for p <= 0.
inline constexpr std::int64_t never = INT64_MAX;
// geometric_wait for one p and many words: log1p(-p) is computed once
// (the same value each call would compute, so the same waits).
class GeometricWait {
 public:
  explicit GeometricWait(double p) : p_(p), log_q_(p > 0.0 && p < 1.0 ? std::log1p(-p) : 0.0) {}
  std::int64_t operator()(std::uint32_t word) const {
    if (p_ <= 0.0) return never;
    if (p_ >= 1.0) return 1;
    const double months = std::floor(std::log(uniform01(word)) / log_q_);
    return months >= 1e15 ? never : 1 + static_cast<std::int64_t>(months);
  }

 private:
  double p_;
  double log_q_;
};

inline std::int64_t geometric_wait(double p, std::uint32_t word) { return GeometricWait(p)(word); }

// The step of the next event: `wait` months after `now`, or never.
inline std::int64_t step_after(std::int64_t now, std::int64_t wait) { return wait == never ? never : now + wait; }

// Standard normal by Box-Muller from two words.
inline double standard_normal(std::uint32_t a, std::uint32_t b) {
  return std::sqrt(-2.0 * std::log(uniform01(a))) * std::cos(2.0 * std::numbers::pi * uniform01(b));
}

// Rep skill: lognormal with mean 1 and standard deviation sd (1 when sd = 0).
inline double lognormal_skill(double sd, std::uint32_t a, std::uint32_t b) {
  if (sd <= 0.0) return 1.0;
  const double sigma2 = std::log1p(sd * sd);
  return std::exp(-0.5 * sigma2 + std::sqrt(sigma2) * standard_normal(a, b));
}

}  // namespace loyalsim
