#include "common/geo/stretch.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/core/check.hpp"

namespace rb::geo {
namespace {

// The value of 0-based order statistic `rank` given a cumulative histogram.
double OrderStatistic(const std::vector<uint64_t>& cumulative, uint64_t rank) {
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), rank);
  return static_cast<double>(it - cumulative.begin());
}

double Percentile(const std::vector<uint64_t>& cumulative, uint64_t count, double percent) {
  double position = percent / 100.0 * static_cast<double>(count - 1);
  auto below = static_cast<uint64_t>(std::floor(position));
  uint64_t above = std::min(below + 1, count - 1);
  double lo = OrderStatistic(cumulative, below), hi = OrderStatistic(cumulative, above);
  return lo + (position - static_cast<double>(below)) * (hi - lo);
}

}  // namespace

StretchRange PercentileRange(std::span<const uint16_t> samples, double lo_percent,
                             double hi_percent, std::optional<uint16_t> nodata) {
  RB_CHECK_ARG(lo_percent >= 0 && hi_percent <= 100 && lo_percent <= hi_percent,
               "percentiles must satisfy 0 <= low <= high <= 100, got {} and {}", lo_percent,
               hi_percent);
  std::vector<uint64_t> cumulative(65536, 0);
  for (uint16_t v : samples) ++cumulative[v];
  if (nodata) cumulative[*nodata] = 0;
  for (size_t i = 1; i < cumulative.size(); ++i) cumulative[i] += cumulative[i - 1];
  uint64_t count = cumulative.back();
  RB_CHECK_ARG(count > 0, "no valid samples to stretch (all are nodata)");
  return {Percentile(cumulative, count, lo_percent), Percentile(cumulative, count, hi_percent)};
}

void StretchToByte(std::span<const uint16_t> samples, StretchRange range, std::span<uint8_t> out,
                   std::optional<uint16_t> nodata, uint8_t nodata_out) {
  RB_CHECK_EQ(samples.size(), out.size());
  // One lookup table for all 65536 values keeps the per-pixel work to a load.
  std::vector<uint8_t> table(65536);
  double width = range.hi - range.lo;
  for (size_t v = 0; v < table.size(); ++v) {
    double scaled = width > 0 ? 255.0 * (static_cast<double>(v) - range.lo) / width
                              : (static_cast<double>(v) >= range.lo ? 255.0 : 0.0);
    table[v] = static_cast<uint8_t>(std::clamp(std::lround(scaled), 0L, 255L));
  }
  if (nodata) table[*nodata] = nodata_out;
  for (size_t i = 0; i < samples.size(); ++i) out[i] = table[samples[i]];
}

}  // namespace rb::geo
