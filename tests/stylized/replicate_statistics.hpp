// The statistics every stylized fact asserts with: replicate means compared
// by a Welch difference, never by a point value.
//
// A fact compares two levels of a parameter, each run R times with its own
// fixed seeds (independent replicates), through one number per run (a rate
// pooled over the run's decisions). Across replicates that number varies by
// everything random in a run: which reps leave, their skills and books, the
// customers' draws. Its replicate spread measures all of it, so no model of
// the noise is needed.
//
// The rule: the difference of the two replicate means, in the direction
// the fact claims, must exceed `welch_threshold` standard errors, where the
// standard error is Welch's sqrt(s_a^2 / R + s_b^2 / R) (unequal variances
// allowed). Under "no effect" the ratio is approximately Student t with the
// Welch-Satterthwaite degrees of freedom, which are never below R - 1.
// With R = 8 that is at least 7, and t(7) exceeds 4.785 with probability
// 0.001, so 5 standard errors is a one-sided test at level below 0.001
// whatever the two variances are; equivalently, the one-sided 99.9% lower
// confidence bound of the difference is above zero. Each fact's levels are
// chosen so the observed difference is many times that (the report lists
// them), so a correct engine passes with any seeds, and an engine in which
// the lever acts the other way, or not at all, fails.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace loyalsim::stylized {

inline constexpr std::size_t replicates = 8;
inline constexpr double welch_threshold = 5.0;

struct Sample {
  std::vector<double> values;

  double mean() const {
    double sum = 0.0;
    for (double v : values) sum += v;
    return sum / static_cast<double>(values.size());
  }
  // Unbiased sample variance (n - 1 in the denominator).
  double variance() const {
    const double m = mean();
    double sum = 0.0;
    for (double v : values) sum += (v - m) * (v - m);
    return sum / static_cast<double>(values.size() - 1);
  }
  double standard_error() const { return std::sqrt(variance() / static_cast<double>(values.size())); }
};

// Two levels' replicate means, their difference in the direction a fact
// claims (positive when the fact holds), and its Welch standard error.
struct Comparison {
  double before_mean = 0.0, after_mean = 0.0;  // the lower level, the higher level
  double before_se = 0.0, after_se = 0.0;
  double claimed_difference = 0.0;  // after - before for "rises", before - after for "falls"
  double standard_error = 0.0;

  // The claimed difference in units of its standard error (infinite when
  // both samples are constant and differ).
  double z() const { return claimed_difference / standard_error; }
  bool significant() const { return claimed_difference > 0.0 && claimed_difference > welch_threshold * standard_error; }
};

inline Comparison compare(const Sample& before, const Sample& after, bool rises) {
  Comparison c;
  c.before_mean = before.mean();
  c.after_mean = after.mean();
  c.before_se = before.standard_error();
  c.after_se = after.standard_error();
  c.claimed_difference = rises ? c.after_mean - c.before_mean : c.before_mean - c.after_mean;
  c.standard_error = std::sqrt(c.before_se * c.before_se + c.after_se * c.after_se);
  return c;
}

// One line for the test log, so a run shows each fact's means and interval.
inline std::string describe(const Comparison& c, const std::string& before_label, const std::string& after_label) {
  char text[400];
  std::snprintf(text, sizeof text,
                "%s: %.4f (se %.4f), %s: %.4f (se %.4f); claimed difference %.4f, Welch se %.4f, %.1f se "
                "(difference - 5 se = %.4f)",
                before_label.c_str(), c.before_mean, c.before_se, after_label.c_str(), c.after_mean, c.after_se,
                c.claimed_difference, c.standard_error, c.z(),
                c.claimed_difference - welch_threshold * c.standard_error);
  return text;
}

}  // namespace loyalsim::stylized
