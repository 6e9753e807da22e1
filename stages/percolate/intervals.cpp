#include "stages/percolate/intervals.hpp"

#include <algorithm>
#include <cmath>

#include "common/core/check.hpp"

namespace rb::percolate {
namespace {

double WilsonWidth(double proportion, double n, double z) {
  double z2 = z * z;
  double half = z * std::sqrt(proportion * (1 - proportion) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return 2 * half;
}

}  // namespace

Interval Wilson(int64_t k, int64_t n, double z) {
  RB_CHECK(n > 0 && k >= 0 && k <= n);
  double trials = static_cast<double>(n);
  double proportion = static_cast<double>(k) / trials;
  double z2 = z * z;
  double centre = (proportion + z2 / (2 * trials)) / (1 + z2 / trials);
  double half = WilsonWidth(proportion, trials, z) / 2;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

int64_t TrialsForWidth(double proportion, double width, double z) {
  RB_CHECK(width > 0 && width < 1 && proportion >= 0 && proportion <= 1);
  // The width falls monotonically with n: bisect on [1, 2^62].
  int64_t lo = 1, hi = int64_t{1} << 62;
  if (WilsonWidth(proportion, 1, z) <= width) return 1;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    (WilsonWidth(proportion, static_cast<double>(mid), z) <= width ? hi : lo) = mid;
  }
  return hi;
}

MeanEstimate MeanInterval(std::span<const double> values, double z) {
  RB_CHECK(!values.empty());
  double n = static_cast<double>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  double mean = sum / n;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  double se = values.size() > 1 ? std::sqrt(squares / (n - 1) / n) : 0.0;
  return {mean, se, {std::max(0.0, mean - z * se), std::min(1.0, mean + z * se)}};
}

}  // namespace rb::percolate
