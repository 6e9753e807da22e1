// Confidence intervals for Monte Carlo proportions and the sample sizes they need.
#pragma once

#include <cstdint>
#include <span>

namespace rb::percolate {

// The normal quantile of a two-sided 95% interval.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double lo = 0;
  double hi = 1;
  double width() const { return hi - lo; }
};

// Wilson score interval of k successes in n > 0 trials (Wilson 1927): well behaved at k = 0 and
// k = n, where the normal interval collapses to a point.
Interval Wilson(int64_t k, int64_t n, double z = kZ95);

// The smallest number of trials n for which the Wilson interval around the proportion
// `proportion` is at most `width` wide (the proportion held fixed as n grows): how many
// realizations a requested precision costs. Precondition: 0 < width < 1.
int64_t TrialsForWidth(double proportion, double width, double z = kZ95);

struct MeanEstimate {
  double mean = 0;
  double standard_error = 0;
  Interval interval;  // mean -+ z * standard_error, clipped to [0, 1]
};
// Mean of per-sample values in [0, 1] with its normal-approximation interval (for averages that
// are not counts of successes, e.g. Newman-Ziff canonical spanning probabilities).
MeanEstimate MeanInterval(std::span<const double> values, double z = kZ95);

}  // namespace rb::percolate
